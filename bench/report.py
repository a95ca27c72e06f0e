"""RESULTS.md from a run's numbers: the machine and versions, the targets met or not, a table per
measurement, and the raw numbers as JSON at the end. Only the standard library, so
`bench.py --render` runs without bench/.venv.
"""
import datetime
import json
import os
import platform
import subprocess

from servers import BIN, NCPU, PY, REPO
from settings import (C_GET, C_HASH, C_STORM, GROUP_PAGE, GROUP_PATH, SEQUENTIAL_LOGINS, SMALL, STORM_SETTLE,
                      WORD_SEARCH)


def versions():
    def out(cmd, **kw):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, **kw).stdout.strip()
        except OSError:
            return "?"

    pip = out([PY, "-m", "pip", "list", "--format=json"])
    pkgs = {p["name"].lower(): p["version"] for p in json.loads(pip)} if pip.startswith("[") else {}
    dirty = out(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO)
    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = [line for line in open("/proc/meminfo") if line.startswith("MemTotal")][0].split()[1]
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": NCPU, "cpu": cpu, "mem_gib": int(mem) / 1024 / 1024,
        "kernel": platform.release(), "os": out(["sh", "-c", ". /etc/os-release; echo $PRETTY_NAME"]),
        "commit": out(["git", "rev-parse", "--short", "HEAD"], cwd=REPO) + (" (with uncommitted changes)" if dirty else ""),
        "binary_mtime": datetime.datetime.fromtimestamp(os.path.getmtime(BIN), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "rustc": out(["rustc", "--version"]),
        "dioptra": pkgs.get("dioptra-platform", "?"), "gunicorn": pkgs.get("gunicorn", "?"),
        "flask": pkgs.get("flask", "?"), "passlib": pkgs.get("passlib", "?"),
        "argon2_cffi": pkgs.get("argon2-cffi", "?"),
        "python": out([PY, "-c", "import sys, sqlite3; print(sys.version.split()[0], 'SQLite', sqlite3.sqlite_version)"]),
        "wrk": out(["sh", "-c", "wrk -v 2>&1 | head -1"]).split(" Copyright")[0],
    }



def fmt(x, unit="", digits=1):
    if x is None:
        return "–"
    return f"{x:,.{digits}f}{unit}"



def ratio(a, b, digits=1):
    if not a or not b:
        return "–"
    return f"{a / b:,.{digits}f}×"



def mib(kib):
    return kib / 1024



