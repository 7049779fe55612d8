-- wrk: POST create-enhanced (or the WebFlux anchor's /create) with a unique name and Idempotency-Key per request.
-- Environment: BENCH_TOKEN (bearer), BENCH_PREFIX (unique per run and round).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local counter = 0
local prefix = (os.getenv("BENCH_PREFIX") or "bench")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")

function request()
  counter = counter + 1
  local name = prefix .. "-" .. tid .. "-" .. counter
  wrk.headers["Idempotency-Key"] = name
  return wrk.format(nil, nil, nil, '{"name":"' .. name .. '","memory":128,"vcpus":1,' ..
    '"storage":{"default_pool":"default","disks":[{"action":"create","size":1}]}}')
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
