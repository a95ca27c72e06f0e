"""Schemathesis against the server's own `/api/v1/openapi.json`: no request it makes up, valid or
not, signed in or not, gets a 5xx; and every answer is one the document describes (status code,
content type, headers, body schema). Two tests, so that a 5xx and a mere documentation gap fail
separately.

Every operation gets a bounded, deterministic run (seeded, derandomized, no example database), so
the file takes well under two minutes against a debug build. The server runs with its guessing and
signup limits off, so that every answer is checked (a 429 would otherwise stand in for whatever the
request deserved). Requests carry the session cookie of an account made for the run; when a
generated request ends that session (a logout), the account logs in again, so later requests are
still signed in.
"""

import secrets
from datetime import timedelta

import hypothesis
import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import PASSWORD

MAX_EXAMPLES = 50
SEED = 20260
# Per request, and per example (Hypothesis' deadline); generous for a debug build on a busy machine.
REQUEST_TIMEOUT = 10
DEADLINE = timedelta(seconds=10)

AS_DOCUMENTED = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

CONFIG = {
    "seed": SEED,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    # Each request stands alone: the stateful phase's chains would sign the account out mid-run.
    "phases": {"stateful": {"enabled": False}},
}


class Account:
    """A signed-in `requests.Session` on the server at `address`, signed in again when a generated
    request ends its session.

    Signing in again logs in to the same account; only if that fails (say the account was deleted
    or its password changed) is a new one made.
    """

    def __init__(self, address: str):
        self.api = f"{address}/api/v1"
        self.session = requests.Session()
        self.username: str | None = None
        self.sign_up_and_log_in()

    def sign_up_and_log_in(self) -> None:
        name = f"fuzz{secrets.token_hex(4)}"
        signup = self.session.post(
            f"{self.api}/users",
            json={"username": name, "email": f"{name}@example.org", "password": PASSWORD, "confirmPassword": PASSWORD},
            timeout=REQUEST_TIMEOUT,
        )
        assert signup.status_code == 200, signup.text
        self.username = name
        self.log_in()

    def log_in(self) -> bool:
        if self.username is None:
            return False
        login = self.session.post(
            f"{self.api}/auth/login", json={"username": self.username, "password": PASSWORD}, timeout=REQUEST_TIMEOUT
        )
        return login.status_code == 200

    def keep_signed_in(self) -> None:
        current = self.session.get(f"{self.api}/users/current", timeout=REQUEST_TIMEOUT)
        if current.status_code == 200:
            self.username = current.json()["username"]  # a generated request may have renamed it
        elif current.status_code == 401 and not self.log_in():
            self.sign_up_and_log_in()


@pytest.fixture
def server(start_server):
    """The test's server, with every limit that answers 429 turned off."""
    return start_server(
        "--max-failures-per-account", "0", "--max-failures-per-address", "0", "--max-signups-per-address", "0"
    )


@pytest.fixture
def account(server) -> Account:
    return Account(server.address)


@pytest.fixture
def api_schema(server, account):
    config = schemathesis.Config.from_dict(CONFIG)
    return schemathesis.openapi.from_url(f"{server.address}/api/v1/openapi.json", config=config)


schema = schemathesis.pytest.from_fixture("api_schema")

bounded = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=DEADLINE,
    suppress_health_check=list(hypothesis.HealthCheck),
)


def send_and_check(case, account: Account, checks) -> None:
    response = case.call(session=account.session, timeout=REQUEST_TIMEOUT)
    try:
        case.validate_response(response, checks=checks)
    finally:
        if case.method.upper() != "GET":
            account.keep_signed_in()


@schema.parametrize()
@bounded
def test_no_request_gets_a_server_error(case, account):
    send_and_check(case, account, [not_a_server_error])


@schema.parametrize()
@bounded
def test_every_answer_is_one_the_document_describes(case, account):
    send_and_check(case, account, AS_DOCUMENTED)
