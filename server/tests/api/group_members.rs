//! A group's members over the API (spec Part C §4–§5): adding, reading, changing and removing
//! them, who may do which, the one owner, and races between two servers on one database.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    group_management::Person,
    helpers::{TestApp, TestDatabase, spawn_app, spawn_app_on},
};

fn flags(read: bool, write: bool, share_read: bool, share_write: bool, owner: bool, admin: bool) -> Value {
    json!({"read": read, "write": write, "shareRead": share_read, "shareWrite": share_write, "owner": owner, "admin": admin})
}

/// alice's group "team" with bob as an admin and carol as a plain member; dave is outside it.
struct Team {
    app: TestApp,
    alice: Person,
    bob: Person,
    carol: Person,
    dave: Person,
    id: i64,
}

impl Team {
    async fn new() -> Self {
        let app = spawn_app().await;
        let (alice, bob, carol, dave) =
            (app.person("alice").await, app.person("bob").await, app.person("carol").await, app.person("dave").await);
        let id = app.create_group(&alice, json!({"name": "team"})).await;
        let team = Self { app, alice, bob, carol, dave, id };
        assert_eq!(team.add(&team.alice, json!({"user": team.bob.id, "admin": true})).await.0, StatusCode::OK);
        assert_eq!(team.add(&team.alice, json!({"user": team.carol.id})).await.0, StatusCode::OK);
        team
    }

    async fn add(&self, who: &Person, body: Value) -> (StatusCode, Value) {
        self.app.call(who, Method::POST, &format!("/groups/{}/members", self.id), body).await
    }

    async fn change(&self, who: &Person, member: &Person, body: Value) -> (StatusCode, Value) {
        self.app.call(who, Method::PATCH, &format!("/groups/{}/members/{}", self.id, member.id), body).await
    }

    async fn remove(&self, who: &Person, member: &Person) -> (StatusCode, Value) {
        self.app.call(who, Method::DELETE, &format!("/groups/{}/members/{}/", self.id, member.id), Value::Null).await
    }

    async fn permissions(&self, member: &Person) -> Value {
        let path = format!("/groups/{}/members/{}", self.id, member.id);
        let (status, body) = self.app.call(&self.alice, Method::GET, &path, Value::Null).await;
        if status == StatusCode::NOT_FOUND {
            return Value::Null;
        }
        body["permissions"].clone()
    }
}

fn refused_for_lack_of(answer: &(StatusCode, Value), permission: &str, group_id: i64) {
    assert_eq!(answer.0, StatusCode::FORBIDDEN, "{}", answer.1);
    assert_eq!(answer.1["error"], "UserPermissionsError");
    assert_eq!(answer.1["detail"], json!({"permission": permission, "group_id": group_id}));
}

