//! `/metrics`, request ids and JSON logs.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::Duration,
};

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Signup, TestDatabase, spawn_app};

/// The value of the first sample whose line starts with `series` (name and labels as written).
pub(crate) fn sample(scrape: &str, series: &str) -> Option<f64> {
    scrape
        .lines()
        .find(|line| line.starts_with(series) && line[series.len()..].starts_with(' '))
        .and_then(|line| line.rsplit(' ').next()?.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_logins_hashing_sessions_and_the_pool() {
    let app = spawn_app().await;
    app.register(&Signup::new("metered", "metered@example.org")).await;
    assert_eq!(app.log_in("metered", "correct horse").await.status(), StatusCode::OK);
    assert_eq!(app.log_in("metered", "wrong horse!").await.status(), StatusCode::UNAUTHORIZED);
    app.client.get(app.url("/api/v1/users/current")).send().await.unwrap();

    let response = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[reqwest::header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
    let scrape = response.text().await.unwrap();

    // Metrics are per process and the tests share one: every count is at least this test's own.
    let current = r#"http_requests_total{method="GET",route="/api/v1/users/current",status="200"}"#;
    assert!(sample(&scrape, current).is_some_and(|n| n >= 1.0), "{scrape}");
    assert!(
        scrape
            .contains(r#"http_request_duration_seconds_bucket{method="GET",route="/api/v1/users/current",le="0.005"}"#)
    );
    assert!(sample(&scrape, r#"dioptra_logins_total{outcome="success"}"#).is_some_and(|n| n >= 1.0));
    assert!(sample(&scrape, r#"dioptra_logins_total{outcome="failure"}"#).is_some_and(|n| n >= 1.0));
    assert!(
        sample(&scrape, r#"dioptra_password_hash_duration_seconds_count{operation="verify"}"#)
            .is_some_and(|n| n >= 2.0)
    );
    assert!(
        sample(&scrape, r#"dioptra_password_hash_duration_seconds_count{operation="hash"}"#).is_some_and(|n| n >= 1.0)
    );
    // The gauges describe this server (the last scraped), which has exactly one live session.
    assert_eq!(sample(&scrape, "dioptra_active_sessions"), Some(1.0), "{scrape}");
    assert!(sample(&scrape, "dioptra_db_connections_max").is_some_and(|n| n >= 1.0));
    assert!(sample(&scrape, r#"dioptra_db_connections{state="idle"}"#).is_some());
    // Ids in paths never become labels of their own.
    app.client.get(app.url("/api/v1/users/12345")).send().await.unwrap();
    let scrape = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    // Only the series (name and labels) are read: a sample's value may well contain the digits.
    let series_with_the_id =
        scrape.lines().filter_map(|line| line.rsplit_once(' ')).any(|(series, _)| series.contains("12345"));
    assert!(scrape.contains(r#"route="/api/v1/users/{id}""#) && !series_with_the_id, "{scrape}");
}

#[tokio::test]
async fn made_up_methods_never_become_metric_labels() {
    let app = spawn_app().await;
    for method in ["BREW", "XYZZY1", "XYZZY2"] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        app.client.request(method, app.url("/health")).send().await.unwrap();
    }
    let scrape = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(!scrape.contains("BREW") && !scrape.contains("XYZZY"), "{scrape}");
    assert!(scrape.contains(r#"method="other""#), "{scrape}");
}

/// Starts the real binary with `args` and returns it with its standard error as lines, once it
/// has logged the URL to visit (returned too).
fn spawn_logging_binary(
    database: &TestDatabase,
    args: &[&str],
) -> (std::process::Child, std::io::Lines<BufReader<std::process::ChildStderr>>, String) {
    let mut server = Command::new(env!("CARGO_BIN_EXE_dioptra-accounts"))
        .args(["--addr", "127.0.0.1:0", "--database-url", &database.url])
        .args(args)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("the server logs its start").unwrap();
        if let Some(rest) = line.split("visit ").nth(1) {
            break rest.split(' ').next().expect("the URL to visit").trim_end_matches('"').to_owned();
        }
    };
    (server, lines, url)
}

#[tokio::test]
async fn a_newline_in_a_username_cannot_forge_a_log_line() {
    let database = TestDatabase::new().await;
    let (mut server, lines, url) = spawn_logging_binary(&database, &["--log-format", "text"]);
    // Short enough to pass as a login's username (at most 64 characters).
    let forged = "2026-12-02T10:00:00Z INFO audit: forged";
    let response = reqwest::Client::new()
        .post(format!("{url}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": format!("nobody\n{forged}\n"), "password": "wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    #[expect(clippy::disallowed_methods, reason = "reading the server's stderr pipe blocks; no hashing here")]
    let reader = tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        for line in lines.map_while(Result::ok) {
            let done = line.contains("login_failed");
            seen.push(line);
            if done {
                break;
            }
        }
        seen
    });
    let seen = tokio::time::timeout(Duration::from_secs(10), reader).await.unwrap().unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    let audit_line = seen.last().expect("lines were logged");
    assert!(audit_line.contains("login_failed"), "the failed login is logged: {seen:?}");
    // The audit trail is told apart by its target, as the README promises.
    assert!(audit_line.contains(" audit: "), "{audit_line}");
    assert!(!seen.iter().any(|line| line.starts_with("2026-12-02T10:00:00")), "a forged line: {seen:?}");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let first = app.client.get(app.url("/health")).send().await.unwrap();
    let second = app.client.get(app.url("/")).send().await.unwrap();
    let id = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id(&first).len(), 36);
    assert_ne!(id(&first), id(&second));
}

#[tokio::test]
async fn json_logs_are_one_object_per_line_with_the_request_id() {
    let database = TestDatabase::new().await;
    let mut server = Command::new(env!("CARGO_BIN_EXE_dioptra-accounts"))
        .args(["--log-format", "json", "--addr", "127.0.0.1:0", "--database-url", &database.url])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stderr.take().unwrap()).lines();
    // Lines before the start line (e.g. the warning that no site is built) are JSON too.
    let url = loop {
        let line = lines.next().expect("the server logs its start").unwrap();
        let event: Value = serde_json::from_str(&line).expect("a JSON line");
        let message = event["message"].as_str().unwrap_or_default();
        if let Some(rest) = message.split("visit ").nth(1) {
            break rest.split(' ').next().expect("the URL to visit").to_owned();
        }
    };

    let client = reqwest::Client::new();
    let response = client
        .post(format!("{url}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "nobody", "password": "wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();

    #[expect(clippy::disallowed_methods, reason = "reading the server's stderr pipe blocks; no hashing here")]
    let reader = tokio::task::spawn_blocking(move || {
        lines.map_while(Result::ok).find(|line| line.contains("login_failed")).expect("the failed login is logged")
    });
    let line = tokio::time::timeout(Duration::from_secs(10), reader).await.unwrap().unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    let event: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(event["level"], "INFO");
    assert_eq!(event["event"], "login_failed");
    assert_eq!(event["username"], "nobody");
    let spans = event["spans"].as_array().expect("the spans the event is in");
    assert!(spans.iter().any(|span| span["request_id"] == request_id.as_str()), "{line}");
    assert!(!line.contains("wrong"), "a password never reaches the log: {line}");
}

#[tokio::test]
async fn forwarding_headers_from_a_proxy_that_is_not_trusted_are_pointed_out() {
    let database = TestDatabase::new().await;
    let (mut server, lines, url) = spawn_logging_binary(&database, &[]);
    let client = reqwest::Client::new();
    for _ in 0..3 {
        client.get(format!("{url}/health")).header("x-forwarded-for", "203.0.113.9").send().await.unwrap();
    }
    client.get(format!("{url}/health?done")).send().await.unwrap();
    #[expect(clippy::disallowed_methods, reason = "reading the server's stderr pipe blocks; no hashing here")]
    let reader = tokio::task::spawn_blocking(move || {
        lines.map_while(Result::ok).take_while(|line| !line.contains("trusted-proxies")).count();
    });
    let warned = tokio::time::timeout(Duration::from_secs(10), reader).await;
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(warned.is_ok(), "the server warns that X-Forwarded-For came from a peer it does not trust");
}
