"""Users through Dioptra's own Python client: the calls and expectations of Dioptra's test suite
(Part B §4 of the contract), plus our documented fixes (404 for unknown ids, 409 on renames)."""

import pytest
from dioptra.client.base import StatusCodeError

from conftest import PASSWORD

CURRENT_USER_KEYS = {"username", "email", "id", "groups", "createdOn", "lastModifiedOn", "lastLoginOn", "passwordExpiresOn"}


def without(user: dict, *keys: str) -> dict:
    return {k: v for k, v in user.items() if k not in keys}


def test_create_returns_the_current_user_shape(registered_users):
    user = registered_users[0]
    assert set(user) == CURRENT_USER_KEYS
    assert isinstance(user["id"], int)
    assert user["lastLoginOn"] is None
    for key in ("createdOn", "lastModifiedOn", "passwordExpiresOn"):
        assert isinstance(user[key], str) and user[key].endswith("+00:00")
    group = user["groups"][0]
    assert group == {"id": group["id"], "name": "public", "url": f"/api/v1/groups/{group['id']}"}


def test_get_current_equals_the_created_user(user1, registered_users):
    current = user1.users.get_current()
    assert without(current, "lastLoginOn", "lastModifiedOn") == without(registered_users[0], "lastLoginOn", "lastModifiedOn")
    assert current["lastLoginOn"] is not None


def test_get_by_id_returns_exactly_username_email_and_id(user1, registered_users):
    for created in registered_users:
        assert user1.users.get_by_id(created["id"]) == {k: created[k] for k in ("username", "email", "id")}


def test_get_lists_every_user(user1, registered_users):
    page = user1.users.get()
    expected = [{k: u[k] for k in ("username", "email", "id")} for u in registered_users]
    assert sorted(page["data"], key=lambda u: u["id"]) == expected
    assert page["totalNumResults"] == 3 and page["isComplete"] is True and page["index"] == 0


@pytest.mark.parametrize(
    "search, expected",
    [
        ("username:*user*", {"user1", "user2"}),
        ("username:'*user*'", {"user1", "user2"}),
        ('username:"user?"', {"user1", "user2"}),
        ("username:user?,email:user*", {"user1", "user2"}),
        ("username:\\*user*", set()),
        ("email:user?", set()),
        ("user1", {"user1"}),
        ("example.net", {"user2"}),
        ("USER1", {"user1"}),
        ("username:USER1", {"user1"}),
        ("username:USER*,email:*EXAMPLE.NET", {"user2"}),
    ],
)
def test_search(user1, registered_users, search, expected):
    page = user1.users.get(search=search)
    assert {u["username"] for u in page["data"]} == expected
    assert page["totalNumResults"] == len(expected)


def test_paging_envelope(user1, registered_users):
    page = user1.users.get(index=1, page_length=1)
    assert page["index"] == 1
    assert page["isComplete"] is False
    assert page["totalNumResults"] == 3
    assert page["first"] == "/api/v1/users?index=0&pageLength=1"
    assert page["next"] == "/api/v1/users?index=2&pageLength=1"
    assert page["prev"] == "/api/v1/users?index=0&pageLength=1"
    assert [u["username"] for u in page["data"]] == ["user2"]

    last = user1.users.get(index=2, page_length=1)
    assert last["isComplete"] is True and "next" not in last
    beyond = user1.users.get(index=10, page_length=5)
    assert beyond["data"] == [] and beyond["isComplete"] is True

    searched = user1.users.get(index=0, page_length=1, search="username:user*")
    assert searched["next"] == "/api/v1/users?index=1&pageLength=1&search=username%3Auser*"


@pytest.mark.parametrize("index, page_length", [(10, 20), (500, 1000), (999999, 1000)])
def test_valid_page_limits(user1, registered_users, index, page_length):
    assert user1.users.get(index=index, page_length=page_length)["data"] == []


@pytest.mark.parametrize(
    "index, page_length, field, message",
    [
        (-1, 10, "index", "Must be greater than or equal to 0."),
        (0, 999999, "pageLength", "Must be <= 1000"),
        (0, 0, "pageLength", "Must be greater than or equal to 1."),
    ],
)
def test_invalid_page_limits(response_client, registered_users, index, page_length, field, message):
    client = response_client()
    client.auth.login("user1", PASSWORD)
    response = client.users.get(index=index, page_length=page_length)
    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}
    assert response.json()["message"]


def test_registering_a_taken_username_or_email_is_a_conflict(json_client, registered_users):
    client = json_client()
    with pytest.raises(StatusCodeError) as taken_name:
        client.users.create("user1", "new@example.org", PASSWORD)
    assert taken_name.value.status_code == 409
    with pytest.raises(StatusCodeError) as taken_email:
        client.users.create("newname", "user1@example.org", PASSWORD)
    assert taken_email.value.status_code == 409
    with pytest.raises(StatusCodeError) as taken_in_other_case:
        client.users.create("USER1", "other@example.org", PASSWORD)
    assert taken_in_other_case.value.status_code == 409


def test_conflict_body_names_the_value_and_the_holder(response_client, registered_users):
    response = response_client().users.create("User1", "new@example.org", PASSWORD)
    body = response.json()
    assert response.status_code == 409
    assert body["error"] == "EntityExistsError"
    assert body["message"] == "Conflict - The User with username having value (User1) already exists."
    assert body["detail"]["existing_id"] == registered_users[0]["id"]
    assert body["originating_path"] == "/api/v1/users?"


