-- Authenticated GET /api/v1/users/current, each request with the next of many sessions: the
-- Cookie headers, one a line, are read from COOKIE_FILE (one login each).
dofile(os.getenv("BENCH_DIR") .. "/lua/report.lua")
local cookies = {}
for line in io.lines(os.getenv("COOKIE_FILE")) do
   if #line > 0 then table.insert(cookies, line) end
end
local i = 0
local threads = {}
function setup(thread)
   thread:set("offset", #threads * 500)
   table.insert(threads, thread)
end
function request()
   i = i + 1
   local c = cookies[((offset + i) % #cookies) + 1]
   return wrk.format("GET", os.getenv("PATH_GET") or "/api/v1/users/current", {["Cookie"] = c, ["User-Agent"] = "dioptra-bench"})
end