def render(res, v):
    # The run's own core count, so that a re-render on another machine describes the run.
    cores = v["nproc"]
    h = res["hash"]
    # The limit from the server's own argon2 (timed inside it, one login at a time); runs before
    # that measurement existed used argon2-cffi's time.
    limit_s = h.get("server_verify_s") or h["argon2_verify_s"]
    argon_limit = cores / limit_s
    pbkdf2_limit = cores / h["pbkdf2_verify_s"]
    o, d = "ours", "dioptra"
    L = []
    w = L.append
    w("# Benchmark results: Dioptra Accounts vs Dioptra 1.2.2\n")
    w(f"Written by `bench/run` on {v['date']}; the whole run took {res['elapsed_s'] / 60:.1f} min, "
      f"{res['dur']} s per measurement. See [README.md](README.md) for the method.\n")
    w("## Machine and versions\n")
    w(f"- {v['nproc']} cores ({v['cpu']}), {v['mem_gib']:.1f} GiB memory; {v['os']}, Linux {v['kernel']}")
    w(f"- Dioptra Accounts: commit {v['commit']}, release binary built {v['binary_mtime']}; {v['rustc']}; SQLite bundled by sqlx")
    w(f"- Dioptra: dioptra-platform {v['dioptra']} from PyPI, gunicorn {v['gunicorn']} (`-w {cores}`, sync workers), "
      f"Flask {v['flask']}, passlib {v['passlib']}; Python {v['python']}")
    w(f"- Load generator: {v['wrk']} (Debian), on the same machine; hash timing with argon2-cffi {v['argon2_cffi']} and passlib {v['passlib']}")
    w("- Both servers on SQLite files in one temporary folder, on loopback, started by the script.\n")

    foreign = res["foreign"]
    worst = max(foreign.values()) if foreign else 0
    others = {}
    for phase in res["others_seen"].values():
        for k, n in phase.items():
            others[k] = max(others.get(k, 0), n)
    if worst > 0.05 or others:
        w(f"**The machine was not idle.** Other processes used up to {worst:.0%} of all cores during a "
          f"measurement (per-measurement shares below); seen during the run: "
          + (", ".join(f"{k} ×{n}" for k, n in sorted(others.items())) or "none by name")
          + f". Load average {' '.join(res['loadavg_start'])} at the start, {' '.join(res['loadavg_end'])} at the end. "
          "Numbers from a busy machine are lower bounds for both servers.\n")
    else:
        w(f"The machine was otherwise idle (other processes ≤ {worst:.0%} of the cores in every measurement).\n")

    # Targets.
    login_o = res["login"][o]["rps"]
    st_o, st_d = res["current_storm"][o], res["current_storm"][d]
    big = res["search"].get(str(res["big"]), {})
    sb = big.get(o)
    gb = res.get("group", {}).get(str(res["big"]), {}).get(o)
    peak_o = mib(res["peak_rss_kib"][o])
    assets = res.get("assets", {})
    wasm = assets.get("wasm")
    served_compressed = bool(assets) and all(
        a["br_answered"] == "br" and a["gzip_answered"] == "gzip" and "immutable" in (a["cache_control"] or "")
        for a in assets.values())
    fl = res.get("flood_logins", {}).get(o)
    ci_o = res["current_idle"][o]
    flood_share = fl["rps"] / login_o if fl else None
    storm_p99_ratio = st_o["p99_ms"] / ci_o["p99_ms"]
    storm_logins_o = res["storm_logins"][o]["rps"]
    # Runs before several rounds were measured have one ratio.
    storm_ratios = res.get("storm_ratios", {}).get(o, [storm_p99_ratio])
    rounds_said = (f", the median of {len(storm_ratios)} rounds: "
                   + ", ".join(f"{r:.2f}×" for r in storm_ratios) if len(storm_ratios) > 1 else "")
    targets = [
        ("Logins/s ≥ 0.9 × argon2 limit", f"{login_o:,.1f}/s = {login_o / argon_limit:.2f} × {argon_limit:,.1f}/s",
         login_o >= 0.9 * argon_limit),
        ("GET /users/current during a login storm ≥ 50 × Dioptra's requests/s",
         f"{st_o['rps']:,.0f} vs {st_d['rps']:,.1f} req/s = {ratio(st_o['rps'], st_d['rps'])}",
         st_o["rps"] >= 50 * st_d["rps"]),
        ("GET /users/current p99 < 5 ms during a login storm", f"{st_o['p99_ms']:.2f} ms", st_o["p99_ms"] < 5),
        (f"Fairness: GET p99 during a storm of {C_STORM} login connections ≤ 1.5 × its idle p99",
         f"{st_o['p99_ms']:.2f} ms ÷ {ci_o['p99_ms']:.2f} ms = {storm_p99_ratio:.2f}×{rounds_said} (the storm's "
         f"logins: {storm_logins_o:,.1f}/s = {storm_logins_o / login_o:.0%} of alone)", storm_p99_ratio <= 1.5),
        ("Fairness: logins/s during a flood of authenticated GETs ≥ 40% of logins/s alone",
         f"{fl['rps']:,.1f}/s ÷ {login_o:,.1f}/s = {flood_share:.0%}" if fl else "not measured",
         bool(fl) and flood_share >= 0.4),
        (f"Search p99 < 20 ms at {res['big']:,} users", f"{sb['p99_ms']:.2f} ms" if sb else "not measured",
         bool(sb) and sb["p99_ms"] < 20),
        (f"`public` at {res['big']:,} members: GET {GROUP_PATH} and the {GROUP_PAGE} page p99 < 50 ms",
         f"{gb['p99_ms']:.2f} ms and {gb['page']['p99_ms']:.2f} ms" if gb and gb.get("page") else "not measured",
         bool(gb) and bool(gb.get("page")) and max(gb["p99_ms"], gb["page"]["p99_ms"]) < 50),
        ("Release WASM ≤ 150 KiB brotli (as served)", f"{wasm['br'] / 1024:.1f} KiB" if wasm else "no bundle",
         bool(wasm) and wasm["br"] <= 150 * 1024),
        ("Static files served as brotli and gzip, cached as immutable under hashed names",
         ", ".join(f"{kind}: {a['br_answered']}/{a['gzip_answered']}, {a['cache_control']}" for kind, a in assets.items())
         or "no site", served_compressed),
        (f"Peak RSS ≤ 64 MiB at {res['sessions']:,} sessions", f"{peak_o:.1f} MiB", peak_o <= 64),
    ]
    w("## Targets\n")
    w("| target | measured (ours) | met? |")
    w("| --- | --- | --- |")
    for t, m, ok in targets:
        w(f"| {t} | {m} | {'yes' if ok else '**no**'} |")
    w("")

    def table(title, rows, note=None):
        w(f"## {title}\n")
        if note:
            w(note + "\n")
        w("| | Dioptra Accounts | Dioptra 1.2.2 | ratio (ours ÷ Dioptra) | target | met? |")
        w("| --- | --- | --- | --- | --- | --- |")
        for r in rows:
            w("| " + " | ".join(r) + " |")
        w("")

    def errs(r):
        return f"{r['errors']:,}" if r["errors"] else "0"

    su, lg = res["signup"], res["login"]
    table("Signups and logins per second", [
        ["signups/s", fmt(su[o]["rps"]), fmt(su[d]["rps"]), ratio(su[o]["rps"], su[d]["rps"]), "", ""],
        ["signups/s ÷ that server's hashing limit", fmt(su[o]["rps"] / argon_limit, digits=2),
         fmt(su[d]["rps"] / pbkdf2_limit, digits=2), "", "", ""],
        ["logins/s", fmt(lg[o]["rps"]), fmt(lg[d]["rps"]), ratio(lg[o]["rps"], lg[d]["rps"]),
         f"≥ 0.9 × {argon_limit:,.1f} = {0.9 * argon_limit:,.1f}", "yes" if login_o >= 0.9 * argon_limit else "**no**"],
        ["logins/s ÷ that server's hashing limit", fmt(lg[o]["rps"] / argon_limit, digits=2),
         fmt(lg[d]["rps"] / pbkdf2_limit, digits=2), "", "", ""],
        ["login p50 / p99 (ms)", f"{lg[o]['p50_ms']:.1f} / {lg[o]['p99_ms']:.1f}",
         f"{lg[d]['p50_ms']:.1f} / {lg[d]['p99_ms']:.1f}", "", "", ""],
        ["ours: mean argon2 time inside the server during the run (its `/metrics`) → cores ÷ that",
         f"signup {fmt(su[o].get('server_hash_s', 0) * 1000)} ms → {fmt(cores / su[o]['server_hash_s'] if su[o].get('server_hash_s') else None)}/s; "
         f"login {fmt(lg[o].get('server_hash_s', 0) * 1000)} ms → {fmt(cores / lg[o]['server_hash_s'] if lg[o].get('server_hash_s') else None)}/s",
         "", "", "", ""],
        ["errors (signups; logins)", f"{errs(su[o])}; {errs(lg[o])}", f"{errs(su[d])}; {errs(lg[d])}", "", "", ""],
    ], note=(
        f"wrk, {C_HASH} connections, {res['dur']} s each. The hashing limit is cores ÷ one verification's time, "
        + (f"measured in this run inside our server with its own argon2 (Rust, m=19456 KiB, t=2, p=1): the mean of "
           f"{SEQUENTIAL_LOGINS} logins one at a time, from its `/metrics`, **{limit_s * 1000:.1f} ms → "
           f"{argon_limit:,.1f}/s** on {cores} cores (argon2-cffi, median of {h['n']} on one thread: "
           f"{h['argon2_verify_s'] * 1000:.1f} ms). "
           if h.get("server_verify_s") else
           f"measured in this run on one thread (median of {h['n']}): argon2id m=19456 KiB, t=2, p=1 (ours) "
           f"**{h['argon2_verify_s'] * 1000:.1f} ms → {argon_limit:,.1f}/s** on {cores} cores. ")
        + f"Dioptra's pbkdf2_sha256 with "
        f"30,000 rounds {h['pbkdf2_verify_s'] * 1000:.1f} ms → {pbkdf2_limit:,.1f}/s. Signups hash once too, "
        "so the same limit bounds them. Every login is of one account."))

    ci, cs, sl = res["current_idle"], res["current_storm"], res["storm_logins"]
    fg, ff = res.get("flood_logins"), res.get("flood_gets")
    table("Authenticated GET /api/v1/users/current", [
        ["idle: requests/s", fmt(ci[o]["rps"], digits=0), fmt(ci[d]["rps"]), ratio(ci[o]["rps"], ci[d]["rps"]), "", ""],
        ["idle: p50 / p99 (ms)", f"{ci[o]['p50_ms']:.2f} / {ci[o]['p99_ms']:.2f}",
         f"{ci[d]['p50_ms']:.1f} / {ci[d]['p99_ms']:.1f}", "", "", ""],
        ["login storm: requests/s", fmt(cs[o]["rps"], digits=0), fmt(cs[d]["rps"]), ratio(cs[o]["rps"], cs[d]["rps"]),
         "≥ 50×", "yes" if cs[o]["rps"] >= 50 * cs[d]["rps"] else "**no**"],
        ["login storm: p50 / p99 (ms)", f"{cs[o]['p50_ms']:.2f} / {cs[o]['p99_ms']:.2f}",
         f"{cs[d]['p50_ms']:.1f} / {cs[d]['p99_ms']:.1f}", "", "p99 < 5 ms (ours)",
         "yes" if cs[o]["p99_ms"] < 5 else "**no**"],
        ["login storm: p99 ÷ idle p99", f"{cs[o]['p99_ms'] / ci[o]['p99_ms']:.2f}×",
         f"{cs[d]['p99_ms'] / ci[d]['p99_ms']:.2f}×", "", "≤ 1.5× (ours)",
         "yes" if cs[o]["p99_ms"] <= 1.5 * ci[o]["p99_ms"] else "**no**"],
        ["login storm: the storm's logins/s (share of logins/s alone)",
         f"{fmt(sl[o]['rps'])} ({sl[o]['rps'] / lg[o]['rps']:.0%})",
         f"{fmt(sl[d]['rps'])} ({sl[d]['rps'] / lg[d]['rps']:.0%})", ratio(sl[o]["rps"], sl[d]["rps"]), "", ""],
        ["errors (idle; storm GETs; storm logins)", f"{errs(ci[o])}; {errs(cs[o])}; {errs(sl[o])}",
         f"{errs(ci[d])}; {errs(cs[d])}; {errs(sl[d])}", "", "", ""],
        *([["GET flood: logins/s (share of logins/s alone)",
            f"{fmt(fg[o]['rps'])} ({fg[o]['rps'] / lg[o]['rps']:.0%})",
            f"{fmt(fg[d]['rps'])} ({fg[d]['rps'] / lg[d]['rps']:.0%})", ratio(fg[o]["rps"], fg[d]["rps"]),
            "≥ 40% (ours)", "yes" if fg[o]["rps"] >= 0.4 * lg[o]["rps"] else "**no**"],
           ["GET flood: the flood's requests/s, p99 (ms)", f"{fmt(ff[o]['rps'], digits=0)}, {ff[o]['p99_ms']:.2f}",
            f"{fmt(ff[d]['rps'])}, {ff[d]['p99_ms']:.1f}", "", "", ""],
           ["errors (flood logins; flood GETs)", f"{errs(fg[o])}; {errs(ff[o])}", f"{errs(fg[d])}; {errs(ff[d])}",
            "", "", ""]] if fg else []),
    ], note=(
        f"wrk, {C_GET} connections with one session's cookie, {res['dur']} s. Login storm: a second wrk logs in "
        f"over {res.get('c_storm', C_HASH)} connections for the whole measurement (started 1 s before), which keeps every core "
        "hashing; the load generators share the same cores. "
        + (f"Ours is measured in {len(storm_ratios)} pairs of idle and storm, {STORM_SETTLE} s apart, and the pair "
           "whose ratio is the median is shown. " if len(storm_ratios) > 1 else "")
        + "GET flood: the reverse, logins over "
        f"{C_HASH} connections measured while {C_GET} connections of GETs run (started 1 s before). Shares "
        "are of the logins/s measured alone above, in the same run."))

    rows = []
    for size in [SMALL, res["big"]]:
        s = res["search"].get(str(size), {})
        so, sd = s.get(o), s.get(d)
        met = ""
        tgt = ""
        if size == res["big"]:
            tgt = "p99 < 20 ms (ours)"
            met = "yes" if so and so["p99_ms"] < 20 else "**no**"
        rows.append([f"{size:,} users: p50 / p99 (ms)",
                     f"{so['p50_ms']:.2f} / {so['p99_ms']:.2f}" if so else "not measured",
                     f"{sd['p50_ms']:.1f} / {sd['p99_ms']:.1f}" if sd else "not measured",
                     ratio(sd["p99_ms"], so["p99_ms"]) + " faster (p99)" if so and sd else "–", tgt, met])
        rows.append([f"{size:,} users: requests/s, matches, errors",
                     f"{so['rps']:,.1f}, {so['matches']:,}, {so['errors']}" if so else "–",
                     f"{sd['rps']:,.2f}, {sd['matches']:,}, {sd['errors']}" if sd and sd["matches"] is not None else (f"{sd['rps']:,.2f}, status {sd['status']}, {sd['errors']}" if sd else "–"),
                     "", "", ""])
    seed = ", ".join(f"{k}: {t:.0f} s" for k, t in res.get("seed_s", {}).items())
    table("GET /api/v1/users?search=username:user12*&pageLength=10", rows, note=(
        f"wrk, one connection (so latency is the server's, not a queue's), {res['dur']} s, authenticated. "
        f"Users are `user0`, `user1`, … inserted straight into each server's SQLite file (every row with a "
        f"copy of a real account's password hash, and a member of `public`); the query matches 111 users at "
        f"10,000 and 11,111 at 1,000,000 and asks for the first page of 10 with the total count. Seeding took {seed}."))

    if res.get("word_search"):
        rows = []
        for size in [SMALL, res["big"]]:
            s = res["word_search"].get(str(size), {})
            so, sd = s.get(o), s.get(d)
            rows.append([f"{size:,} users: p50 / p99 (ms), requests/s",
                         f"{so['p50_ms']:.2f} / {so['p99_ms']:.2f}, {so['rps']:,.1f}" if so else "not measured",
                         f"{sd['p50_ms']:.1f} / {sd['p99_ms']:.1f}, {sd['rps']:,.2f}" if sd else "not measured",
                         ratio(sd["p99_ms"], so["p99_ms"]) + " faster (p99)" if so and sd else "–", "", ""])
        table(f"GET /api/v1/users?{WORD_SEARCH}", rows, note=(
            "The users page's kind of query, after the prefix search on the same databases: a word anywhere in "
            "the username or email, which no index can serve, so every row is read (the first page of 10 "
            "with the total count), one connection."))

    rows = []
    for size in [SMALL, res["big"]]:
        g = res.get("group", {}).get(str(size), {})
        go, gd = g.get(o), g.get(d)

        def latency(r):
            if not r:
                return "not measured"
            if "p50_ms" in r:
                return f"{r['p50_ms']:.2f} / {r['p99_ms']:.2f}"
            return f"one request: {r['first_s']:.1f} s, status {r['status'] or r.get('error')}"

        def sized(r):
            if not r or r.get("status") != 200:
                return "–"
            return f"{r['members']:,} members, {r['bytes']:,} bytes"

        rows.append([f"{size:,} users: p50 / p99 (ms)", latency(go), latency(gd),
                     ratio(gd["p99_ms"], go["p99_ms"]) + " faster (p99)" if go and gd and "p99_ms" in gd and "p99_ms" in go else "–",
                     "", ""])
        rows.append([f"{size:,} users: the answer", sized(go), sized(gd), "", "", ""])
        if go and go.get("page"):
            rows.append([f"{size:,} users: the `{GROUP_PAGE}` page, p50 / p99 (ms)", latency(go["page"]),
                         "(no such page)", "", "", ""])
    if res.get("group"):
        table(f"GET {GROUP_PATH} (`public`, every account a member)", rows, note=(
            "After each search measurement, on the same databases: one request timed (its size and the members "
            f"it lists), then wrk with one connection for {res['dur']} s. Ours lists at most the first 1,000 "
            "members (and `membersTruncated`); Dioptra lists every member, so at a million accounts it gets one "
            "attempt and no wrk run."))

    sg = res["sessions_get"]
    pk, rs, pl = res["peak_rss_kib"], res["rss_kib"], res.get("peak_rss_logins_kib")
    table(f"Memory at {res['sessions']:,} concurrent sessions", [
        ["peak RSS (VmHWM)", f"{mib(pk[o]):.1f} MiB", f"{mib(pk[d]):.1f} MiB", ratio(pk[d], pk[o]) + " less",
         "≤ 64 MiB (ours)", "yes" if mib(pk[o]) <= 64 else "**no**"],
        *([["peak RSS by the end of the logins (every core hashing)", f"{mib(pl[o]):.1f} MiB",
            f"{mib(pl[d]):.1f} MiB", "", "", ""]] if pl else []),
        ["RSS right after", f"{mib(rs[o]):.1f} MiB", f"{mib(rs[d]):.1f} MiB", "", "", ""],
        ["RSS at start (idle, empty database)", f"{mib(res['rss_start']['Dioptra Accounts']):.1f} MiB",
         f"{mib(res['rss_start']['Dioptra 1.2.2']):.1f} MiB", "", "", ""],
        ["processes", str(res["procs"][o]), str(res["procs"][d]), "", "", ""],
        [f"{res['sessions']:,} connections, one session each: requests/s, p99, errors",
         f"{sg[o]['rps']:,.0f}, {sg[o]['p99_ms']:.1f} ms, {errs(sg[o])}",
         f"{sg[d]['rps']:,.1f}, {sg[d]['p99_ms']:.0f} ms, {errs(sg[d])}", "", "", ""],
        ["peak RSS at the end of the run (after 1M-user searches)", f"{mib(res['peak_rss_end_kib'][o]):.1f} MiB",
         f"{mib(res['peak_rss_end_kib'][d]):.1f} MiB", "", "", ""],
    ], note=(
        f"Measured first, on fresh servers: {res['sessions']:,} logins (4 at a time, each a new session), "
        f"{res.get('quiet_after_logins', 0)} s without requests, then wrk "
        f"holds {res['sessions']:,} connections for {max(3, res['dur'] // 2)} s, each request with the next of the "
        f"{res['sessions']:,} cookies, then VmHWM is read from /proc/PID/status. Dioptra's figure is the sum over "
        f"gunicorn's master and its {cores} workers (each a full copy of the app; the sum counts pages they share "
        "after fork more than once, so it overstates a little). Dioptra's sessions are signed cookies, so they "
        "cost it no memory; ours are rows in SQLite."))

    if assets:
        w("## The site's files as served\n")
        w("What a browser downloads on its first visit, fetched from our running server with each "
          "`Accept-Encoding` (bytes on the wire; cargo-leptos `--precompress` made the brotli and gzip "
          "copies at build time, so the server compresses nothing per request). The names carry a "
          "hash of the content. Dioptra's own web client is a separate Vue application, not measured here.\n")
        w("| file | plain | gzip | brotli | KiB brotli | target | met? | Cache-Control |")
        w("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for kind in ["wasm", "js", "css"]:
            a = assets.get(kind)
            if not a:
                continue
            target, met = ("≤ 150 KiB", "yes" if a["br"] <= 150 * 1024 else "**no**") if kind == "wasm" else ("", "")
            w(f"| `{a['path']}` | {a['identity']:,} | {a['gzip']:,} | {a['br']:,} | {a['br'] / 1024:.1f} | "
              f"{target} | {met} | `{a['cache_control']}` |")
        w("")
    else:
        w("## The site's files as served\n\nNot measured: our login page names no `/pkg/` files "
          "(build the site with `cargo leptos build --release --precompress`).\n")

    w("## What bounds the misses\n")
    lh = lg[o].get("server_hash_s")
    if login_o < 0.9 * argon_limit:
        if lh:
            w(f"- **Logins/s**: inside the server one argon2 verification took {lh * 1000:.1f} ms on average during the "
              f"login run (its `/metrics`), against {h['argon2_verify_s'] * 1000:.1f} ms on one thread before the load; "
              f"{cores} cores ÷ {lh * 1000:.1f} ms = {cores / lh:.1f}/s, and the server did {login_o:.1f}/s "
              f"({login_o * lh / cores:.0%} of that). The hashing pool was full and each hash was slower than on an "
              f"idle core, consistent with the cores being shared (the load generator, and other processes: {foreign.get('login ours', 0):.0%} of the cores "
              "during this measurement).")
        else:
            w(f"- **Logins/s**: {login_o:.1f}/s against a limit of {argon_limit:.1f}/s.")
    if st_o["p99_ms"] >= 5:
        w(f"- **GET /users/current p99 during the storm**: {st_o['p99_ms']:.2f} ms (p50 {st_o['p50_ms']:.2f} ms; idle p99 "
          f"{ci[o]['p99_ms']:.2f} ms). Likely (not isolated here): with every core hashing, the request threads wait "
          f"for a core behind the {cores} argon2 threads, both wrk processes and other work "
          f"({foreign.get('current storm ours', 0):.0%} of the cores); the hashing threads run at the same priority "
          "as the request threads.")
    if sb and sb["p99_ms"] >= 20:
        small = res["search"].get(str(SMALL), {}).get(o)
        plan = res.get("search_plan")
        line = (f"- **Search at {res['big']:,} users**: p50 {sb['p50_ms']:.1f} ms, p99 {sb['p99_ms']:.1f} ms")
        if small:
            line += (f", against p50 {small['p50_ms']:.2f} ms at {SMALL:,}: {sb['p50_ms'] / small['p50_ms']:.0f}× "
                     f"for {res['big'] // SMALL}× the rows, a scan of the table")
        line += "."
        if plan:
            a, b = plan["as built"], plan["with a range"]
            line += (f" SQLite's plan for the search's count (`{a['where']}`) is `{a['plan']}` ({a['ms']:.0f} ms "
                     "in Python's sqlite3 on the same file): LIKE ignores case, so SQLite does not use the "
                     "BINARY index on `username_key`"
                     + (f" ({plan['note']})" if plan.get("note") else "") + ". The same clause with the prefix also given as a range "
                     f"(`{b['where']}`) is `{b['plan']}`, {b['ms']:.1f} ms.")
        w(line)
    if peak_o > 64:
        line = f"- **Peak RSS**: {peak_o:.1f} MiB at {res['sessions']:,} sessions, from {mib(res['rss_start']['Dioptra Accounts']):.1f} MiB at start"
        if pl:
            line += (f"; {mib(pl[o]):.1f} MiB by the end of the logins, when each hashing thread holds its 19 MiB "
                     "of argon2 memory")
        w(line + ".")
    w("")

    w("## CPU used by other processes during each measurement\n")
    w("Share of all cores used by anything but the two servers and the benchmark's own processes "
      "(from /proc/stat minus the servers' and wrk's CPU time).\n")
    w("| measurement | other processes |")
    w("| --- | --- |")
    for k, x in foreign.items():
        w(f"| {k} | {x:.0%} |")
    w("")
    w("<details><summary>Raw numbers (JSON)</summary>\n\n```json\n" + json.dumps(res, indent=1) + "\n```\n</details>\n")
    return "\n".join(L)
