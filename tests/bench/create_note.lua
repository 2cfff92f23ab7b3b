-- POST /api/v1/note-items with a unique text per request.
-- Arguments after "--": the interview id the notes go to.
dofile("report.lua")

local interview_id
local sent = 0
-- The bearer token comes from wrk -H and lives in wrk.headers; a headers table given to
-- wrk.format replaces wrk.headers, so it carries the token along.
local headers = { ["Content-Type"] = "application/json" }

function init(args)
   headers["Authorization"] = wrk.headers["Authorization"]
   interview_id = args[1]
end

function request()
   sent = sent + 1
   local body = string.format(
      '{"interview_id":"%s","category":"to_do","text":"bench note %d-%d"}',
      interview_id, thread_no or 0, sent)
   return wrk.format("POST", "/api/v1/note-items", headers, body)
end
