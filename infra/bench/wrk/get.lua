-- wrk: GET the URL given on the command line with a bearer token (status reads).
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
