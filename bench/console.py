"""The administrators' console at scale: the accounts table and the audit trail with 1,000,000
accounts and 10,000,000 audit events, on SQLite and on PostgreSQL; writes bench/CONSOLE.md.

Each request is timed alone (one at a time, after a warm-up), so p50 and p99 are the server's
answer time, not a queue's. The query plans of the statements behind them are recorded with
EXPLAIN (the statements mirror app/src/ssr/accounts/admin/{trail,directory}.rs).

usage: bench/console.py [sqlite|postgres|both]
env:   CONSOLE_ACCOUNTS (default 1000000), CONSOLE_EVENTS (default 10000000),
       CONSOLE_REQUESTS (timed requests per address, default 200),
       BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432), CARGO_TARGET_DIR
Needs the release binary (scripts/run.sh or bench/run builds it) and, for PostgreSQL, psql.
"""
import http.cookiejar
import json
import os
import platform
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

BENCH = os.path.dirname(os.path.abspath(__file__))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/dioptra-accounts/target"))
BIN = os.environ.get("BENCH_BINARY", os.path.join(TARGET, "release", "dioptra-accounts"))
ACCOUNTS = int(os.environ.get("CONSOLE_ACCOUNTS", "1000000"))
EVENTS = int(os.environ.get("CONSOLE_EVENTS", "10000000"))
REQUESTS = int(os.environ.get("CONSOLE_REQUESTS", "200"))
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
PASSWORD = "console bench password"
DAY_MICROS = 86_400_000_000
NOW = int(time.time() * 1e6)
SPAN_DAYS = 400  # the audit trail's default retention
KINDS = ["login_succeeded", "login_failed", "logout", "login_throttled", "password_changed", "signup"]


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


# The seed: accounts user1..userN (every 100th disabled, every 1000th deleted), each in `public`;
# events spread evenly over the last 400 days, oldest first, naming accounts and 10.x addresses.
SEED_SQLITE = [
    f"""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ACCOUNTS})
    INSERT INTO users (username, username_key, email, email_key, password_hash, created_on, last_modified_on,
                       disabled_on, deleted_on)
    SELECT 'user' || i, 'user' || i, 'user' || i || '@example.org', 'user' || i || '@example.org', 'x',
           {NOW} - i, {NOW} - i, CASE WHEN i % 100 = 0 THEN {NOW} END, CASE WHEN i % 1000 = 1 THEN {NOW} END
    FROM n""",
    f"""INSERT INTO group_members (group_id, user_id, can_read, can_write, can_share_read, can_share_write, joined_on)
    SELECT (SELECT group_id FROM groups WHERE is_default), user_id, 1, 1, 0, 0, {NOW} + user_id
    FROM users WHERE username LIKE 'user%'""",
    f"""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {EVENTS})
    INSERT INTO audit_events (occurred_on, event, username, client_address)
    SELECT {NOW} - {SPAN_DAYS * DAY_MICROS} + i * {SPAN_DAYS * DAY_MICROS // EVENTS},
           CASE i % 6 {" ".join(f"WHEN {k} THEN '{kind}'" for k, kind in enumerate(KINDS))} END,
           'user' || (i % {ACCOUNTS} + 1), '10.' || (i % 250) || '.' || (i / 250 % 250) || '.7'
    FROM n""",
    "ANALYZE",
]
SEED_POSTGRES = [
    f"""INSERT INTO users (username, username_key, email, email_key, password_hash, created_on, last_modified_on,
                       disabled_on, deleted_on)
    SELECT 'user' || i, 'user' || i, 'user' || i || '@example.org', 'user' || i || '@example.org', 'x',
           {NOW} - i, {NOW} - i, CASE WHEN i % 100 = 0 THEN {NOW} END, CASE WHEN i % 1000 = 1 THEN {NOW} END
    FROM generate_series(1, {ACCOUNTS}) AS i""",
    f"""INSERT INTO group_members (group_id, user_id, can_read, can_write, can_share_read, can_share_write, joined_on)
    SELECT (SELECT group_id FROM groups WHERE is_default), user_id, TRUE, TRUE, FALSE, FALSE, {NOW} + user_id
    FROM users WHERE username LIKE 'user%'""",
    f"""INSERT INTO audit_events (occurred_on, event, username, client_address)
    SELECT {NOW} - {SPAN_DAYS * DAY_MICROS}::bigint + i * {SPAN_DAYS * DAY_MICROS // EVENTS}::bigint,
           (ARRAY[{", ".join(f"'{kind}'" for kind in KINDS)}])[i % 6 + 1],
           'user' || (i % {ACCOUNTS} + 1), '10.' || (i % 250) || '.' || (i / 250 % 250) || '.7'
    FROM generate_series(1, {EVENTS}) AS i""",
    "VACUUM ANALYZE",
]