#[tokio::test]
async fn admins_add_members_who_read_unless_told_otherwise() {
    let team = Team::new().await;
    let (app, id) = (&team.app, team.id);
    assert_eq!(team.permissions(&team.bob).await, flags(true, false, false, false, false, true));
    assert_eq!(team.permissions(&team.carol).await, flags(true, false, false, false, false, false));

    let (status, member) = team.add(&team.bob, json!({"user": team.dave.id, "write": true, "shareRead": true})).await;
    assert_eq!(status, StatusCode::OK, "{member}");
    assert_eq!(member["user"]["username"], "dave");
    assert_eq!(member["group"], json!({"id": id, "name": "team", "url": format!("/api/v1/groups/{id}")}));
    assert_eq!(member["permissions"], flags(true, true, true, false, false, false));

    // The list is a bare array in the order they joined, paged on request.
    let (status, members) = app.call(&team.dave, Method::GET, &format!("/groups/{id}/members/"), Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> =
        members.as_array().unwrap().iter().map(|m| m["user"]["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["alice", "bob", "carol", "dave"]);
    let path = format!("/groups/{id}/members?index=1&pageLength=2");
    let (_, page) = app.call(&team.dave, Method::GET, &path, Value::Null).await;
    assert_eq!(page.as_array().unwrap().len(), 2);
    assert_eq!(page[0]["user"]["username"], "bob");

    let (status, body) = team.add(&team.alice, json!({"user": team.dave.id})).await;
    assert_eq!((status, &body["error"]), (StatusCode::CONFLICT, &json!("EntityExistsError")));
    assert_eq!(app.count("SELECT COUNT(*) FROM group_members WHERE user_id = 4").await, 2, "no second row");
    let (status, body) = team.add(&team.alice, json!({"user": 999})).await;
    assert_eq!((status, &body["error"]), (StatusCode::NOT_FOUND, &json!("EntityDoesNotExistError")));
    // A plain member adds nobody; an admin makes no admins.
    let erin = app.person("erin").await;
    refused_for_lack_of(&team.add(&team.carol, json!({"user": erin.id})).await, "admin", id);
    refused_for_lack_of(&team.add(&team.bob, json!({"user": erin.id, "admin": true})).await, "owner", id);
    // Permissions that need others, named.
    for (body, flag) in [
        (json!({"user": erin.id, "read": false, "write": true}), "write"),
        (json!({"user": erin.id, "read": false, "shareRead": true}), "shareRead"),
        (json!({"user": erin.id, "shareWrite": true}), "shareWrite"),
    ] {
        let (status, answer) = team.add(&team.alice, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(answer["errors"][flag].is_array(), "{body}: {answer}");
    }
    let (status, answer) = team.add(&team.alice, json!({"user": erin.id, "owner": true})).await;
    assert_eq!((status, answer["errors"]["owner"].is_array()), (StatusCode::BAD_REQUEST, true));
    let (status, answer) = team.add(&team.alice, json!({"user": "erin"})).await;
    assert_eq!((status, &answer["errors"]["user"]), (StatusCode::BAD_REQUEST, &json!(["Not a valid integer."])));
    // A deleted account joins nothing.
    app.call(&erin, Method::DELETE, "/users/current", json!({"password": "correct horse"})).await;
    let (status, _) = team.add(&team.alice, json!({"user": erin.id})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nobody joins or leaves `public`.
    let (status, body) = app.call(&team.alice, Method::POST, "/groups/1/members", json!({"user": team.bob.id})).await;
    assert_eq!((status, &body["error"]), (StatusCode::BAD_REQUEST, &json!("DioptraError")));
    let (status, _) =
        app.call(&team.bob, Method::DELETE, &format!("/groups/1/members/{}", team.bob.id), Value::Null).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) =
        app.call(&team.alice, Method::GET, &format!("/groups/{id}/members/{}", erin.id), Value::Null).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn admins_change_plain_members_and_only_the_owner_changes_managers() {
    let team = Team::new().await;
    let id = team.id;
    let (status, member) = team.change(&team.bob, &team.carol, json!({"write": true, "shareWrite": true})).await;
    assert_eq!(status, StatusCode::OK, "{member}");
    assert_eq!(member["permissions"], flags(true, true, false, true, false, false));
    let (status, answer) = team.change(&team.bob, &team.carol, json!({"write": false})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "shareWrite needs write: {answer}");
    assert!(answer["errors"]["shareWrite"].is_array());
    // An admin changes its own permissions, but not its role, and not the owner's or another admin's.
    assert_eq!(team.change(&team.bob, &team.bob, json!({"write": true})).await.0, StatusCode::OK);
    refused_for_lack_of(&team.change(&team.bob, &team.bob, json!({"admin": false})).await, "owner", id);
    refused_for_lack_of(&team.change(&team.bob, &team.carol, json!({"admin": true})).await, "owner", id);
    refused_for_lack_of(&team.change(&team.bob, &team.alice, json!({"read": true})).await, "owner", id);
    refused_for_lack_of(&team.change(&team.carol, &team.carol, json!({"write": false})).await, "admin", id);
    refused_for_lack_of(&team.change(&team.dave, &team.carol, json!({"write": false})).await, "admin", id);
    // The owner grants and takes back admin.
    let (status, member) = team.change(&team.alice, &team.carol, json!({"admin": true})).await;
    assert_eq!((status, &member["permissions"]["admin"]), (StatusCode::OK, &json!(true)));
    refused_for_lack_of(&team.change(&team.bob, &team.carol, json!({"write": false})).await, "owner", id);
    let (status, member) = team.change(&team.alice, &team.carol, json!({"admin": false})).await;
    assert_eq!((status, &member["permissions"]["admin"]), (StatusCode::OK, &json!(false)));
    // The owner keeps every permission.
    for (body, class) in [
        (json!({"owner": false}), Some("GroupNeedsAManagerError")),
        (json!({"admin": false}), Some("GroupNeedsAManagerError")),
        (json!({"write": false}), None),
    ] {
        let (status, answer) = team.change(&team.alice, &team.alice, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        if let Some(class) = class {
            assert_eq!(answer["error"], class);
        }
    }
    let (status, answer) = team.change(&team.alice, &team.dave, json!({"read": true})).await;
    assert_eq!((status, &answer["error"]), (StatusCode::NOT_FOUND, &json!("EntityDoesNotExistError")));
    let (status, answer) = team.change(&team.alice, &team.carol, json!({"colour": true})).await;
    assert_eq!((status, &answer["errors"]["colour"]), (StatusCode::BAD_REQUEST, &json!(["Unknown field."])));

    let events: Vec<String> = team
        .app
        .scalars("SELECT event FROM audit_events WHERE event IN ('admin_granted', 'admin_revoked', 'member_changed') ORDER BY event_id")
        .await;
    assert_eq!(events, ["member_changed", "member_changed", "admin_granted", "admin_revoked"]);
}

#[tokio::test]
async fn the_owner_hands_ownership_on_and_stays_an_admin() {
    let team = Team::new().await;
    let (status, member) = team.change(&team.alice, &team.carol, json!({"owner": true})).await;
    assert_eq!(status, StatusCode::OK, "{member}");
    assert_eq!(member["permissions"], flags(true, true, true, true, true, true));
    assert_eq!(team.permissions(&team.alice).await, flags(true, true, true, true, false, true));
    assert_eq!(team.app.count("SELECT COUNT(*) FROM group_managers WHERE is_owner AND group_id <> 1").await, 1);
    // The old owner is now an admin: it can no longer delete the group or manage admins.
    refused_for_lack_of(&team.change(&team.alice, &team.bob, json!({"admin": false})).await, "owner", team.id);
    let path = format!("/groups/{}", team.id);
    refused_for_lack_of(&team.app.call(&team.alice, Method::DELETE, &path, Value::Null).await, "owner", team.id);
    let (status, _) = team.app.call(&team.carol, Method::DELETE, &path, Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    let audit: Vec<String> = team
        .app
        .scalars("SELECT username || ' ' || detail FROM audit_events WHERE event = 'ownership_transferred'")
        .await;
    assert_eq!(audit.len(), 1);
    let expected = format!("alice group {} \"team\", member {} \"carol\"", team.id, team.carol.id);
    assert!(audit[0].starts_with(&expected), "{audit:?}");
}

#[tokio::test]
async fn members_leave_admins_remove_plain_members_and_the_owner_stays() {
    let team = Team::new().await;
    let id = team.id;
    refused_for_lack_of(&team.remove(&team.carol, &team.bob).await, "admin", id);
    refused_for_lack_of(&team.remove(&team.dave, &team.carol).await, "admin", id);
    let (status, answer) = team.remove(&team.bob, &team.alice).await;
    assert_eq!((status, &answer["error"]), (StatusCode::BAD_REQUEST, &json!("UserIsManagerError")));
    let (status, answer) = team.remove(&team.alice, &team.alice).await;
    assert_eq!((status, &answer["error"]), (StatusCode::BAD_REQUEST, &json!("UserIsManagerError")));

    let (status, answer) = team.remove(&team.bob, &team.carol).await;
    assert_eq!((status, answer), (StatusCode::OK, json!({"status": "Success", "id": [team.carol.id]})));
    assert_eq!(team.permissions(&team.carol).await, Value::Null);
    assert_eq!(team.remove(&team.bob, &team.carol).await.0, StatusCode::NOT_FOUND);
    // An admin leaves on its own; the owner removes an admin in one step.
    team.add(&team.alice, json!({"user": team.dave.id, "admin": true})).await;
    assert_eq!(team.remove(&team.dave, &team.dave).await.0, StatusCode::OK);
    assert_eq!(team.remove(&team.alice, &team.bob).await.0, StatusCode::OK);
    assert_eq!(team.app.count("SELECT COUNT(*) FROM group_managers WHERE group_id <> 1").await, 1);
    let events: Vec<String> = team
        .app
        .scalars("SELECT event FROM audit_events WHERE event IN ('member_removed', 'member_left') ORDER BY event_id")
        .await;
    assert_eq!(events, ["member_removed", "member_left", "member_removed"]);
}

#[tokio::test]
async fn the_default_groups_managers_change_permissions_in_it() {
    let app = spawn_app().await;
    let founder = app.person("founder").await;
    let bob = app.person("bob").await;
    let path = format!("/groups/1/members/{}", bob.id);
    refused_for_lack_of(&app.call(&bob, Method::PATCH, &path, json!({"write": false})).await, "admin", 1);
    let (status, member) = app.call(&founder, Method::PATCH, &path, json!({"write": false})).await;
    assert_eq!(status, StatusCode::OK, "{member}");
    assert_eq!(member["permissions"], flags(true, false, false, false, false, false));
}

#[tokio::test]
async fn racing_changes_from_two_servers_leave_one_owner_and_no_duplicate_member() {
    let first = spawn_app().await;
    let second = spawn_app_on(TestDatabase::existing(first.database.url.clone()), |_| {}).await;
    let alice = first.person("alice").await;
    let bob = first.person("bob").await;
    let carol = first.person("carol").await;
    let dave = first.person("dave").await;
    // Sessions live in the database: alice's cookie is good on both servers.
    for round in 0..5 {
        let id = first.create_group(&alice, json!({"name": format!("team{round}")})).await;
        for member in [&bob, &carol] {
            first.call(&alice, Method::POST, &format!("/groups/{id}/members"), json!({"user": member.id})).await;
        }
        let (bob_path, carol_path) =
            (format!("/groups/{id}/members/{}", bob.id), format!("/groups/{id}/members/{}", carol.id));
        let members = format!("/groups/{id}/members");
        let to_bob = first.call(&alice, Method::PATCH, &bob_path, json!({"owner": true}));
        let to_carol = second.call(&alice, Method::PATCH, &carol_path, json!({"owner": true}));
        let add_here = first.call(&alice, Method::POST, &members, json!({"user": dave.id}));
        let add_there = second.call(&alice, Method::POST, &members, json!({"user": dave.id}));
        let ((a, _), (b, _), (c, _), (d, _)) = tokio::join!(to_bob, to_carol, add_here, add_there);
        let mut transfers = [a, b];
        transfers.sort();
        assert_eq!(transfers, [StatusCode::OK, StatusCode::FORBIDDEN], "round {round}");
        let owners: Vec<i64> = first.scalars("SELECT group_id FROM group_managers WHERE is_owner").await;
        assert_eq!(owners.iter().filter(|group| **group == id).count(), 1, "round {round}");
        // The adds race the transfers too: an add after alice lost ownership is still an admin's.
        let mut adds = [c, d];
        adds.sort();
        assert_eq!(adds, [StatusCode::OK, StatusCode::CONFLICT], "round {round}");
    }
    assert_eq!(first.count("SELECT COUNT(*) FROM group_members WHERE user_id = 4").await, 6);
}
