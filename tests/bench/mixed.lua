-- Every scenario in turn on each connection, writes included: what a busy client mix does.
-- Arguments after "--": the read interview id, the write interview id, the search text.
dofile("report.lua")

local paths = {}
local write_interview
local turn = 0
local sent = 0
-- The bearer token comes from wrk -H and lives in wrk.headers; a headers table given to
-- wrk.format replaces wrk.headers, so it carries the token along.
local headers = { ["Content-Type"] = "application/json" }

function init(args)
   headers["Authorization"] = wrk.headers["Authorization"]
   write_interview = args[2]
   paths = {
      "/api/v1/contacts?limit=50",
      "/api/v1/contacts?limit=50&q=" .. args[3],
      "/api/v1/interviews/" .. args[1],
      "/api/v1/note-items?category=to_do&status=open&limit=50",
      nil,  -- the create
   }
end

function request()
   turn = turn % 5 + 1
   if turn == 5 then
      sent = sent + 1
      local body = string.format(
         '{"interview_id":"%s","category":"to_do","text":"mixed note %d-%d"}',
         write_interview, thread_no or 0, sent)
      return wrk.format("POST", "/api/v1/note-items", headers, body)
   end
   return wrk.format("GET", paths[turn])
end
