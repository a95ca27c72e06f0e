"""Single-thread password verification times, median of N (default 50), as JSON.

argon2id with the parameters Dioptra Accounts uses (m=19456 KiB, t=2, p=1, 32-byte hash,
16-byte salt), via argon2-cffi; and pbkdf2_sha256 with 30,000 rounds, Dioptra 1.2.2's
CryptContext (dioptra/restapi/bootstrap.py), via passlib.
"""
import json
import statistics
import sys
import time

from argon2 import PasswordHasher
from passlib.context import CryptContext

n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
pw = "bench password 1"


def median_time(verify):
    verify()  # warm up
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        verify()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


ph = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16)
h = ph.hash(pw)
argon2_s = median_time(lambda: ph.verify(h, pw))

ctx = CryptContext(schemes=["pbkdf2_sha256"], pbkdf2_sha256__default_rounds=30000)
h2 = ctx.hash(pw)
pbkdf2_s = median_time(lambda: ctx.verify(pw, h2))

print(json.dumps({"n": n, "argon2_verify_s": argon2_s, "pbkdf2_verify_s": pbkdf2_s}))
