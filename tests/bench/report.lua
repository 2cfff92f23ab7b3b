-- Shared by every scenario: counts responses by status class and by wall-clock second in
-- each thread and, when the run ends, prints one line "BENCH_RESULT {json}" that run.py reads
-- (latencies in µs; idle_seconds: whole seconds of the run in which no response arrived).

local threads = {}
local started

function setup(thread)
   started = started or os.time()
   thread:set("thread_no", #threads + 1)
   table.insert(threads, thread)
end

s1, s2, s3, s4, s5 = 0, 0, 0, 0, 0
per_second = {}

function response(status, headers, body)
   if status < 200 then s1 = s1 + 1
   elseif status < 300 then s2 = s2 + 1
   elseif status < 400 then s3 = s3 + 1
   elseif status < 500 then s4 = s4 + 1
   else s5 = s5 + 1 end
   local now = os.time()
   per_second[now] = (per_second[now] or 0) + 1
end

local function total(name)
   local sum = 0
   for _, thread in ipairs(threads) do sum = sum + (thread:get(name) or 0) end
   return sum
end

-- Seconds strictly inside the run (the first and last may be partial) with no response.
local function idle_seconds(duration_us)
   local seen = {}
   for _, thread in ipairs(threads) do
      for second, n in pairs(thread:get("per_second") or {}) do seen[second] = n end
   end
   local idle = 0
   local last = started + math.floor(duration_us / 1000000) - 1
   for second = started + 1, last do
      if not seen[second] then idle = idle + 1 end
   end
   return idle
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
      '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,' ..
      '"status_errors":%d,"s1xx":%d,"s2xx":%d,"s3xx":%d,"s4xx":%d,"s5xx":%d,' ..
      '"idle_seconds":%d}\n',
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      latency.mean, e.connect, e.read, e.write, e.timeout, e.status,
      total("s1"), total("s2"), total("s3"), total("s4"), total("s5"),
      idle_seconds(summary.duration)))
end
