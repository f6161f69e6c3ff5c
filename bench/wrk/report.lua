-- wrk script for make bench: optional method/body from the environment, and one summary line
-- the harness parses (latency in microseconds).
--   BENCH_METHOD=POST BENCH_BODY='{"message_body":"hi"}' wrk -s report.lua …
--   BENCH_PATHS=FILE: each request goes to a path drawn at random from FILE (one per line),
--   as TechEmpower's updates draw their rows, instead of the URL's.
local method = os.getenv("BENCH_METHOD")
if method and method ~= "" then wrk.method = method end
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
    wrk.body = body
    wrk.headers["Content-Type"] = "application/json"
end

local paths_file = os.getenv("BENCH_PATHS")
if paths_file and paths_file ~= "" then
    local paths = {}
    for line in io.lines(paths_file) do
        if line ~= "" then paths[#paths + 1] = line end
    end
    request = function()
        return wrk.format(nil, paths[math.random(#paths)])
    end
end

done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
        e.connect, e.read, e.write, e.status, e.timeout))
end