def test_modify_current_user(user1, registered_users):
    modified = user1.users.modify_current_user("renamed", "renamed@example.org")
    assert set(modified) == CURRENT_USER_KEYS
    assert modified["username"] == "renamed" and modified["email"] == "renamed@example.org"
    assert without(user1.users.get_current(), "lastLoginOn", "lastModifiedOn") == without(modified, "lastLoginOn", "lastModifiedOn")
    assert modified["lastModifiedOn"] >= registered_users[0]["lastModifiedOn"]


def test_renaming_to_a_taken_username_or_email_is_a_conflict(user1, registered_users):
    for username, email in [("user2", "fresh@example.org"), ("fresh", "USER2@example.net")]:
        with pytest.raises(StatusCodeError) as error:
            user1.users.modify_current_user(username, email)
        assert error.value.status_code == 409
    assert user1.users.get_current()["username"] == "user1"


def test_unknown_user_id_is_not_found(response_client, registered_users):
    client = response_client()
    client.auth.login("user1", PASSWORD)
    response = client.users.get_by_id(999)
    assert response.status_code == 404
    assert response.json()["error"] == "UserDoesNotExistError"
    assert client.users.get_by_id("abc").status_code == 404
    assert client.users.get_by_id(2**70).status_code == 404


def test_change_current_password(json_client, user1, registered_users):
    assert user1.users.change_current_user_password(PASSWORD, "a brand new password") == {"status": "Password Change Success"}
    assert json_client().auth.login("user1", "a brand new password")["status"] == "Login successful"
    with pytest.raises(StatusCodeError) as old:
        json_client().auth.login("user1", PASSWORD)
    assert old.value.status_code == 401


def test_change_password_ends_every_session_the_callers_too(json_client, user1, registered_users):
    # As in Dioptra: its web UI shows the login form after a change, so the caller's session must
    # not live on behind it.
    laptop = json_client()
    laptop.auth.login("user1", PASSWORD)
    user1.users.change_current_user_password(PASSWORD, "a brand new password")
    for client in (user1, laptop):
        with pytest.raises(StatusCodeError) as ended:
            client.users.get_current()
        assert ended.value.status_code == 401
    assert user1.auth.login("user1", "a brand new password")["status"] == "Login successful"
    assert user1.users.get_current()["username"] == "user1"


def test_change_password_by_id_ends_the_callers_session_too(json_client, user1, registered_users):
    user1_id = registered_users[0]["id"]
    user1.users.change_password_by_id(user1_id, PASSWORD, "a brand new password")
    with pytest.raises(StatusCodeError) as ended:
        user1.users.get_current()
    assert ended.value.status_code == 401


def test_change_password_by_id(json_client, user1, registered_users):
    user2_id = registered_users[1]["id"]
    user1.users.change_password_by_id(user2_id, PASSWORD, "user two's new password")
    assert json_client().auth.login("user2", "user two's new password")["status"] == "Login successful"


def test_change_password_by_id_works_without_a_session(json_client, registered_users):
    anonymous = json_client()
    anonymous.users.change_password_by_id(registered_users[2]["id"], PASSWORD, "renewed password")
    assert json_client().auth.login("name", "renewed password")["status"] == "Login successful"


def test_new_password_equal_to_the_old_is_forbidden(user1, registered_users):
    with pytest.raises(StatusCodeError) as current:
        user1.users.change_current_user_password(PASSWORD, PASSWORD)
    assert current.value.status_code == 403
    with pytest.raises(StatusCodeError) as by_id:
        user1.users.change_password_by_id(registered_users[1]["id"], PASSWORD, PASSWORD)
    assert by_id.value.status_code == 403


def test_wrong_current_password_is_forbidden(response_client, registered_users):
    client = response_client()
    client.auth.login("user1", PASSWORD)
    response = client.users.change_current_user_password("not my password", "whatever new password")
    assert response.status_code == 403
    assert response.json()["message"] == "Forbidden - Invalid Current Password."


def test_delete_current_user(json_client, user1, registered_users):
    with pytest.raises(StatusCodeError) as wrong:
        user1.users.delete_current_user("not my password")
    assert wrong.value.status_code == 401

    assert user1.users.delete_current_user(PASSWORD) == {"id": [registered_users[0]["id"]], "status": "Success"}
    with pytest.raises(StatusCodeError) as session_gone:
        user1.users.get_current()
    assert session_gone.value.status_code == 401
    with pytest.raises(StatusCodeError) as login_gone:
        json_client().auth.login("user1", PASSWORD)
    assert login_gone.value.status_code == 401

    other = json_client()
    other.auth.login("user2", PASSWORD)
    assert "user1" not in {u["username"] for u in other.users.get()["data"]}
    with pytest.raises(StatusCodeError) as hidden:
        other.users.get_by_id(registered_users[0]["id"])
    assert hidden.value.status_code == 404
    with pytest.raises(StatusCodeError) as reserved:
        other.users.create("user1", "another@example.org", PASSWORD)
    assert reserved.value.status_code == 409
    public = other.groups.get_by_id(registered_users[0]["groups"][0]["id"])
    assert "user1" in {m["user"]["username"] for m in public["members"]}


def test_validation_errors_name_their_fields(response_client):
    response = response_client().users.create("two words", "not-an-email", "short")
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {
        "username": ["Use only letters, digits and . _ - @ +"],
        "email": ["Invalid email address"],
        "password": ["Password must be at least 8 characters"],
    }
    assert body["message"].startswith("Input payload validation failed")