MIDDLE_DAY = time.strftime("%Y-%m-%d", time.gmtime((NOW - 200 * DAY_MICROS) / 1e6))
# What is timed: (label, address).
REQUESTS_TIMED = [
    ("accounts, first page (API)", "/api/v1/admin/users"),
    ("accounts, a name search (API)", "/api/v1/admin/users?search=username:user12345*"),
    ("accounts, the deepest page (API, offset 9,980)", "/api/v1/admin/users?index=9980&pageLength=20"),
    ("accounts table page", "/admin/accounts"),
    ("audit trail, newest 50 (API)", "/api/v1/admin/audit"),
    ("audit trail, one kind (API)", "/api/v1/admin/audit?event=login_failed"),
    ("audit trail, one account (API)", "/api/v1/admin/audit?username=user4242"),
    ("audit trail, one address (API)", "/api/v1/admin/audit?clientAddress=10.7.3.7"),
    ("audit trail, one day (API)", f"/api/v1/admin/audit?from={MIDDLE_DAY}&until={MIDDLE_DAY}"),
    ("audit trail page", "/admin/audit"),
    ("audit trail page, one kind", "/admin/audit?event=login_failed"),
    ("overview (counts, the week's chart)", "/api/v1/admin/overview"),
]

# The statements behind them, for EXPLAIN (`?` for SQLite, `$n` for PostgreSQL).
PLANS = [
    ("audit trail, newest first",
     "SELECT event_id FROM audit_events WHERE 1 = 1 ORDER BY occurred_on DESC, event_id DESC LIMIT 50"),
    ("audit trail, one kind",
     "SELECT event_id FROM audit_events WHERE 1 = 1 AND event = 'login_failed' "
     "ORDER BY occurred_on DESC, event_id DESC LIMIT 50"),
    ("audit trail, one account",
     "SELECT event_id FROM audit_events WHERE 1 = 1 AND username = 'user4242' "
     "ORDER BY occurred_on DESC, event_id DESC LIMIT 50"),
    ("audit trail, a later page (cursor)",
     f"SELECT event_id FROM audit_events WHERE 1 = 1 AND occurred_on <= {NOW - DAY_MICROS} "
     f"AND (occurred_on < {NOW - DAY_MICROS} OR event_id < 5000000) ORDER BY occurred_on DESC, event_id DESC LIMIT 50"),
    ("accounts, first page",
     "SELECT users.user_id FROM users LEFT JOIN group_managers AS managers ON managers.user_id = users.user_id "
     "AND managers.group_id = (SELECT group_id FROM groups WHERE is_default) WHERE users.user_id > 0 "
     "ORDER BY users.user_id LIMIT 20"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, stdin=None, env=None):
    return subprocess.run(args, input=stdin, text=True, check=True, capture_output=True, env=env)


def prepare(backend, database_url, workdir):
    env = dict(os.environ, DATABASE_URL=database_url, RUST_LOG="warn")
    run(BIN, "migrate", env=env)
    run(BIN, "users", "create", "--username", "admin", "--email", "admin@example.org", stdin=PASSWORD + "\n", env=env)
    started = time.time()
    if backend == "sqlite":
        con = sqlite3.connect(database_url.removeprefix("sqlite://"))
        for sql in SEED_SQLITE:
            con.execute(sql)
            con.commit()
        con.close()
    else:
        for sql in SEED_POSTGRES:
            run("psql", "-q", "-v", "ON_ERROR_STOP=1", database_url, "-c", sql)
    log(f"{backend}: {ACCOUNTS:,} accounts and {EVENTS:,} events seeded in {time.time() - started:.0f} s")


def explain(backend, database_url):
    plans = []
    for label, sql in PLANS:
        if backend == "sqlite":
            con = sqlite3.connect(database_url.removeprefix("sqlite://"))
            rows = con.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
            con.close()
            plan = "\n".join(row[-1] for row in rows)
        else:
            plan = run("psql", "-qAt", database_url, "-c", "EXPLAIN (ANALYZE, COSTS OFF, TIMING ON) " + sql).stdout
        plans.append((label, plan.strip()))
    return plans


def serve(database_url):
    port = free_port()
    env = dict(os.environ, RUST_LOG="warn")
    server = subprocess.Popen(
        [BIN, "--addr", f"127.0.0.1:{port}", "--database-url", database_url],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    address = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{address}/health", timeout=1)
            return server, address
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def signed_in(address):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    body = json.dumps({"username": "admin", "password": PASSWORD}).encode()
    login = urllib.request.Request(f"{address}/api/v1/auth/login", body, {"Content-Type": "application/json"})
    opener.open(login, timeout=30).read()
    return opener


def percentile(sorted_ms, fraction):
    return sorted_ms[min(len(sorted_ms) - 1, int(round(fraction * (len(sorted_ms) - 1))))]


def time_requests(opener, address):
    results = []
    for label, path in REQUESTS_TIMED:
        for _ in range(10):
            opener.open(address + path, timeout=60).read()
        times = []
        size = 0
        for _ in range(REQUESTS):
            started = time.perf_counter()
            response = opener.open(address + path, timeout=60)
            size = len(response.read())
            times.append((time.perf_counter() - started) * 1000)
            assert response.status == 200, (path, response.status)
        times.sort()
        results.append((label, path, percentile(times, 0.5), percentile(times, 0.99), size))
        log(f"  {label}: p50 {results[-1][2]:.2f} ms, p99 {results[-1][3]:.2f} ms")
    return results


def bench(backend):
    with tempfile.TemporaryDirectory(prefix="console-bench-") as workdir:
        if backend == "sqlite":
            database_url = f"sqlite://{workdir}/accounts.db"
        else:
            name = f"console_bench_{os.getpid()}"
            run("psql", "-q", f"{POSTGRES}/postgres", "-c", f"DROP DATABASE IF EXISTS {name}")
            run("psql", "-q", f"{POSTGRES}/postgres", "-c", f"CREATE DATABASE {name}")
            database_url = f"{POSTGRES}/{name}"
        try:
            prepare(backend, database_url, workdir)
            plans = explain(backend, database_url)
            server, address = serve(database_url)
            try:
                timed = time_requests(signed_in(address), address)
            finally:
                server.terminate()
                server.wait()
        finally:
            if backend == "postgres":
                run("psql", "-q", f"{POSTGRES}/postgres", "-c", f"DROP DATABASE IF EXISTS {name}")
    return timed, plans


def render(results):
    lines = [
        "# The administrators' console at scale",
        "",
        f"Written by `bench/console.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
        f"{ACCOUNTS:,} accounts and {EVENTS:,} audit events (over {SPAN_DAYS} days), each address requested "
        f"{REQUESTS} times one at a time after 10 warm-ups, as an administrator, against the release binary. "
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
        "Target: p99 under 50 ms.",
        "",
    ]
    for backend, (timed, plans) in results.items():
        lines += [f"## {backend}", "", "| request | p50 ms | p99 ms | bytes | under 50 ms |", "| --- | ---: | ---: | ---: | --- |"]
        for label, path, p50, p99, size in timed:
            lines.append(f"| {label} (`{path}`) | {p50:.2f} | {p99:.2f} | {size:,} | {'yes' if p99 < 50 else '**no**'} |")
        lines += ["", "Query plans:", ""]
        for label, plan in plans:
            lines += [f"- {label}:", "", "  ```", *("  " + line for line in plan.splitlines()), "  ```", ""]
    return "\n".join(lines) + "\n"


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "both"
    backends = ["sqlite", "postgres"] if which == "both" else [which]
    results = {backend: bench(backend) for backend in backends}
    with open(os.path.join(BENCH, "CONSOLE.md"), "w") as out:
        out.write(render(results))
    log("wrote bench/CONSOLE.md")


if __name__ == "__main__":
    main()
