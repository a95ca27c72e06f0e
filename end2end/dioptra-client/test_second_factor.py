"""An account with an authenticator app, through Dioptra's own Python client: the client logs in
with an application password and lists users; the account's password alone is refused."""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
import requests
from dioptra.client.base import StatusCodeError

from conftest import PASSWORD
from test_application_passwords import make_application_password


def totp(secret: str, at: float) -> str:
    """RFC 6238 with SHA-1, 6 digits and 30-second steps: what the authenticator app shows."""
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def set_up_authenticator(server, username: str) -> str:
    """Turns the authenticator app on as a person does in a browser without JavaScript; its key."""
    browser = requests.Session()
    browser.headers.update({"Accept": "text/html", "Origin": server.address})
    login = browser.post(f"{server.address}/api/login", data={"username": username, "password": PASSWORD}, allow_redirects=False)
    assert login.status_code == 302
    started = browser.post(f"{server.address}/api/account/authenticator/start", allow_redirects=False)
    assert started.headers["Location"] == "/account/authenticator", started.headers
    page = browser.get(f"{server.address}/account/authenticator").text
    secret = re.search(r'id="authenticator-secret"[^>]*>([A-Z2-7 ]+)<', page).group(1)
    confirmed = browser.post(
        f"{server.address}/api/account/authenticator/confirm", data={"code": totp(secret, time.time())}, allow_redirects=False
    )
    assert confirmed.headers["Location"] == "/account/recovery-codes", confirmed.headers
    return secret


def test_the_client_logs_in_with_an_application_password_when_the_account_has_a_second_factor(
    server, json_client, registered_users
):
    secret = make_application_password(server, "user1")
    set_up_authenticator(server, "user1")
    client = json_client()
    client.auth.login("user1", secret)
    assert {user["username"] for user in client.users.get()["data"]} == {"user1", "user2", "name"}


def test_the_password_alone_is_refused_with_a_message_that_names_application_passwords(
    server, json_client, registered_users
):
    set_up_authenticator(server, "user1")
    with pytest.raises(StatusCodeError):
        json_client().auth.login("user1", PASSWORD)
    response = requests.post(f"{server.address}/api/v1/auth/login", json={"username": "user1", "password": PASSWORD})
    assert response.status_code == 401 and "application password" in response.json()["message"]
    # Other accounts are untouched.
    json_client().auth.login("user2", PASSWORD)
