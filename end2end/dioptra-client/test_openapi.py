"""The OpenAPI document: a valid OpenAPI 3 document that lists every route the API serves."""

import requests
from openapi_spec_validator import validate

EXPECTED_OPERATIONS = {
    ("post", "/api/v1/users"),
    ("get", "/api/v1/users"),
    ("get", "/api/v1/users/{id}"),
    ("get", "/api/v1/users/current"),
    ("put", "/api/v1/users/current"),
    ("delete", "/api/v1/users/current"),
    ("post", "/api/v1/users/current/password"),
    ("post", "/api/v1/users/{id}/password"),
    ("get", "/api/v1/users/current/sessions"),
    ("delete", "/api/v1/users/current/sessions/{id}"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/groups"),
    ("post", "/api/v1/groups"),
    ("get", "/api/v1/groups/{id}"),
    ("put", "/api/v1/groups/{id}"),
    ("delete", "/api/v1/groups/{id}"),
    ("get", "/api/v1/groups/{id}/members"),
    ("post", "/api/v1/groups/{id}/members"),
    ("get", "/api/v1/groups/{id}/members/{userId}"),
    ("patch", "/api/v1/groups/{id}/members/{userId}"),
    ("delete", "/api/v1/groups/{id}/members/{userId}"),
    ("post", "/api/v1/admin/confirm"),
    ("get", "/api/v1/admin/overview"),
    ("get", "/api/v1/admin/users"),
    ("post", "/api/v1/admin/users/{id}/{act}"),
    ("get", "/api/v1/admin/audit"),
    ("get", "/api/v1/admin/audit/export"),
    ("get", "/api/v1/admin/settings"),
    ("patch", "/api/v1/admin/settings"),
    ("get", "/health"),
}


def test_the_document_validates_and_lists_every_route(server):
    response = requests.get(f"{server.address}/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    operations = {(method, path) for path, item in document["paths"].items() for method in item}
    assert operations == EXPECTED_OPERATIONS


def test_documented_shapes_match_what_the_server_sends(server, registered_users):
    document = requests.get(f"{server.address}/api/v1/openapi.json").json()
    schema = document["components"]["schemas"]["CurrentUserBody"]
    assert set(schema["properties"]) == set(registered_users[0])
