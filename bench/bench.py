"""Side-by-side benchmark of Dioptra Accounts and Dioptra 1.2.2's REST server: what is measured,
and in what order.

Started by bench/run (which installs wrk, the venv and builds the release binary first); writes
bench/RESULTS.md (`bench.py --render results.json` re-renders it from saved numbers). servers.py
starts and drives the servers and wrk, report.py writes RESULTS.md, and settings.py holds the
run's durations, sizes and connection counts.
"""
import concurrent.futures
import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

# The sibling modules below are found on sys.path (this script's folder, when run as a script).
# Their bytecode would go to bench/__pycache__, a folder ARCHITECTURE.md's codemap does not name
# (app/tests/codemap.rs fails on it), so none is written.
sys.dont_write_bytecode = True

from report import render, versions
from servers import (BENCH, PY, CpuWatch, Dioptra, Ours, hash_mean, hash_metric, http, log,
                     other_processes, served_assets, wrk, wrk_result)
from settings import (BIG, C_GET, C_HASH, C_SEARCH, C_STORM, DIOPTRA_BIG, DUR, FAIRNESS_ROUNDS, GROUP_PAGE,
                      GROUP_PATH, QUIET_AFTER_LOGINS, SEARCH, SEQUENTIAL_LOGINS, SESSIONS, SMALL,
                      STORM_SETTLE, WORD_SEARCH)


def measure_group(s, key, cookie, size):
    """GET /api/v1/groups/1 (`public`, which every account joins): one request timed and its body
    size and member count, then wrk as for the search. Ours lists at most 1,000 members; Dioptra
    lists them all, so at a million accounts it gets one attempt (gunicorn's 30 s worker timeout
    ends it) and no wrk run."""
    t0 = time.time()
    try:
        st, _, body = http("GET", s.url(GROUP_PATH), cookie=cookie, timeout=120)
    except OSError as e:  # a timeout, or gunicorn killing the worker
        return {"status": None, "error": str(e), "first_s": time.time() - t0}
    first_s = time.time() - t0
    r = {"status": st, "first_s": first_s, "bytes": len(body)}
    if st == 200:
        r["members"] = len(json.loads(body).get("members", []))
    if key == "dioptra" and size > SMALL:
        return r
    log(f"{s.name}: GET {GROUP_PATH} at {size} users ({r.get('members')} members listed, {len(body):,} bytes) for {DUR} s")
    r.update(wrk(s, "get.lua", C_SEARCH, 1, DUR, {"COOKIE": cookie, "PATH_GET": GROUP_PATH}))
    if key == "ours":
        log(f"{s.name}: GET {GROUP_PAGE} at {size} users for {DUR} s")
        r["page"] = wrk(s, "get.lua", C_SEARCH, 1, DUR, {"COOKIE": cookie, "PATH_GET": GROUP_PAGE})
    return r



def search_plan(db):
    """SQLite's plan for the WHERE clause our search builds (accounts.rs list_users), and for
    the same clause with the prefix also given as a range on the indexed key."""
    con = sqlite3.connect(db)
    plans = {}
    for label, where in [
        ("as built", "deleted_on IS NULL AND (username_key LIKE 'user12%' ESCAPE '/')"),
        ("with a range", "deleted_on IS NULL AND username_key >= 'user12' AND username_key < 'user13'"
                         " AND (username_key LIKE 'user12%' ESCAPE '/')"),
    ]:
        q = f"SELECT count(*) FROM users WHERE {where}"
        plan = " / ".join(r[-1] for r in con.execute("EXPLAIN QUERY PLAN " + q))
        con.execute(q).fetchall()
        t0 = time.perf_counter()
        for _ in range(5):
            con.execute(q).fetchall()
        plans[label] = {"where": where, "plan": plan, "ms": (time.perf_counter() - t0) / 5 * 1000}
    con.close()
    return plans



