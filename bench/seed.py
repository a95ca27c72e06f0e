"""Grow a server's SQLite user table to N rows directly (signing up 1,000,000 users through the
API would take hours of argon2). Every row copies the password hash of the real account
`benchuser`, so rows look like real ones; each joins group 1 (`public`).

usage: seed.py ours|dioptra DB_PATH TOTAL_USERS   (adds user<i> rows until TOTAL_USERS rows exist)
"""
import datetime
import sqlite3
import sys
import time
import uuid

kind, path, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
con = sqlite3.connect(path, timeout=60)
con.execute("PRAGMA busy_timeout = 60000")
(have,) = con.execute("SELECT count(*) FROM users").fetchone()
(start,) = con.execute("SELECT count(*) FROM users WHERE username LIKE 'user%'").fetchone()
todo = total - have
if todo <= 0:
    sys.exit(0)
t0 = time.time()
BATCH = 50_000


def batches():
    i = start
    end = start + todo
    while i < end:
        j = min(i + BATCH, end)
        yield range(i, j)
        i = j


if kind == "ours":
    (pw,) = con.execute("SELECT password_hash FROM users WHERE username = 'benchuser'").fetchone()
    now = int(time.time() * 1e6)
    expires = now + 365 * 86400 * 1_000_000
    for r in batches():
        with con:
            con.executemany(
                "INSERT INTO users (username, username_key, email, email_key, password_hash,"
                " created_on, last_modified_on, password_expires_on)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                ((f"user{i}", f"user{i}", f"user{i}@example.org", f"user{i}@example.org", pw,
                  now, now, expires) for i in r),
            )
            con.execute(
                "INSERT INTO group_members (group_id, user_id, can_read, can_write,"
                " can_share_read, can_share_write, joined_on)"
                " SELECT 1, user_id, 1, 1, 0, 0, ? FROM users WHERE user_id > ?",
                (now, con.execute("SELECT coalesce(max(user_id), 0) FROM group_members").fetchone()[0]),
            )
elif kind == "dioptra":
    (pw,) = con.execute("SELECT password FROM users WHERE username = 'benchuser'").fetchone()
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    exp = (now + datetime.timedelta(days=365)).isoformat(sep=" ")
    now = now.isoformat(sep=" ")
    for r in batches():
        with con:
            con.executemany(
                "INSERT INTO users (alternative_id, username, password, email_address,"
                " created_on, last_modified_on, password_expire_on)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                ((uuid.uuid4().hex, f"user{i}", pw, f"user{i}@example.org", now, now, exp)
                 for i in r),
            )
            con.execute(
                "INSERT INTO group_members (user_id, group_id, read, write, share_read, share_write)"
                " SELECT user_id, 1, 1, 1, 0, 0 FROM users WHERE user_id > ?",
                (con.execute("SELECT coalesce(max(user_id), 0) FROM group_members").fetchone()[0],),
            )
else:
    sys.exit(f"unknown kind {kind}")
(n,) = con.execute("SELECT count(*) FROM users").fetchone()
print(f"{kind}: {n} users ({todo} added in {time.time() - t0:.1f} s)", file=sys.stderr)
