-- Logins of one fixed user (the server hashes once per request). With MAX_PER_THREAD set, each
-- thread stops after that many answers.
dofile(os.getenv("BENCH_DIR") .. "/lua/report.lua")
-- One User-Agent everywhere: Flask-Login (Dioptra) drops a session whose client looks different.
wrk.headers["User-Agent"] = "dioptra-bench"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"benchuser","password":"bench password 1"}'
wrk.path = "/api/v1/auth/login"
local max = tonumber(os.getenv("MAX_PER_THREAD") or "0")
local seen = 0
function response(status, headers, body)
   seen = seen + 1
   if max > 0 and seen >= max then wrk.thread:stop() end
end
