//! Sessions: idle timeout without a write per request, listing and ending one's own sessions,
//! the audit trail, and the limits on what a request may carry.

use reqwest::{StatusCode, header};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Signup, TestApp, new_client, spawn_app, spawn_app_with};

async fn signed_in_client(app: &TestApp, username: &str, agent: &str) -> reqwest::Client {
    let client = reqwest::Client::builder().cookie_store(true).user_agent(agent).build().unwrap();
    assert_eq!(app.log_in_with(&client, username, "correct horse").await.status(), StatusCode::OK);
    client
}

async fn sessions(app: &TestApp, client: &reqwest::Client) -> Vec<Value> {
    let response = client.get(app.url("/api/v1/users/current/sessions")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["sessions"].as_array().unwrap().clone()
}

async fn current_status(app: &TestApp, client: &reqwest::Client) -> StatusCode {
    client.get(app.url("/api/v1/users/current")).send().await.unwrap().status()
}

#[tokio::test]
async fn a_user_lists_their_sessions_and_ends_another_one() {
    let app = spawn_app().await;
    app.register(&Signup::new("sam", "sam@example.org")).await;
    let laptop = signed_in_client(&app, "sam", "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0").await;
    let script = signed_in_client(&app, "sam", "python-requests/2.32").await;

    let listed = sessions(&app, &laptop).await;
    assert_eq!(listed.len(), 2);
    let this = listed.iter().find(|s| s["current"] == true).expect("the caller's own session is marked");
    assert!(this["userAgent"].as_str().unwrap().contains("Firefox"));
    assert_eq!(this["clientAddress"], "127.0.0.1");
    let other = listed.iter().find(|s| s["current"] == false).unwrap();
    let other_id = other["id"].as_str().unwrap();
    assert_eq!(other_id.len(), 64);

    let ended = laptop.delete(app.url(&format!("/api/v1/users/current/sessions/{other_id}"))).send().await.unwrap();
    assert_eq!(ended.status(), StatusCode::OK);
    assert_eq!(current_status(&app, &script).await, StatusCode::UNAUTHORIZED);
    assert_eq!(current_status(&app, &laptop).await, StatusCode::OK);
    // Gone now, and never someone else's: both are the same 404.
    let again = laptop.delete(app.url(&format!("/api/v1/users/current/sessions/{other_id}"))).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let junk = laptop.delete(app.url("/api/v1/users/current/sessions/not-hex")).send().await.unwrap();
    assert_eq!(junk.status(), StatusCode::NOT_FOUND);

    // Ending the current session logs this client out and clears its cookie.
    let own_id =
        sessions(&app, &laptop).await.iter().find(|s| s["current"] == true).unwrap()["id"].as_str().unwrap().to_owned();
    let response = laptop.delete(app.url(&format!("/api/v1/users/current/sessions/{own_id}"))).send().await.unwrap();
    assert!(response.headers()[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(current_status(&app, &laptop).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn another_users_session_cannot_be_ended() {
    let app = spawn_app().await;
    app.register(&Signup::new("ada", "ada@example.org")).await;
    app.register(&Signup::new("bob", "bob@example.org")).await;
    let ada = signed_in_client(&app, "ada", "agent").await;
    let bob = signed_in_client(&app, "bob", "agent").await;
    let bobs_id = sessions(&app, &bob).await[0]["id"].as_str().unwrap().to_owned();
    let attempt = ada.delete(app.url(&format!("/api/v1/users/current/sessions/{bobs_id}"))).send().await.unwrap();
    assert_eq!(attempt.status(), StatusCode::NOT_FOUND);
    assert_eq!(current_status(&app, &bob).await, StatusCode::OK);
}

#[tokio::test]
async fn the_signed_in_pages_send_anyone_else_to_the_login_screen() {
    let app = spawn_app().await;
    app.register(&Signup::new("bob", "bob@example.org")).await;
    let bob = signed_in_client(&app, "bob", "curl").await;
    let public_group = app.count("SELECT group_id FROM groups WHERE is_default").await;
    for path in ["/account", "/users", "/groups", &format!("/groups/{public_group}")] {
        assert_eq!(bob.get(app.url(path)).send().await.unwrap().status(), StatusCode::OK, "{path}");
        // A browser follows a `Location` only with a 3xx: a 200 would leave a blank page.
        let response = new_client().get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FOUND, "{path}");
        assert_eq!(response.headers()[header::LOCATION], "/", "{path}");
    }
}

#[tokio::test]
async fn the_account_page_lists_sessions_and_ends_one_without_javascript() {
    let app = spawn_app().await;
    app.register(&Signup::new("page", "page@example.org")).await;
    let phone =
        signed_in_client(&app, "page", "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36").await;
    assert_eq!(app.log_in("page", "correct horse").await.status(), StatusCode::OK);
    let page = app.client.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Chrome on Android"), "{page}");
    assert!(page.contains("This device"));
    assert!(page.contains("A session ends after 12 hours without use, or 1 day after login."), "{page}");

    let listed = sessions(&app, &phone).await;
    let phone_id = listed.iter().find(|s| s["current"] == true).unwrap()["id"].as_str().unwrap().to_owned();
    let response = app.post_form(&app.client, "/api/account/revoke-session", &[("session_id", &phone_id)]).await;
    assert!(response.status().is_success() || response.status().is_redirection(), "{}", response.status());
    assert_eq!(current_status(&app, &phone).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_idle_session_ends_and_requests_do_not_each_write_to_the_database() {
    let app = spawn_app_with(|config| config.session_idle_minutes = 60).await;
    app.register(&Signup::new("idle", "idle@example.org")).await;
    assert_eq!(app.log_in("idle", "correct horse").await.status(), StatusCode::OK);
    let seen = || app.scalars::<i64>("SELECT last_seen_on FROM sessions");
    let at_login = seen().await;
    for _ in 0..5 {
        assert_eq!(current_status(&app, &app.client).await, StatusCode::OK);
    }
    assert_eq!(seen().await, at_login, "no write for requests within a minute of the last one noted");

    // Seen five minutes ago: the next request notes it again (the session is extended).
    app.execute("UPDATE sessions SET last_seen_on = last_seen_on - 300000000").await;
    assert_eq!(current_status(&app, &app.client).await, StatusCode::OK);
    assert!(seen().await[0] >= at_login[0]);

    // Idle for longer than the timeout: over, though its absolute lifetime is not.
    app.execute("UPDATE sessions SET last_seen_on = last_seen_on - 3700000000").await;
    assert_eq!(current_status(&app, &app.client).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_audit_trail_records_who_did_what_from_where_and_never_a_password() {
    let app = spawn_app().await;
    app.register(&Signup::new("audited", "audited@example.org")).await;
    app.log_in("audited", "a wrong password").await;
    app.log_in("nobody", "a wrong password").await;
    app.log_in("audited", "correct horse").await;
    let change = [
        ("old_password", "correct horse"),
        ("new_password", "another horse"),
        ("confirm_new_password", "another horse"),
    ];
    app.post_form(&app.client, "/api/account/password", &change).await;
    app.log_out_with(&app.client).await;

    let events: Vec<String> = app.scalars("SELECT event FROM audit_events ORDER BY event_id").await;
    assert_eq!(events, ["signup", "login_failed", "login_failed", "login_succeeded", "password_changed", "logout"]);
    let usernames: Vec<Option<String>> = app.scalars("SELECT username FROM audit_events ORDER BY event_id").await;
    assert_eq!(usernames[2].as_deref(), Some("nobody"));
    let addresses: Vec<Option<String>> = app.scalars("SELECT client_address FROM audit_events").await;
    assert!(addresses.iter().all(|a| a.as_deref() == Some("127.0.0.1")), "{addresses:?}");
    let everything: Vec<String> = app
        .scalars(
            "SELECT event || '|' || COALESCE(username, '') || '|' || COALESCE(client_address, '') FROM audit_events",
        )
        .await;
    assert!(everything.iter().all(|row| !row.contains("horse") && !row.contains("wrong")), "{everything:?}");
}

#[tokio::test]
async fn the_clean_up_forgets_audit_events_past_their_retention() {
    let app = spawn_app_with(|config| config.audit_retention_days = 30).await;
    app.register(&Signup::new("kept", "kept@example.org")).await;
    // One event from 31 days ago, one from 29.
    let day: i64 = 24 * 3600 * 1_000_000;
    app.execute("INSERT INTO audit_events (occurred_on, event) SELECT MIN(occurred_on) - 2678400000000, 'old' FROM audit_events")
        .await;
    app.execute("INSERT INTO audit_events (occurred_on, event) SELECT MIN(occurred_on) + 172800000000, 'recent' FROM audit_events WHERE event = 'old'")
        .await;
    assert_eq!(2678400000000 / day, 31);
    app.accounts.clean_up().await.unwrap();
    let events: Vec<String> = app.scalars("SELECT event FROM audit_events ORDER BY occurred_on").await;
    assert_eq!(events, ["recent", "signup"]);
}

#[tokio::test]
async fn a_deletion_is_recorded_with_the_deleted_accounts_name() {
    let app = spawn_app().await;
    app.register(&Signup::new("leaving", "leaving@example.org")).await;
    app.log_in("leaving", "correct horse").await;
    let deleted = app
        .client
        .delete(app.url("/api/v1/users/current"))
        .json(&serde_json::json!({"password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);
    let recorded: Vec<Option<String>> =
        app.scalars("SELECT username FROM audit_events WHERE event = 'account_deleted'").await;
    assert_eq!(recorded, [Some("leaving".to_owned())]);
}

#[tokio::test]
async fn oversized_headers_and_bodies_are_refused() {
    let app = spawn_app().await;
    let huge = "x".repeat(20 * 1024);
    let response = new_client().get(app.url("/health")).header("x-padding", &huge).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    let body = "a".repeat(100 * 1024);
    let response = app.post_form(&app.client, "/api/login", &[("username", "x"), ("password", &body)]).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events").await, 0);
}

#[tokio::test]
async fn a_client_that_sends_its_body_too_slowly_gets_408() {
    let app = spawn_app_with(|config| config.request_timeout_secs = 1).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"user"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server gave up on the client within the timeout");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}
