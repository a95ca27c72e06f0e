"""Groups through Dioptra's Python client: the `public` group, and groups that accounts create,
rename, make private and delete (created over HTTP: the 1.2.2 client only reads groups)."""

import pytest
import requests

from conftest import PASSWORD

GROUP_KEYS = {"id", "name", "user", "public", "members", "createdOn", "lastModifiedOn"}


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


def logged_in_session(server, username):
    session = requests.Session()
    login = session.post(f"{server.address}/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return session


def test_the_client_reads_created_renamed_private_and_deleted_groups(server, json_client, response_client, registered_users):
    owner = logged_in_session(server, "user1")
    api = f"{server.address}/api/v1"
    team = owner.post(f"{api}/groups/", json={"name": "team"}).json()
    hidden = owner.post(f"{api}/groups/", json={"name": "hidden", "public": False}).json()
    user1 = json_client()
    user1.auth.login("user1", PASSWORD)
    user2 = json_client()
    user2.auth.login("user2", PASSWORD)

    assert [g["name"] for g in user1.groups.get()["data"]] == ["public", "team", "hidden"]
    assert [g["name"] for g in user2.groups.get()["data"]] == ["public", "team"]
    seen = user2.groups.get_by_id(team["id"])
    assert set(seen) == GROUP_KEYS
    assert (seen["name"], seen["public"], seen["user"]["username"]) == ("team", True, "user1")
    assert [m["user"]["username"] for m in seen["members"]] == ["user1"]
    assert user1.groups.get_by_id(hidden["id"])["public"] is False
    outsider = response_client()
    outsider.auth.login("user2", PASSWORD)
    assert outsider.groups.get_by_id(hidden["id"]).status_code == 404

    renamed = owner.put(f"{api}/groups/{team['id']}", json={"name": "crew"})
    assert renamed.status_code == 200, renamed.text
    assert user2.groups.get_by_id(team["id"])["name"] == "crew"
    assert [g["name"] for g in user2.groups.get(search="name:cr*")["data"]] == ["crew"]

    added = owner.post(f"{api}/groups/{hidden['id']}/members", json={"user": registered_users[1]["id"], "write": True})
    assert added.status_code == 200, added.text
    members = user2.groups.get_by_id(hidden["id"])["members"]
    assert [(m["user"]["username"], m["permissions"]["write"]) for m in members] == [("user1", True), ("user2", True)]

    deleted = owner.delete(f"{api}/groups/{team['id']}")
    assert deleted.json() == {"status": "Success", "id": [team["id"]]}
    assert outsider.groups.get_by_id(team["id"]).status_code == 404
    assert [g["name"] for g in user2.groups.get()["data"]] == ["public", "hidden"]


def test_the_default_group_is_neither_renamed_nor_deleted(server, registered_users):
    session = logged_in_session(server, "user1")
    for method, path in [("put", "/groups/1"), ("delete", "/groups/1"), ("put", "/groups/1/")]:
        response = session.request(method, f"{server.address}/api/v1{path}", json={"name": "mine"} if method == "put" else None)
        assert response.status_code == 400, (method, path, response.text)
        assert response.json()["error"] == "DioptraError"
