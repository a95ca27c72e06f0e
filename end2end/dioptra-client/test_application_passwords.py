"""Application passwords through Dioptra's own Python client: a script logs in with one in place of
the password, unchanged, and its session serves the REST API but cannot change the password."""

import re

import requests

from conftest import PASSWORD


def make_application_password(server, username: str, name: str = "notebook") -> str:
    """Makes one as a person does in a browser without JavaScript: the login form, the account
    page's form, and the account page that shows the new one once."""
    browser = requests.Session()
    browser.headers.update({"Accept": "text/html", "Origin": server.address})
    login = browser.post(f"{server.address}/api/login", data={"username": username, "password": PASSWORD}, allow_redirects=False)
    assert login.status_code == 302, login.text
    made = browser.post(
        f"{server.address}/api/account/application-passwords/create",
        data={"name": name, "expires": "never"},
        headers={"Referer": f"{server.address}/account"},
        allow_redirects=False,
    )
    assert made.status_code == 302 and "__err" not in made.headers["Location"], made.headers
    page = browser.get(f"{server.address}/account").text
    shown = re.search(r'id="application-password"[^>]*value="([a-z0-9-]+)"', page)
    assert shown, "the account page shows the new application password"
    return shown.group(1)


def test_the_client_logs_in_with_an_application_password_and_lists_users(server, json_client, registered_users):
    secret = make_application_password(server, "user1")
    client = json_client()
    client.auth.login("user1", secret)
    assert client.users.get_current()["username"] == "user1"
    listed = {user["username"] for user in client.users.get()["data"]}
    assert listed == {"user1", "user2", "name"}
    assert client.groups.get()["data"][0]["name"] == "public"


def test_an_application_password_session_cannot_change_the_password_or_delete_the_account(
    server, response_client, json_client, registered_users
):
    secret = make_application_password(server, "user1")
    client = response_client()
    assert client.auth.login("user1", secret).status_code == 200
    changed = client.users.change_current_user_password(PASSWORD, "another long password")
    assert changed.status_code == 403 and "application password" in changed.json()["message"]
    deleted = client.users.delete_current_user(PASSWORD)
    assert deleted.status_code == 403
    # The account and its password are untouched.
    json_client().auth.login("user1", PASSWORD)


def test_a_wrong_application_password_is_refused_like_a_wrong_password(server, response_client, registered_users):
    secret = make_application_password(server, "user1")
    client = response_client()
    # Another account's application password opens nothing here.
    assert client.auth.login("user2", secret).status_code == 401
    wrong = client.auth.login("user1", "abcd-efgh-jkmn-pqrs-tuvw-xyz2")
    assert wrong.status_code == 401
    assert wrong.json() == client.auth.login("user1", "not the password").json()
