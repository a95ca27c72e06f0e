"""Login and logout through Dioptra's Python client."""

import pytest
import requests
from dioptra.client.base import StatusCodeError

from conftest import PASSWORD


def test_login_and_logout(json_client, registered_users):
    client = json_client()
    assert client.auth.login("user1", PASSWORD) == {"username": "user1", "status": "Login successful"}
    assert client.users.get_current()["username"] == "user1"
    assert client.auth.logout() == {"username": "user1", "everywhere": False, "status": "Logout successful"}
    with pytest.raises(StatusCodeError) as error:
        client.users.get_current()
    assert error.value.status_code == 401


def test_login_ignores_username_case(json_client, registered_users):
    assert json_client().auth.login("USER1", PASSWORD)["status"] == "Login successful"


def test_wrong_password_and_unknown_user_get_the_same_answer(response_client, registered_users):
    wrong = response_client().auth.login("user1", "wrong password")
    unknown = response_client().auth.login("nobody", "wrong password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {
        "error": "UserAuthenticationError",
        "message": "Unauthorized - Invalid username or password.",
        "detail": {},
        "originating_path": "/api/v1/auth/login?",
    }


def test_logout_everywhere_ends_every_session(json_client, registered_users):
    laptop, phone = json_client(), json_client()
    laptop.auth.login("user1", PASSWORD)
    phone.auth.login("user1", PASSWORD)
    assert phone.auth.logout(everywhere=True)["everywhere"] is True
    for client in (laptop, phone):
        with pytest.raises(StatusCodeError) as error:
            client.users.get_current()
        assert error.value.status_code == 401


def test_logout_of_one_session_keeps_the_other(json_client, registered_users):
    laptop, phone = json_client(), json_client()
    laptop.auth.login("user1", PASSWORD)
    phone.auth.login("user1", PASSWORD)
    phone.auth.logout(everywhere=False)
    assert laptop.users.get_current()["username"] == "user1"


def test_logged_out_calls_are_unauthorized(response_client, registered_users):
    client = response_client()
    for response in (client.users.get_current(), client.users.get(), client.groups.get(), client.auth.logout()):
        assert response.status_code == 401
        assert response.json()["message"].startswith("The server could not verify")


def test_everywhere_must_be_a_boolean(server, registered_users):
    # The client always sends True or False; a hand-made request tries the other literals.
    session = requests.Session()
    session.post(f"{server.address}/api/v1/auth/login", json={"username": "user1", "password": PASSWORD})
    for literal, message in [("yes", "Logout on all devices. Invalid literal for boolean(): yes"), ("", "Not a valid boolean.")]:
        response = session.post(f"{server.address}/api/v1/auth/logout", params={"everywhere": literal})
        assert response.status_code == 400
        assert response.json()["errors"] == {"everywhere": message}
    assert session.get(f"{server.address}/api/v1/users/current").status_code == 200
