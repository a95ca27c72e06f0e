-- Unique signups: POST {API_PREFIX}/users with a fresh username per request
-- (thread id and a per-thread counter in the body). PATH_USERS is the collection's path.
dofile(os.getenv("BENCH_DIR") .. "/lua/report.lua")
local counter = 1
local threads = {}
function setup(thread)
   thread:set("tid", #threads + 1)
   table.insert(threads, thread)
end
function request()
   counter = counter + 1
   local name = string.format("su%dx%d", tid, counter)
   local body = string.format(
      '{"username":"%s","email":"%s@example.org","password":"bench password 1","confirmPassword":"bench password 1"}',
      name, name)
   return wrk.format("POST", os.getenv("PATH_USERS"), {["Content-Type"] = "application/json", ["User-Agent"] = "dioptra-bench"}, body)
end
