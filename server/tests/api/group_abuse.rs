//! What hostile or careless use of groups cannot do: make one listing enormous, leave a group
//! owned by a deleted account, or slip past the search by case.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{seed_users, spawn_app};

#[tokio::test]
async fn a_page_of_groups_lists_at_most_10_000_members_in_all() {
    let app = spawn_app().await;
    let alice = app.person("alice").await;
    seed_users(&app.database, 1200).await;
    for n in 0..11 {
        app.create_group(&alice, json!({"name": format!("crowd{n}")})).await;
    }
    // Everyone joins every group (an admin adds whom it likes; straight into the database here).
    app.execute(
        "INSERT INTO group_members (group_id, user_id, can_read, can_write, can_share_read, can_share_write, joined_on) \
         SELECT groups.group_id, users.user_id, TRUE, FALSE, FALSE, FALSE, 1 FROM groups, users \
         WHERE NOT groups.is_default AND users.user_id <> 1",
    )
    .await;

    let (status, page) = app.call(&alice, Method::GET, "/groups?pageLength=20", Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    let groups = page["data"].as_array().unwrap();
    assert_eq!(groups.len(), 12);
    let listed: usize = groups.iter().map(|group| group["members"].as_array().unwrap().len()).sum();
    assert!(listed <= 10_000, "{listed} members listed");
    assert!(groups.iter().all(|group| group["members"].as_array().unwrap().len() == 500));
    assert!(groups.iter().all(|group| group["membersTruncated"] == true));
    // A short page still lists a thousand of each, and the group itself too.
    let (_, page) = app.call(&alice, Method::GET, "/groups?pageLength=10", Value::Null).await;
    assert_eq!(page["data"][3]["members"].as_array().unwrap().len(), 1000);
    let (_, group) = app.call(&alice, Method::GET, "/groups/3", Value::Null).await;
    assert_eq!(group["members"].as_array().unwrap().len(), 1000);
}

#[tokio::test]
async fn a_deleted_account_takes_no_new_role_and_leaves_no_group_without_an_owner() {
    let app = spawn_app().await;
    let founder = app.person("founder").await;
    let alice = app.person("alice").await;
    let bob = app.person("bob").await;
    let _dave = app.person("dave").await;
    let carol = app.person("carol").await;
    let id = app.create_group(&alice, json!({"name": "team"})).await;
    app.call(&alice, Method::POST, &format!("/groups/{id}/members"), json!({"user": bob.id})).await;
    let (status, _) = app.call(&bob, Method::DELETE, "/users/current", json!({"password": "correct horse"})).await;
    assert_eq!(status, StatusCode::OK);

    // bob is still listed (as in Dioptra), and is given nothing: not ownership, not admin, no
    // permission; what he had may still be taken away.
    let bob_path = format!("/groups/{id}/members/{}", bob.id);
    for body in [json!({"owner": true}), json!({"admin": true}), json!({"write": true})] {
        let (status, answer) = app.call(&alice, Method::PATCH, &bob_path, body.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}: {answer}");
    }
    let (status, _) = app.call(&alice, Method::PATCH, &bob_path, json!({"read": false})).await;
    assert_eq!(status, StatusCode::OK);
    // So alice, alone with a deleted account, may delete hers; the group goes with it.
    let (status, _) = app.call(&alice, Method::DELETE, "/users/current", json!({"password": "correct horse"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM groups WHERE deleted_on IS NULL AND NOT is_default").await, 0);

    // The founder of `public` deletes the account: `public` passes to its first live admin, not
    // to the oldest account (dave), who would then rule everyone's permissions there.
    let carol_in_public = format!("/groups/1/members/{}", carol.id);
    app.call(&founder, Method::PATCH, &carol_in_public, json!({"admin": true})).await;
    let (status, _) = app.call(&founder, Method::DELETE, "/users/current", json!({"password": "correct horse"})).await;
    assert_eq!(status, StatusCode::OK);
    let owners: Vec<String> = app
        .scalars(
            "SELECT users.username FROM group_managers JOIN users ON users.user_id = group_managers.user_id \
             WHERE group_id = 1 AND is_owner",
        )
        .await;
    assert_eq!(owners, ["carol"]);
    let (_, member) = app.call(&carol, Method::GET, &format!("/groups/1/members/{}", carol.id), Value::Null).await;
    let everything =
        json!({"read": true, "write": true, "shareRead": true, "shareWrite": true, "owner": true, "admin": true});
    assert_eq!(member["permissions"], everything);
    let events: Vec<String> = app.scalars("SELECT event FROM audit_events WHERE event = 'ownership_transferred'").await;
    assert_eq!(events.len(), 1);
}

#[tokio::test]
async fn a_search_for_a_group_ignores_case_beyond_ascii_on_both_databases() {
    let app = spawn_app().await;
    let alice = app.person("alice").await;
    app.create_group(&alice, json!({"name": "\u{C9}quipe rouge"})).await;
    app.create_group(&alice, json!({"name": "other"})).await;
    for search in ["name:\u{E9}quipe*", "\u{C9}QUIPE", "name:\u{C9}QUIPE*"] {
        let (status, page) = app.call(&alice, Method::GET, &format!("/groups?search={search}"), Value::Null).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page["totalNumResults"], 1, "{search}");
    }
}

#[tokio::test]
async fn a_change_that_changes_nothing_leaves_the_group_as_it_was() {
    let app = spawn_app().await;
    let alice = app.person("alice").await;
    let id = app.create_group(&alice, json!({"name": "team"})).await;
    let (_, before) = app.call(&alice, Method::GET, &format!("/groups/{id}"), Value::Null).await;
    let path = format!("/groups/{id}/members/{}", alice.id);
    let (status, _) = app.call(&alice, Method::PATCH, &path, json!({"read": true})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, after) = app.call(&alice, Method::GET, &format!("/groups/{id}"), Value::Null).await;
    assert_eq!(before["lastModifiedOn"], after["lastModifiedOn"]);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE event = 'member_changed'").await, 0);
}

#[tokio::test]
async fn ownership_handed_to_an_account_being_deleted_never_leaves_a_deleted_owner() {
    let app = spawn_app().await;
    let alice = app.person("alice").await;
    let carol = app.person("carol").await;
    for round in 0..4 {
        let bob = app.person(&format!("bob{round}")).await;
        let id = app.create_group(&alice, json!({"name": format!("team{round}")})).await;
        for member in [&bob, &carol] {
            app.call(&alice, Method::POST, &format!("/groups/{id}/members"), json!({"user": member.id})).await;
        }
        let path = format!("/groups/{id}/members/{}", bob.id);
        let transfer = app.call(&alice, Method::PATCH, &path, json!({"owner": true}));
        let deletion = app.call(&bob, Method::DELETE, "/users/current", json!({"password": "correct horse"}));
        let ((transferred, _), (deleted, _)) = tokio::join!(transfer, deletion);
        assert!(
            !(transferred == StatusCode::OK && deleted == StatusCode::OK),
            "round {round}: both the transfer and the deletion went through"
        );
    }
    let deleted_owners = app
        .count(
            "SELECT COUNT(*) FROM group_managers JOIN users ON users.user_id = group_managers.user_id \
             WHERE is_owner AND users.deleted_on IS NOT NULL",
        )
        .await;
    assert_eq!(deleted_owners, 0);
}
