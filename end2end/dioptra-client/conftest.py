"""Fixtures: a fresh Dioptra Accounts server (and database) per test, and client factories.

The server binary comes from DIOPTRA_ACCOUNTS_BIN. DIOPTRA_TEST_BACKEND chooses the database:
`sqlite` (a new file per test) or `postgres` (a new database per test on the server at
DIOPTRA_TEST_POSTGRES_URL, dropped afterwards).
"""

import os
import secrets
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from dioptra.client import connect_json_dioptra_client, connect_response_dioptra_client

BINARY = os.environ.get("DIOPTRA_ACCOUNTS_BIN", "target/debug/dioptra-accounts")
BACKEND = os.environ.get("DIOPTRA_TEST_BACKEND", "sqlite")
POSTGRES_URL = os.environ.get("DIOPTRA_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{POSTGRES_URL}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True)


class Server:
    def __init__(self, database_url: str, extra_args: list[str]):
        self.port = free_port()
        self.address = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [BINARY, "--addr", f"127.0.0.1:{self.port}", "--database-url", database_url, *extra_args],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.address}/health", timeout=1)
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.log.seek(0)
                    raise RuntimeError(f"the server did not start:\n{self.log.read().decode()}")
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def start_server(tmp_path: Path):
    """Starts a server on a fresh database; extra flags may be passed."""
    started: list[Server] = []
    databases: list[str] = []

    def start(*extra_args: str) -> Server:
        if BACKEND == "postgres":
            name = f"dioptra_client_test_{secrets.token_hex(6)}"
            psql(f'CREATE DATABASE "{name}"')
            databases.append(name)
            url = f"{POSTGRES_URL}/{name}"
        else:
            url = f"sqlite://{tmp_path / f'accounts-{len(started)}.db'}"
        server = Server(url, list(extra_args))
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
    for name in databases:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def server(start_server) -> Server:
    return start_server()


@pytest.fixture
def json_client(server):
    """A factory of JSON clients (each with its own cookie jar) for the test's server."""
    return lambda: connect_json_dioptra_client(server.address)


@pytest.fixture
def response_client(server):
    """A factory of response clients (raw `requests.Response`, no raising)."""
    return lambda: connect_response_dioptra_client(server.address)


PASSWORD = "supersecurepassword"


@pytest.fixture
def registered_users(json_client):
    """Dioptra's own fixture: user1, user2 and "name", all with the same password."""
    client = json_client()
    return [
        client.users.create("user1", "user1@example.org", PASSWORD),
        client.users.create("user2", "user2@example.net", PASSWORD),
        client.users.create("name", "user3@example.org", PASSWORD),
    ]


@pytest.fixture
def user1(json_client, registered_users):
    """A JSON client logged in as user1."""
    client = json_client()
    client.auth.login("user1", PASSWORD)
    return client