def measure_all():
    started = time.time()
    tmp = tempfile.mkdtemp(prefix="dioptra-bench-")
    log(f"temporary files in {tmp}")
    res = {"dur": DUR, "sessions": SESSIONS, "big": BIG, "dioptra_big": DIOPTRA_BIG, "c_storm": C_STORM,
           "quiet_after_logins": QUIET_AFTER_LOGINS,
           "foreign": {}, "others_seen": {}}

    def seen_others(phase):
        o = other_processes()
        if o:
            res["others_seen"][phase] = o

    seen_others("start")
    res["loadavg_start"] = open("/proc/loadavg").read().split()[:3]


    servers = []
    try:
        log("starting Dioptra Accounts")
        ours = Ours(tmp)
        servers.append(ours)
        log("starting Dioptra 1.2.2 under gunicorn")
        dio = Dioptra(tmp)
        servers.append(dio)
        res["rss_start"] = {s.name: s.rss_kib() for s in servers}
        watch = CpuWatch(servers)
        both = [("ours", ours), ("dioptra", dio)]
        for _, s in both:
            s.signup("benchuser")

        # 1. Memory at SESSIONS concurrent sessions: SESSIONS logins (4 at a time), then SESSIONS
        #    connections, each with its own session, for a while.
        def memory(key, s):
            seen_others("sessions")
            watch.start()
            log(f"{s.name} ({key}): {SESSIONS} logins for the memory measurement")
            with concurrent.futures.ThreadPoolExecutor(4) as ex:
                cookies = list(ex.map(lambda _: s.login(), range(SESSIONS)))
            res.setdefault("peak_rss_logins_kib", {})[key] = s.peak_rss_kib()
            # The logins are over; the users now use their sessions. Our hashing threads give their
            # argon2 memory back after a second without work (the peak above includes it).
            time.sleep(QUIET_AFTER_LOGINS)
            cookie_file = os.path.join(tmp, f"cookies-{key}.txt")
            with open(cookie_file, "w") as f:
                f.write("\n".join(cookies) + "\n")
            r = wrk(s, "sessions.lua", SESSIONS, 2, max(3, DUR // 2), {"COOKIE_FILE": cookie_file})
            res.setdefault("sessions_get", {})[key] = r
            res.setdefault("peak_rss_kib", {})[key] = s.peak_rss_kib()
            res.setdefault("rss_kib", {})[key] = s.rss_kib()
            res.setdefault("procs", {})[key] = len(s.pids())
            res["foreign"][f"sessions {key}"] = watch.stop()

        for key, s in both:
            memory(key, s)

        # The hashing limit, timed on one thread just before the runs it bounds (the servers idle):
        # a shared machine's speed drifts over minutes.
        log("timing argon2id and pbkdf2_sha256 verification (single thread, median of 50)")
        res["hash"] = json.loads(subprocess.run([PY, os.path.join(BENCH, "hash_time.py"), "50"],
                                                capture_output=True, text=True, check=True).stdout)
        # The same with the server's own Rust argon2 and parameters: logins one at a time, the
        # mean verification time from its /metrics (the argon2 work only, not the wait for a core).
        m0 = hash_metric(ours)
        for _ in range(SEQUENTIAL_LOGINS):
            ours.login()
        res["hash"]["server_verify_s"] = hash_mean(m0, hash_metric(ours), "verify")
        # 2. Signups and logins per second.
        for phase, script, extra in [("signup", "signup.lua", {}), ("login", "login.lua", {})]:
            for key, s in both:
                seen_others(phase)
                log(f"{s.name}: {phase}s for {DUR} s")
                watch.start()
                if key == "ours":
                    m0 = hash_metric(s)
                r = wrk(s, script, C_HASH, 2, DUR, dict(extra, PATH_USERS=s.users_path))
                res["foreign"][f"{phase} {key}"] = watch.stop()
                if key == "ours":
                    r["server_hash_s"] = hash_mean(m0, hash_metric(s), "hash" if phase == "signup" else "verify")
                res.setdefault(phase, {})[key] = r

        # 3. Authenticated GET /users/current, idle and under a login storm.
        for key, s in both:
            cookie = s.login()
            seen_others("current")
            # One run's p99 moves with whatever else the machine does, so ours is measured in
            # FAIRNESS_ROUNDS pairs of idle and storm, and the pair with the median ratio reported
            # (every ratio is kept). Dioptra's storm takes minutes to drain; it gets one pair.
            pairs = []
            for round_ in range(FAIRNESS_ROUNDS if key == "ours" else 1):
                log(f"{s.name}: GET /api/v1/users/current for {DUR} s (round {round_ + 1})")
                watch.start()
                idle = wrk(s, "get.lua", C_GET, 2, DUR, {"COOKIE": cookie})
                idle_cpu = watch.stop()
                log(f"{s.name}: the same while a storm of {C_STORM} login connections runs")
                watch.start()
                storm = wrk(s, "login.lua", C_STORM, 1, DUR + 2, background=True)
                time.sleep(1)
                during = wrk(s, "get.lua", C_GET, 1, DUR, {"COOKIE": cookie})
                pairs.append({"idle": idle, "storm": during, "storm_logins": wrk_result(storm),
                              "idle_cpu": idle_cpu, "storm_cpu": watch.stop()})
                if key == "ours":
                    time.sleep(STORM_SETTLE)  # the logins the storm left queued are hashed
            pairs.sort(key=lambda p: p["storm"]["p99_ms"] / p["idle"]["p99_ms"])
            median = pairs[len(pairs) // 2]
            res.setdefault("current_idle", {})[key] = median["idle"]
            res.setdefault("current_storm", {})[key] = median["storm"]
            res.setdefault("storm_logins", {})[key] = median["storm_logins"]
            res.setdefault("storm_ratios", {})[key] = [p["storm"]["p99_ms"] / p["idle"]["p99_ms"] for p in pairs]
            res["foreign"][f"current idle {key}"] = median["idle_cpu"]
            res["foreign"][f"current storm {key}"] = median["storm_cpu"]
            # The other side of fairness: logins while authenticated GETs flood the server.
            log(f"{s.name}: logins over {C_HASH} connections while GETs flood it")
            watch.start()
            flood = wrk(s, "get.lua", C_GET, 1, DUR + 2, {"COOKIE": cookie}, background=True)
            time.sleep(1)
            res.setdefault("flood_logins", {})[key] = wrk(s, "login.lua", C_HASH, 1, DUR)
            res.setdefault("flood_gets", {})[key] = wrk_result(flood)
            res["foreign"][f"logins in a GET flood {key}"] = watch.stop()

        # 4. Search at 10,000 and at BIG users.
        for size in [SMALL, BIG]:
            for key, s in both:
                if key == "dioptra" and size > max(SMALL, DIOPTRA_BIG):
                    continue
                log(f"{s.name}: growing to {size} users")
                t0 = time.time()
                subprocess.run([PY, os.path.join(BENCH, "seed.py"), key, s.db, str(size)], check=True)
                res.setdefault("seed_s", {})[f"{key} {size}"] = time.time() - t0
                con = sqlite3.connect(s.db)
                n = con.execute("SELECT count(*) FROM users").fetchone()[0]
                con.close()
                cookie = s.login()
                st, _, body = http("GET", s.url(s.users_path + "?" + SEARCH), cookie=cookie, timeout=120)
                total = json.loads(body).get("totalNumResults") if st == 200 else None
                seen_others("search")
                log(f"{s.name}: search at {n} users ({total} matches) for {DUR} s")
                watch.start()
                r = wrk(s, "get.lua", C_SEARCH, 1, DUR,
                        {"COOKIE": cookie, "PATH_GET": s.users_path + "?" + SEARCH})
                res["foreign"][f"search {size} {key}"] = watch.stop()
                r["users"] = n
                r["matches"] = total
                r["status"] = st
                res.setdefault("search", {}).setdefault(str(size), {})[key] = r
                log(f"{s.name}: word search ({WORD_SEARCH}) at {n} users for {DUR} s")
                watch.start()
                r = wrk(s, "get.lua", C_SEARCH, 1, DUR,
                        {"COOKIE": cookie, "PATH_GET": s.users_path + "?" + WORD_SEARCH})
                res["foreign"][f"word search {size} {key}"] = watch.stop()
                res.setdefault("word_search", {}).setdefault(str(size), {})[key] = r
                res.setdefault("group", {}).setdefault(str(size), {})[key] = measure_group(s, key, cookie, size)

        res["search_plan"] = search_plan(ours.db)
        res["peak_rss_end_kib"] = {key: s.peak_rss_kib() for key, s in both}
        res["db_bytes"] = {key: os.path.getsize(s.db) for key, s in both}
        # 5. The site's files as served to a browser.
        res["assets"] = served_assets(ours)
    finally:
        for s in servers:
            s.stop()
    seen_others("end")
    res["loadavg_end"] = open("/proc/loadavg").read().split()[:3]

    res["elapsed_s"] = time.time() - started
    shutil.rmtree(tmp, ignore_errors=True)
    return res



def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--render":
        res = json.load(open(sys.argv[2]))
        text = render(res, res.get("versions") or versions())
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        text = text.replace("\n## Machine and versions", f"(Re-rendered from `results.json` by `bench.py --render` on {stamp}; "
                            "the numbers are those of the run.)\n\n## Machine and versions", 1)
        print(text)
        return
    res = measure_all()
    res["versions"] = versions()
    with open(os.path.join(BENCH, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    v = res["versions"]
    out = os.environ.get("BENCH_RESULTS", os.path.join(BENCH, "RESULTS.md"))
    with open(out, "w") as f:
        f.write(render(res, v))
    log(f"wrote {out} in {res['elapsed_s'] / 60:.1f} min")


if __name__ == "__main__":
    main()
