//! Creating, reading, renaming and deleting groups over the API (spec Part C §3), who may do
//! which, private groups, and what deleting an account that owns groups does.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Signup, TestApp, new_client, spawn_app};

/// An account signed in on a client of its own.
pub struct Person {
    pub id: i64,
    pub client: reqwest::Client,
}

impl TestApp {
    /// Registers `name` and logs it in on a fresh client.
    pub async fn person(&self, name: &str) -> Person {
        let email = format!("{name}@example.org");
        assert_eq!(self.register(&Signup::new(name, &email)).await.status(), StatusCode::OK);
        let client = new_client();
        assert_eq!(self.log_in_with(&client, name, "correct horse").await.status(), StatusCode::OK);
        let me: Value = client.get(self.url("/api/v1/users/current")).send().await.unwrap().json().await.unwrap();
        Person { id: me["id"].as_i64().unwrap(), client }
    }

    /// `method path` with a JSON `body` (unless null) as `who`: the status and the JSON answer.
    pub async fn call(&self, who: &Person, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        let mut request = who.client.request(method, self.url(&format!("/api/v1{path}")));
        if !body.is_null() {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Creates a group as `who`, checking it worked; its id.
    pub async fn create_group(&self, who: &Person, body: Value) -> i64 {
        let (status, group) = self.call(who, Method::POST, "/groups/", body).await;
        assert_eq!(status, StatusCode::OK, "{group}");
        group["id"].as_i64().unwrap()
    }
}

fn names(page: &Value) -> Vec<&str> {
    page["data"].as_array().unwrap().iter().map(|group| group["name"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn any_account_creates_a_group_it_owns_and_everyone_sees_a_public_one() {
    let app = spawn_app().await;
    let alice = app.person("alice").await;
    let bob = app.person("bob").await;

    let (status, group) = app.call(&bob, Method::POST, "/groups/", json!({"name": "  Red team "})).await;
    assert_eq!(status, StatusCode::OK, "{group}");
    assert_eq!(group["name"], "Red team");
    assert_eq!(group["public"], true);
    assert_eq!(group["user"]["username"], "bob");
    let members = group["members"].as_array().unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0]["user"]["id"], bob.id);
    let everything =
        json!({"read": true, "write": true, "shareRead": true, "shareWrite": true, "owner": true, "admin": true});
    assert_eq!(members[0]["permissions"], everything);
    let id = group["id"].as_i64().unwrap();

    for path in [format!("/groups/{id}"), format!("/groups/{id}/")] {
        let (status, seen) = app.call(&alice, Method::GET, &path, Value::Null).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(seen, group, "{path}");
    }
    let (_, listed) = app.call(&alice, Method::GET, "/groups", Value::Null).await;
    assert_eq!(names(&listed), ["public", "Red team"]);
    // Only members have a group among their own.
    let (_, me) = app.call(&bob, Method::GET, "/users/current", Value::Null).await;
    assert_eq!(me["groups"].as_array().unwrap().len(), 2);
    let (_, me) = app.call(&alice, Method::GET, "/users/current", Value::Null).await;
    assert_eq!(me["groups"].as_array().unwrap().len(), 1);
    // Not logged in: 401.
    let anonymous = new_client().post(app.url("/api/v1/groups/")).json(&json!({"name": "x"})).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let audit: Vec<String> = app
        .scalars("SELECT event || ' ' || username || ' ' || detail FROM audit_events WHERE detail IS NOT NULL")
        .await;
    assert_eq!(audit, [format!("group_created bob group {id} \"Red team\", public")]);
}

#[tokio::test]
async fn a_private_group_does_not_exist_for_those_outside_it() {
    let app = spawn_app().await;
    let alice = app.person("alice").await;
    let bob = app.person("bob").await;
    let id = app.create_group(&alice, json!({"name": "secret", "public": false})).await;

    let (status, seen) = app.call(&alice, Method::GET, &format!("/groups/{id}"), Value::Null).await;
    assert_eq!((status, &seen["public"]), (StatusCode::OK, &json!(false)));
    let (_, listed) = app.call(&alice, Method::GET, "/groups/", Value::Null).await;
    assert_eq!(names(&listed), ["public", "secret"]);

    let (_, listed) = app.call(&bob, Method::GET, "/groups/", Value::Null).await;
    assert_eq!((names(&listed), &listed["totalNumResults"]), (vec!["public"], &json!(1)));
    let (_, searched) = app.call(&bob, Method::GET, "/groups?search=secret", Value::Null).await;
    assert_eq!(searched["totalNumResults"], 0);
    // Every route answers as for a group that does not exist, writes included.
    for (method, path, body) in [
        (Method::GET, format!("/groups/{id}"), Value::Null),
        (Method::PUT, format!("/groups/{id}"), json!({"name": "mine"})),
        (Method::DELETE, format!("/groups/{id}"), Value::Null),
        (Method::GET, format!("/groups/{id}/members"), Value::Null),
        (Method::POST, format!("/groups/{id}/members"), json!({"user": bob.id})),
        (Method::GET, format!("/groups/{id}/members/{}", alice.id), Value::Null),
        (Method::PATCH, format!("/groups/{id}/members/{}", alice.id), json!({"read": true})),
        (Method::DELETE, format!("/groups/{id}/members/{}", alice.id), Value::Null),
    ] {
        let (status, body) = app.call(&bob, method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {body}");
        assert_eq!(body["error"], "EntityDoesNotExistError", "{method} {path}");
    }
    // Nor does another account's page show it among alice's groups.
    let (_, alice_seen_by_bob) = app.call(&bob, Method::GET, &format!("/users/{}", alice.id), Value::Null).await;
    let groups = alice_seen_by_bob["groups"].as_array().map_or(0, Vec::len);
    assert!(groups <= 1, "{alice_seen_by_bob}");

    // A member sees it.
    app.call(&alice, Method::POST, &format!("/groups/{id}/members"), json!({"user": bob.id})).await;
    let (status, _) = app.call(&bob, Method::GET, &format!("/groups/{id}"), Value::Null).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn names_are_checked_and_unique_per_creator() {
    let app = spawn_app().await;
    let alice = app.person("alice").await;
    let bob = app.person("bob").await;
    app.create_group(&alice, json!({"name": "team"})).await;

    let (status, body) = app.call(&alice, Method::POST, "/groups", json!({"name": "team "})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"], "EntityExistsError");
    // Another creator may use the name, and `public` too.
    app.create_group(&bob, json!({"name": "team"})).await;
    app.create_group(&bob, json!({"name": "public"})).await;

    for (body, field, message) in [
        (json!({}), "name", "Missing data for required field."),
        (json!({"name": "   "}), "name", "This field is required"),
        (json!({"name": "bob:team"}), "name", "A group name cannot contain ':'"),
        (json!({"name": "x".repeat(256)}), "name", "A group name must be at most 255 characters"),
        (json!({"name": 7}), "name", "Not a valid string."),
        (json!({"name": "ok", "public": "no"}), "public", "Not a valid boolean."),
        (json!({"name": "ok", "colour": "red"}), "colour", "Unknown field."),
    ] {
        let (status, answer) = app.call(&alice, Method::POST, "/groups/", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["errors"][field], json!([message]), "{body}: {answer}");
    }
    app.create_group(&alice, json!({"name": "x".repeat(255)})).await;
    let listed = app.count("SELECT COUNT(*) FROM groups").await;
    assert_eq!(listed, 5);
}

#[tokio::test]
async fn the_owner_and_admins_rename_a_group_and_nobody_renames_public() {
    let app = spawn_app().await;
    let alice = app.person("alice").await;
    let bob = app.person("bob").await;
    let carol = app.person("carol").await;
    let id = app.create_group(&alice, json!({"name": "team"})).await;
    app.create_group(&alice, json!({"name": "taken"})).await;
    app.call(&alice, Method::POST, &format!("/groups/{id}/members"), json!({"user": bob.id, "admin": true})).await;
    app.call(&alice, Method::POST, &format!("/groups/{id}/members"), json!({"user": carol.id})).await;
    let path = format!("/groups/{id}");
    let (_, before) = app.call(&alice, Method::GET, &path, Value::Null).await;

    let (status, renamed) = app.call(&bob, Method::PUT, &path, json!({"name": "crew"})).await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["name"], "crew");
    assert!(renamed["lastModifiedOn"].as_str() > before["lastModifiedOn"].as_str());
    // The same name again: nothing changes, and it is no conflict.
    let (status, again) = app.call(&alice, Method::PUT, &path, json!({"name": "crew"})).await;
    assert_eq!((status, &again["lastModifiedOn"]), (StatusCode::OK, &renamed["lastModifiedOn"]));
    // The creator's other group's name is taken.
    let (status, body) = app.call(&alice, Method::PUT, &path, json!({"name": "taken"})).await;
    assert_eq!((status, &body["error"]), (StatusCode::CONFLICT, &json!("EntityExistsError")));

    // A plain member, and an account outside the (public) group: 403, saying what it lacks.
    for who in [&carol, &app.person("dave").await] {
        let (status, body) = app.call(who, Method::PUT, &path, json!({"name": "mine"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["error"], "UserPermissionsError");
        assert_eq!(body["detail"], json!({"permission": "admin", "group_id": id}));
    }
    // Whether a group is public does not change.
    let (status, body) = app.call(&alice, Method::PUT, &path, json!({"name": "crew", "public": false})).await;
    assert_eq!((status, &body["errors"]["public"]), (StatusCode::BAD_REQUEST, &json!(["Unknown field."])));
    // `public` belongs to its first account, who still cannot rename it.
    let (status, body) = app.call(&alice, Method::PUT, "/groups/1", json!({"name": "everyone"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "DioptraError");
    assert!(body["message"].as_str().unwrap().contains("The default group (public) can not be modified."));
    let (status, _) = app.call(&alice, Method::PUT, "/groups/999", json!({"name": "x"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_the_owner_deletes_a_group_which_is_then_gone_but_keeps_its_name() {
    let app = spawn_app().await;
    let alice = app.person("alice").await;
    let bob = app.person("bob").await;
    let id = app.create_group(&alice, json!({"name": "team"})).await;
    app.call(&alice, Method::POST, &format!("/groups/{id}/members"), json!({"user": bob.id, "admin": true})).await;
    let path = format!("/groups/{id}/");

    let (status, body) = app.call(&bob, Method::DELETE, &path, Value::Null).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["detail"], json!({"permission": "owner", "group_id": id}));
    let (status, body) = app.call(&alice, Method::DELETE, &path, Value::Null).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "Success", "id": [id]})));

    for who in [&alice, &bob] {
        let (status, _) = app.call(who, Method::GET, &path, Value::Null).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, listed) = app.call(who, Method::GET, "/groups", Value::Null).await;
        assert_eq!(names(&listed), ["public"]);
    }
    let (status, _) = app.call(&alice, Method::DELETE, &path, Value::Null).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM group_members WHERE group_id <> 1").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM group_managers WHERE group_id <> 1").await, 0);
    // The name stays alice's; bob may use it.
    let (status, _) = app.call(&alice, Method::POST, "/groups", json!({"name": "team"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    app.create_group(&bob, json!({"name": "team"})).await;

    let (status, body) = app.call(&alice, Method::DELETE, "/groups/1", Value::Null).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("can not be deleted"));
    let events: Vec<String> =
        app.scalars("SELECT event FROM audit_events WHERE detail IS NOT NULL ORDER BY event_id").await;
    assert_eq!(events, ["group_created", "member_added", "group_deleted", "group_created"]);
}

#[tokio::test]
async fn an_account_owning_a_group_with_others_in_it_is_not_deleted_until_it_hands_the_group_on() {
    let app = spawn_app().await;
    let _founder = app.person("founder").await;
    let alice = app.person("alice").await;
    let bob = app.person("bob").await;
    let shared = app.create_group(&alice, json!({"name": "shared"})).await;
    let alone = app.create_group(&alice, json!({"name": "alone"})).await;
    app.call(&alice, Method::POST, &format!("/groups/{shared}/members"), json!({"user": bob.id})).await;
    let password = json!({"password": "correct horse"});

    let (status, body) = app.call(&alice, Method::DELETE, "/users/current", password.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "UserIsManagerError");
    assert!(body["message"].as_str().unwrap().contains("(\"shared\")"), "{body}");
    let (status, _) = app.call(&alice, Method::GET, "/users/current", Value::Null).await;
    assert_eq!(status, StatusCode::OK, "the account is still there");

    let (status, _) =
        app.call(&alice, Method::PATCH, &format!("/groups/{shared}/members/{}", bob.id), json!({"owner": true})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.call(&alice, Method::DELETE, "/users/current", password).await;
    assert_eq!(status, StatusCode::OK);
    // The group it was alone in went with it; the other stays, owned by bob.
    let (status, _) = app.call(&bob, Method::GET, &format!("/groups/{alone}"), Value::Null).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, group) = app.call(&bob, Method::GET, &format!("/groups/{shared}"), Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(group["members"].as_array().unwrap().len(), 2, "a deleted account stays listed, as in Dioptra");
}

#[tokio::test]
async fn an_account_creates_at_most_1000_groups_deleted_ones_included() {
    let app = spawn_app().await;
    let alice = app.person("alice").await;
    app.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 999) \
         INSERT INTO groups (name, name_key, creator_id, created_on, last_modified_on, deleted_on) \
         SELECT 'old' || i, 'old' || i, 1, 0, 0, 0 FROM n",
    )
    .await;
    let (status, body) = app.call(&alice, Method::POST, "/groups", json!({"name": "one too many"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "GroupLimitError");
}
