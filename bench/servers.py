"""The two servers and the tools that drive them: starting Dioptra Accounts and Dioptra 1.2.2 on
loopback ports, requests to them, their memory and CPU time from /proc, wrk runs against them, and
the CPU time other work on the machine takes meanwhile.
"""
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
VENV = os.path.join(BENCH, ".venv")
PY = os.path.join(VENV, "bin", "python")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/dioptra-accounts/target"))
BIN = os.environ.get("BENCH_BINARY", os.path.join(TARGET, "release", "dioptra-accounts"))
NCPU = os.cpu_count()
PASSWORD = "bench password 1"


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)



def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]



def http(method, url, body=None, cookie=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    # The same User-Agent as the wrk scripts: Flask-Login's session protection (Dioptra) drops a
    # session used by a client that looks different from the one that logged in.
    req.add_header("User-Agent", "dioptra-bench")
    if cookie:
        req.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()



def cookie_header(headers):
    return "; ".join(c.split(";", 1)[0].strip() for c in headers.get_all("Set-Cookie") or [])



def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []



def status_kib(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0



def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0



class Server:
    name = ""
    users_path = ""

    def pids(self):
        return [self.proc.pid] + children(self.proc.pid)

    def peak_rss_kib(self):
        return sum(status_kib(p, "VmHWM") for p in self.pids())

    def rss_kib(self):
        return sum(status_kib(p, "VmRSS") for p in self.pids())

    def cpu(self):
        return sum(cpu_seconds(p) for p in self.pids())

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def signup(self, username):
        st, _, body = http("POST", self.url(self.users_path), {
            "username": username, "email": f"{username}@example.org",
            "password": PASSWORD, "confirmPassword": PASSWORD})
        if st != 200:
            raise RuntimeError(f"{self.name} signup {st}: {body[:300]!r}")

    def login(self):
        st, headers, body = http("POST", self.url("/api/v1/auth/login"),
                                 {"username": "benchuser", "password": PASSWORD})
        if st != 200:
            raise RuntimeError(f"{self.name} login {st}: {body[:300]!r}")
        return cookie_header(headers)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()



class Ours(Server):
    name = "Dioptra Accounts"
    users_path = "/api/v1/users"

    def __init__(self, tmp, tag="ours", env=None):
        self.port = free_port()
        self.db = os.path.join(tmp, f"{tag}.db")
        self.logf = open(os.path.join(tmp, f"{tag}.log"), "w")
        self.proc = subprocess.Popen(
            [BIN, "--addr", f"127.0.0.1:{self.port}", "--database-url", f"sqlite://{self.db}",
             "--site-root", os.path.join(REPO, "target", "site"),
             "--max-signups-per-address", "0", "--max-failures-per-account", "0",
             "--max-failures-per-address", "0"],
            stdout=self.logf, stderr=subprocess.STDOUT, cwd=tmp, env=dict(os.environ, **(env or {})))
        for _ in range(300):
            try:
                if http("GET", self.url("/health"), timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"our server exited, see {self.logf.name}")
            time.sleep(0.1)
        raise RuntimeError("our server did not start")



class Dioptra(Server):
    name = "Dioptra 1.2.2"
    users_path = "/api/v1/users/"  # Dioptra answers /api/v1/users with a 308 to this

    def __init__(self, tmp):
        self.port = free_port()
        self.db = os.path.join(tmp, "dioptra.db")
        site = subprocess.run([PY, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
        alembic = os.path.join(site, "dioptra", "restapi", "db", "alembic")
        env = dict(os.environ,
                   DIOPTRA_RESTAPI_ENV="prod",
                   DIOPTRA_RESTAPI_DATABASE_URI=f"sqlite:///{self.db}",
                   FLASK_APP="dioptra.restapi:create_app()",
                   # Deployments point this at their MLflow server; the users/auth routes never
                   # call it. Unset, every worker would create ./mlflow.db and the two race.
                   MLFLOW_TRACKING_URI="http://127.0.0.1:9")
        self.logf = open(os.path.join(tmp, "dioptra.log"), "w")
        log("migrating Dioptra's database (flask db upgrade)")
        subprocess.run([os.path.join(VENV, "bin", "flask"), "db", "upgrade", "-d", alembic],
                       env=env, cwd=tmp, stdout=self.logf, stderr=subprocess.STDOUT, check=True)
        self.logf.flush()
        mark = self.logf.tell()
        self.proc = subprocess.Popen(
            [os.path.join(VENV, "bin", "gunicorn"), "-w", str(NCPU), "-b", f"127.0.0.1:{self.port}",
             "--timeout", "120", "dioptra.restapi:create_app()"],
            env=env, cwd=tmp, stdout=self.logf, stderr=subprocess.STDOUT)
        # Every worker builds the app (slow: it imports everything); wait for all of them.
        for _ in range(1800):
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited, see {self.logf.name}")
            with open(self.logf.name) as f:
                f.seek(mark)
                if f.read().count("patched successfully") >= NCPU:
                    break
            time.sleep(0.1)
        for _ in range(300):
            try:
                if http("GET", self.url("/api/v1/users/current"), timeout=5)[0] == 401:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("Dioptra did not start")



def served_assets(server):
    """The login page's /pkg/ files (bundle, loader, stylesheet) as our server sends them: bytes on
    the wire for each Accept-Encoding, the Content-Encoding and Cache-Control it answered."""
    st, _, body = http("GET", server.url("/"))
    if st != 200:
        raise RuntimeError(f"our login page answered {st}")
    out = {}
    for path in sorted(set(re.findall(r"""(/pkg/[^"'\s]+\.(?:wasm|js|css))""", body.decode()))):
        row = {"path": path}
        for encoding in ["identity", "gzip", "br"]:
            req = urllib.request.Request(server.url(path), headers={"Accept-Encoding": encoding})
            with urllib.request.urlopen(req, timeout=30) as r:  # urllib never decodes: wire bytes
                row[encoding] = len(r.read())
                row[f"{encoding}_answered"] = r.headers.get("Content-Encoding") or "identity"
                row["cache_control"] = r.headers.get("Cache-Control")
        out[path.rsplit(".", 1)[1]] = row
    return out



def hash_metric(server):
    """(sum of seconds, count) per operation of our server's argon2 histogram."""
    st, _, body = http("GET", server.url("/metrics"))
    out = {}
    for m in re.finditer(r'^dioptra_password_hash_duration_seconds_(sum|count)\{operation="(\w+)"\} (\S+)$',
                         body.decode(), re.M):
        out.setdefault(m.group(2), {})[m.group(1)] = float(m.group(3))
    return out



def hash_mean(before, after, op):
    b, a = before.get(op, {}), after.get(op, {})
    n = a.get("count", 0) - b.get("count", 0)
    return (a.get("sum", 0) - b.get("sum", 0)) / n if n else None



def wrk(server, script, conns, threads, seconds, extra_env=None, background=False):
    env = dict(os.environ, BENCH_DIR=BENCH, **(extra_env or {}))
    cmd = ["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{seconds}s", "--timeout", "10s",
           "-s", os.path.join(BENCH, "lua", script), server.url("")]
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if background:
        return p
    return wrk_result(p)



def wrk_result(p):
    out, _ = p.communicate()
    m = re.search(r"^BENCHJSON (.*)$", out, re.M)
    if not m:
        raise RuntimeError(f"wrk failed: {out}")
    r = json.loads(m.group(1))
    r["errors"] = r["non2xx"] + r["connect_err"] + r["read_err"] + r["write_err"] + r["timeouts"]
    # Throughput counts successful answers only; wrk's latencies include any failed ones.
    r["rps_all"] = r["rps"]
    r["rps"] = max(0, r["requests"] - r["non2xx"]) / r["seconds"]
    return r



class CpuWatch:
    """CPU time of everything on the machine except our servers and our children (wrk, seeding),
    as a share of all cores, between start() and stop()."""

    def __init__(self, servers):
        self.servers = servers

    @staticmethod
    def _machine_busy():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + v[4]
        return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    def _own(self):
        ru_c = resource.getrusage(resource.RUSAGE_CHILDREN)
        ru_s = resource.getrusage(resource.RUSAGE_SELF)
        return (sum(s.cpu() for s in self.servers) + ru_c.ru_utime + ru_c.ru_stime
                + ru_s.ru_utime + ru_s.ru_stime)

    def start(self):
        self.t0, self.b0, self.o0 = time.time(), self._machine_busy(), self._own()

    def stop(self):
        wall = time.time() - self.t0
        foreign = (self._machine_busy() - self.b0) - (self._own() - self.o0)
        return max(0.0, foreign / (wall * NCPU))



def other_processes():
    """Processes of other work that share the cores (builds, test suites, browsers)."""
    found = {}
    me = os.getpid()
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == me:
            continue
        try:
            with open(f"/proc/{d}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if re.match(r"^(cargo|rustc|cc1|ld|node|chromium|chrome|playwright|postgres|cargo-leptos|wasm-opt)", comm):
            found[comm] = found.get(comm, 0) + 1
    return found
