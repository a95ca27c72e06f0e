//! Several server processes on one database behave as one service; concurrent signups never
//! collide into a 5xx; a killed server leaves a consistent database; SIGTERM drains.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::json;
use tokio::task::JoinSet;

use crate::helpers::{Signup, TestDatabase, new_client, spawn_app_on, spawn_app_with, spawn_binary};

const NO_SIGNUP_LIMIT: &[&str] = &["--max-signups-per-address", "0"];

#[tokio::test]
async fn a_session_made_on_one_replica_is_valid_and_ended_on_all() {
    let app = spawn_app_with(|config| config.max_signups_per_address = 0).await;
    let replica = spawn_binary(&app.database, NO_SIGNUP_LIMIT);
    app.register(&Signup::new("roamer", "roamer@example.org")).await;
    let current = |base: &str, client: &reqwest::Client| {
        let request = client.get(format!("{base}/api/v1/users/current"));
        async move { request.send().await.unwrap().status() }
    };

    // Logged in through the first, known to the second.
    let laptop = new_client();
    assert_eq!(app.log_in_with(&laptop, "roamer", "correct horse").await.status(), StatusCode::OK);
    assert_eq!(current(&replica.address, &laptop).await, StatusCode::OK);

    // Logged out through the second, over on the first.
    let logout = laptop.post(format!("{}/api/v1/auth/logout", replica.address)).send().await.unwrap();
    assert_eq!(logout.status(), StatusCode::OK);
    assert_eq!(current(&app.address, &laptop).await, StatusCode::UNAUTHORIZED);

    // A password change on the first ends the other sessions on the second.
    let phone = new_client();
    assert_eq!(app.log_in_with(&laptop, "roamer", "correct horse").await.status(), StatusCode::OK);
    assert_eq!(app.log_in_with(&phone, "roamer", "correct horse").await.status(), StatusCode::OK);
    let change =
        json!({"oldPassword": "correct horse", "newPassword": "a newer horse", "confirmNewPassword": "a newer horse"});
    let changed = laptop.post(app.url("/api/v1/users/current/password")).json(&change).send().await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(current(&replica.address, &phone).await, StatusCode::UNAUTHORIZED);
    // Over the API, as in Dioptra, the changer's own session ends too (spec A6).
    assert_eq!(current(&replica.address, &laptop).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn replicas_starting_at_once_on_an_empty_database_migrate_it_once() {
    let database = TestDatabase::new().await;
    let starting: Vec<_> = (0..3)
        .map(|_| {
            let url = database.url.clone();
            std::thread::spawn(move || {
                let database = TestDatabase::existing(url);
                spawn_binary(&database, &[])
            })
        })
        .collect();
    let replicas: Vec<_> = starting.into_iter().map(|handle| handle.join().expect("every replica starts")).collect();
    for replica in &replicas {
        let health = reqwest::get(format!("{}/health", replica.address)).await.unwrap();
        assert_eq!(health.status(), StatusCode::OK);
    }
    let app = spawn_app_on(database, |_| {}).await;
    let backend = app.accounts.database().backend_name();
    let folder = format!("{}/../migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
    let migrations = i64::try_from(std::fs::read_dir(folder).unwrap().count()).unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM _sqlx_migrations WHERE success").await, migrations);
}

/// Fires `count` signups at once, spread over `servers`, and tallies the answers by status.
async fn storm(servers: &[String], count: usize, body: impl Fn(usize) -> serde_json::Value) -> BTreeMap<u16, usize> {
    let client = reqwest::Client::new();
    let mut requests = JoinSet::new();
    for i in 0..count {
        let request = client.post(format!("{}/api/v1/users", servers[i % servers.len()])).json(&body(i));
        requests.spawn(async move { request.send().await.map(|r| r.status().as_u16()).unwrap_or(0) });
    }
    let mut tally = BTreeMap::new();
    while let Some(status) = requests.join_next().await {
        *tally.entry(status.unwrap()).or_default() += 1;
    }
    tally
}

#[tokio::test]
async fn two_hundred_concurrent_signups_of_one_name_give_one_account_and_199_conflicts() {
    let app = spawn_app_with(|config| config.max_signups_per_address = 0).await;
    let replica = spawn_binary(&app.database, NO_SIGNUP_LIMIT);
    let servers = [app.address.clone(), replica.address.clone()];

    let same_username = storm(&servers, 200, |i| {
        json!({"username": "Popular", "email": format!("p{i}@example.org"), "password": "correct horse", "confirmPassword": "correct horse"})
    })
    .await;
    assert_eq!(same_username, BTreeMap::from([(200, 1), (409, 199)]));

    let same_email = storm(&servers, 200, |i| {
        json!({"username": format!("person{i}"), "email": "Shared@Example.org", "password": "correct horse", "confirmPassword": "correct horse"})
    })
    .await;
    assert_eq!(same_email, BTreeMap::from([(200, 1), (409, 199)]));

    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM group_members").await, 2, "each account is in public");
    assert_eq!(app.count("SELECT COUNT(*) FROM group_managers").await, 1, "one founder");
}

#[tokio::test]
async fn a_server_killed_during_a_signup_storm_leaves_every_acknowledged_account_whole() {
    let database = TestDatabase::new().await;
    let server = spawn_binary(&database, NO_SIGNUP_LIMIT);
    let client = reqwest::Client::new();
    let mut requests = JoinSet::new();
    for i in 0..120 {
        let request = client.post(format!("{}/api/v1/users", server.address)).json(&json!({
            "username": format!("storm{i}"), "email": format!("storm{i}@example.org"),
            "password": "correct horse", "confirmPassword": "correct horse"
        }));
        requests.spawn(async move { (i, request.send().await.map(|r| r.status()).ok()) });
    }
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    server.kill_hard();
    let mut acknowledged = Vec::new();
    while let Some(outcome) = requests.join_next().await {
        if let (i, Some(StatusCode::OK)) = outcome.unwrap() {
            acknowledged.push(format!("storm{i}"));
        }
    }

    // Restarted on the same database: consistent, and nothing acknowledged is lost.
    let app = spawn_app_on(database, |_| {}).await;
    let stored: Vec<String> = app.scalars("SELECT username FROM users").await;
    for name in &acknowledged {
        assert!(stored.contains(name), "{name} was acknowledged but is missing");
    }
    assert!(acknowledged.len() < 120, "the kill interrupted the storm ({} of 120 done)", acknowledged.len());
    let users = app.count("SELECT COUNT(*) FROM users").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM group_members").await, users, "every account is in public");
    assert!(users <= 1 || app.count("SELECT COUNT(*) FROM group_managers").await == 1);
    // And it serves: a new signup works.
    assert_eq!(app.register(&Signup::new("after", "after@example.org")).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn sigterm_lets_requests_in_flight_finish_then_exits_cleanly() {
    let database = TestDatabase::new().await;
    let mut server = spawn_binary(&database, NO_SIGNUP_LIMIT);
    let client = reqwest::Client::new();
    let mut requests = JoinSet::new();
    for i in 0..8 {
        let request = client.post(format!("{}/api/v1/users", server.address)).json(&json!({
            "username": format!("drain{i}"), "email": format!("drain{i}@example.org"),
            "password": "correct horse", "confirmPassword": "correct horse"
        }));
        requests.spawn(async move { request.send().await.map(|r| r.status()) });
    }
    // Signal once the server is at work on them (the first account is stored): every one of the
    // eight has been read by then, and hashing takes the rest a while longer.
    let observer = spawn_app_on(TestDatabase::existing(database.url.clone()), |_| {}).await;
    let started = std::time::Instant::now();
    while observer.count("SELECT COUNT(*) FROM users").await == 0 {
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "the signups never started");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    server.terminate();
    let mut answered = 0;
    while let Some(outcome) = requests.join_next().await {
        let status = outcome.unwrap().expect("a request in flight is answered, not cut off");
        assert_eq!(status, StatusCode::OK, "a request in flight is finished");
        answered += 1;
    }
    assert_eq!(answered, 8);
    let status = server.wait();
    assert!(status.success(), "exits cleanly: {status:?}");
    assert_eq!(observer.count("SELECT COUNT(*) FROM users").await, 8);
}
