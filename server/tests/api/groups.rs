//! A group lists a bounded number of members: `public` holds every account.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Signup, seed_users, spawn_app};

#[tokio::test]
async fn a_group_lists_at_most_its_first_1000_members_in_the_api_and_50_a_page_on_its_page() {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;
    assert_eq!(app.log_in("alice", "correct horse").await.status(), StatusCode::OK);
    let get = |path: &str| app.client.get(app.url(path)).send();

    // A small group keeps Dioptra's shape exactly.
    let public: Value = get("/api/v1/groups/1").await.unwrap().json().await.unwrap();
    let mut keys: Vec<&str> = public.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["createdOn", "id", "lastModifiedOn", "members", "name", "public", "user"]);
    assert_eq!(public["members"].as_array().unwrap().len(), 1);

    seed_users(&app.database, 1500).await;
    let public: Value = get("/api/v1/groups/1").await.unwrap().json().await.unwrap();
    let members = public["members"].as_array().unwrap();
    assert_eq!(members.len(), 1000);
    assert_eq!(public["membersTruncated"], true);
    // In the order they joined: the founder, then the seeded accounts.
    assert_eq!(members[0]["user"]["username"], "alice");
    assert_eq!(members[1]["user"]["username"], "seed1");
    assert_eq!(members[999]["user"]["username"], "seed999");

    let listed: Value = get("/api/v1/groups").await.unwrap().json().await.unwrap();
    assert_eq!(listed["data"][0]["members"].as_array().unwrap().len(), 1000);
    assert_eq!(listed["data"][0]["membersTruncated"], true);

    // The group's page lists fifty at a time, with a link to the next fifty.
    let page = get("/groups/1").await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert_eq!(html.matches("<th scope=\"row\">").count(), 50, "{html}");
    assert!(html.contains(">seed49<") && !html.contains(">seed50<"));
    assert!(html.contains("href=\"/groups/1?index=50#members\""));
    let next = get("/groups/1?index=50").await.unwrap().text().await.unwrap();
    assert!(next.contains(">seed50<") && !next.contains(">seed49<"));
}
