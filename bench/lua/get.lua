-- Authenticated GETs of PATH (default /api/v1/users/current) with the session cookie in COOKIE.
dofile(os.getenv("BENCH_DIR") .. "/lua/report.lua")
-- One User-Agent everywhere: Flask-Login (Dioptra) drops a session whose client looks different.
wrk.headers["User-Agent"] = "dioptra-bench"
wrk.method = "GET"
wrk.path = os.getenv("PATH_GET") or "/api/v1/users/current"
wrk.headers["Cookie"] = os.getenv("COOKIE")
