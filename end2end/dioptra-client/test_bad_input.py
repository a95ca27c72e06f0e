"""Malformed requests get a documented 4xx with a `message`, never a 5xx, and change nothing."""

import pytest
import requests

from conftest import PASSWORD


@pytest.fixture
def api(server):
    return f"{server.address}/api/v1"


@pytest.mark.parametrize(
    "body, status, check",
    [
        (b"{not json", 400, lambda b: "could not understand" in b["message"]),
        (b"[1, 2]", 400, lambda b: "could not understand" in b["message"]),
        (b"", 400, lambda b: "could not understand" in b["message"]),
        (b'{"username": "a", "email": "a@b.co", "password": "p", "confirmPassword": "p", "id": 3}', 400,
         lambda b: b["errors"]["id"] == ["Unknown field."]),
        (b'{"username": 5, "email": "a@b.co", "password": "correct horse", "confirmPassword": "correct horse"}', 400,
         lambda b: b["errors"]["username"] == ["Not a valid string."]),
        (b'{"username": "a", "email": "a@b.co"}', 400,
         lambda b: b["errors"] == {"password": ["Missing data for required field."], "confirmPassword": ["Missing data for required field."]}),
    ],
)
def test_malformed_signups(api, body, status, check):
    response = requests.post(f"{api}/users", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert check(response.json()), response.json()
    assert response.json()["message"]
    assert_nothing_was_created(api)


def test_a_huge_body_is_refused(api):
    response = requests.post(f"{api}/users", json={"username": "x" * 200_000, "email": "a@b.co", "password": "p", "confirmPassword": "p"})
    assert response.status_code == 413
    assert response.json() == {"message": "The request body is too large."}
    assert_nothing_was_created(api)


def assert_nothing_was_created(api):
    """The bad signups above all name the email `a@b.co`: were it taken, this would be a 409."""
    response = requests.post(
        f"{api}/users", json={"username": "a", "email": "a@b.co", "password": PASSWORD, "confirmPassword": PASSWORD}
    )
    assert response.status_code == 200, response.text


def test_an_unreadable_query_string_is_a_json_400(server, registered_users):
    session = requests.Session()
    session.post(f"{server.address}/api/v1/auth/login", json={"username": "user1", "password": PASSWORD})
    response = session.get(f"{server.address}/api/v1/users?index=%FF%FE")
    assert response.status_code == 400
    assert response.json()["message"]


def test_unknown_api_paths_are_json_404s(api):
    for path in ["/nope", "/users/current/", "/auth/login/", "/groups/1/members/1/more"]:
        response = requests.get(f"{api}{path}")
        assert response.status_code == 404, path
        assert response.json()["message"]


def test_wrong_methods_are_405(api):
    response = requests.get(f"{api}/auth/login")
    assert response.status_code == 405
    assert response.json()["message"] == "The method is not allowed for the requested URL."


def test_nothing_was_created_by_bad_input(api, json_client):
    requests.post(f"{api}/users", json={"username": "a", "email": "bad", "password": "correct horse", "confirmPassword": "correct horse"})
    client = json_client()
    client.users.create("checker", "checker@example.org", PASSWORD)
    client.auth.login("checker", PASSWORD)
    assert [u["username"] for u in client.users.get()["data"]] == ["checker"]
