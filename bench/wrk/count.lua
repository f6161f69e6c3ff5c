-- wrk script for bench/profile.sh: each thread stops after BENCH_REQUESTS responses
-- (run with -t1 -c1 for an exact count), so a profile covers a fixed amount of work.
local limit = tonumber(os.getenv("BENCH_REQUESTS") or "1000")
local count = 0
response = function(status, headers, body)
    count = count + 1
    if count >= limit then wrk.thread:stop() end
end
