"""The run's settings: how long each measurement lasts, how many sessions, users and connections,
and what is searched. bench.py measures with them; report.py names them in RESULTS.md.

Environment: BENCH_DURATION (seconds per measurement, default 12), BENCH_SESSIONS (default 1000),
BENCH_BIG (users for the large search and group, default 1000000), BENCH_DIOPTRA_BIG (Dioptra's
large search size, default BENCH_BIG; 0 skips it).
"""
import os

DUR = int(os.environ.get("BENCH_DURATION", "12"))
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "1000"))
BIG = int(os.environ.get("BENCH_BIG", "1000000"))
DIOPTRA_BIG = int(os.environ.get("BENCH_DIOPTRA_BIG", str(BIG)))
SMALL = 10_000
SEARCH = "search=username:user12*&pageLength=10"
WORD_SEARCH = "search=al&pageLength=10"  # the users page's kind of query: a word anywhere, a scan
GROUP_PATH = "/api/v1/groups/1"  # `public`, which every account joins
GROUP_PAGE = "/groups/1"  # its page (ours only): the first 50 members and what the viewer may do

# Seconds between the memory measurement's logins and its 1,000 connections.
QUIET_AFTER_LOGINS = 2

# The load: connections per wrk run.
C_HASH = 8  # signups, logins (hashing-bound: a queue per core is enough)
C_GET = 16  # authenticated GETs
C_STORM = 200  # the login storm next to the authenticated GETs: far more logins than cores
FAIRNESS_ROUNDS = 3  # pairs of idle and storm measurements of ours; the median ratio is reported
STORM_SETTLE = 5  # seconds after a storm for the logins it left queued to be hashed
SEQUENTIAL_LOGINS = 30  # one at a time, to time one verification inside our server
C_SEARCH = 1  # search latency: one request at a time, so p50/p99 are the server's, not a queue's
