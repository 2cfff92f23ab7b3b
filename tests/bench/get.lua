-- A fixed GET (the URL on the command line); wrk builds the request once.
dofile("report.lua")
