"""Groups through Dioptra's Python client: one `public` group, read-only."""

import pytest
import requests

from conftest import PASSWORD

GROUP_KEYS = {"id", "name", "user", "members", "createdOn", "lastModifiedOn"}


def test_get_returns_exactly_the_public_group(user1, registered_users):
    page = user1.groups.get()
    assert page["totalNumResults"] == 1
    (public,) = page["data"]
    assert public == user1.groups.get_by_id(public["id"])
    assert set(public) == GROUP_KEYS
    assert public["name"] == "public"
    assert public["user"] == {"id": registered_users[0]["id"], "username": "user1", "url": f"/api/v1/users/{registered_users[0]['id']}"}


def test_members_and_their_permissions(user1, registered_users):
    public = user1.groups.get()["data"][0]
    members = {m["user"]["username"]: m for m in public["members"]}
    assert list(members) == ["user1", "user2", "name"]
    for member in public["members"]:
        assert member["group"] == {"id": public["id"], "name": "public", "url": f"/api/v1/groups/{public['id']}"}
        assert set(member["permissions"]) == {"read", "write", "shareRead", "shareWrite", "owner", "admin"}
    assert all(members["user1"]["permissions"].values())
    assert members["user2"]["permissions"] == {
        "read": True, "write": True, "shareRead": False, "shareWrite": False, "owner": False, "admin": False,
    }


@pytest.mark.parametrize("search, found", [("name:public", True), ("public", True), ("pub*", True), ("name:pub", False), ("NAME:PUBLIC".lower(), True)])
def test_search(user1, registered_users, search, found):
    names = [g["name"] for g in user1.groups.get(search=search)["data"]]
    assert names == (["public"] if found else [])


def test_search_errors_are_unprocessable(response_client, registered_users):
    client = response_client()
    client.auth.login("user1", PASSWORD)
    unknown_field = client.groups.get(search="username:x")
    assert unknown_field.status_code == 422
    body = unknown_field.json()
    assert body["error"] == "SearchParseError"
    assert body["detail"] == {"query": "username:x", "reason": "'username' is not a valid field"}
    assert client.groups.get(search="a,,b").status_code == 422
    assert client.users.get(search="name:x").status_code == 422


def test_unknown_group_is_not_found(response_client, registered_users):
    client = response_client()
    client.auth.login("user1", PASSWORD)
    response = client.groups.get_by_id(999)
    assert response.status_code == 404
    assert response.json()["error"] == "EntityDoesNotExistError"


def test_groups_cannot_be_created_changed_or_deleted(server, registered_users):
    session = requests.Session()
    session.post(f"{server.address}/api/v1/auth/login", json={"username": "user1", "password": PASSWORD})
    for method, path in [("post", "/groups"), ("post", "/groups/"), ("put", "/groups/1"), ("delete", "/groups/1")]:
        response = session.request(method, f"{server.address}/api/v1{path}", json={"name": "mine"})
        assert response.status_code == 405, (method, path)
        assert response.json() == {"message": "The method is not allowed for the requested URL."}
