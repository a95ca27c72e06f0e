//! Online guessing: counters per account, per device and per client in the database, 429 with
//! `Retry-After`, an owner who can still log in from a browser that has logged in before (the
//! device cookie), checks counted before hashing so that concurrent guesses cannot slip past,
//! IPv6 clients by /64, signups per client, and answers that do not tell which accounts exist.

use std::time::Duration;

use reqwest::{Response, StatusCode, header};
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::helpers::{Signup, TestApp, new_client, spawn_app_with, spawn_binary};

/// A JSON POST by `client` that claims, through the trusted proxy the test server is told about,
/// to come from `address`.
async fn post_with(client: &reqwest::Client, app: &TestApp, address: &str, path: &str, body: Value) -> Response {
    client.post(app.url(path)).header("x-forwarded-for", address).json(&body).send().await.expect("the server answers")
}

/// The same from a client that keeps no cookies (an attacker's script, a fresh browser).
async fn post_from(app: &TestApp, address: &str, path: &str, body: Value) -> Response {
    post_with(&reqwest::Client::new(), app, address, path, body).await
}

async fn log_in_from(app: &TestApp, address: &str, username: &str, password: &str) -> Response {
    post_from(app, address, "/api/v1/auth/login", json!({"username": username, "password": password})).await
}

/// A login by `client`, which keeps its cookies (the owner's browser, say).
async fn log_in_with(
    client: &reqwest::Client,
    app: &TestApp,
    address: &str,
    username: &str,
    password: &str,
) -> Response {
    post_with(client, app, address, "/api/v1/auth/login", json!({"username": username, "password": password})).await
}

fn retry_after(response: &Response) -> u64 {
    response.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap()
}

async fn assert_throttled(response: Response) -> u64 {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&response);
    assert!(wait >= 1);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "TooManyAttemptsError", "{body}");
    assert!(body["message"].as_str().unwrap().starts_with("Too Many Requests - Too many attempts. Try again in"));
    assert_eq!(body["detail"]["retry_after"], json!(wait));
    wait
}

const ATTACKER: &str = "203.0.113.66";
const VICTIM: &str = "198.51.100.7";

#[tokio::test]
async fn an_attacker_is_slowed_down_but_the_owner_with_a_device_cookie_still_logs_in() {
    let app = spawn_app_with(|config| {
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        config.max_failures_per_account = 3;
    })
    .await;
    app.register(&Signup::new("victim", "victim@example.org")).await;
    // The owner's browser has logged in before: it holds a device cookie of the account.
    let owner = new_client();
    assert_eq!(log_in_with(&owner, &app, VICTIM, "victim", "correct horse").await.status(), StatusCode::OK);
    for _ in 0..3 {
        assert_eq!(log_in_from(&app, ATTACKER, "victim", "guess guess").await.status(), StatusCode::UNAUTHORIZED);
    }
    // The threshold reached, the attacker waits, even with the right password ...
    assert_throttled(log_in_from(&app, ATTACKER, "victim", "guess again").await).await;
    assert_throttled(log_in_from(&app, ATTACKER, "VICTIM", "correct horse").await).await;
    // ... while the owner, from a browser that proves an earlier login, gets in ...
    assert_eq!(log_in_with(&owner, &app, VICTIM, "victim", "correct horse").await.status(), StatusCode::OK);
    // ... which does not clear the account's count for everyone else.
    assert_throttled(log_in_from(&app, ATTACKER, "victim", "guess guess").await).await;
}

#[tokio::test]
async fn the_account_limit_holds_with_the_address_limit_off() {
    let app = spawn_app_with(|config| {
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        config.max_failures_per_account = 2;
        config.max_failures_per_address = 0;
    })
    .await;
    app.register(&Signup::new("alone", "alone@example.org")).await;
    let owner = new_client();
    assert_eq!(log_in_with(&owner, &app, VICTIM, "alone", "correct horse").await.status(), StatusCode::OK);
    for _ in 0..2 {
        assert_eq!(log_in_from(&app, ATTACKER, "alone", "guess guess").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_throttled(log_in_from(&app, ATTACKER, "alone", "guess guess").await).await;
    assert_eq!(log_in_with(&owner, &app, VICTIM, "alone", "correct horse").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_wait_doubles_with_each_further_failure() {
    let app = spawn_app_with(|config| {
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        config.max_failures_per_account = 2;
    })
    .await;
    app.register(&Signup::new("target", "target@example.org")).await;
    let mut waits = Vec::new();
    for _ in 0..2 {
        log_in_from(&app, ATTACKER, "target", "nope nope").await;
    }
    for _ in 0..2 {
        let wait = assert_throttled(log_in_from(&app, ATTACKER, "target", "nope nope").await).await;
        waits.push(wait);
        tokio::time::sleep(Duration::from_secs(wait) + Duration::from_millis(100)).await;
        assert_eq!(log_in_from(&app, ATTACKER, "target", "nope nope").await.status(), StatusCode::UNAUTHORIZED);
    }
    let last = assert_throttled(log_in_from(&app, ATTACKER, "target", "nope nope").await).await;
    waits.push(last);
    assert_eq!(waits, [1, 2, 4]);
}

#[tokio::test]
async fn an_address_that_fails_against_many_accounts_is_slowed_down() {
    let app = spawn_app_with(|config| {
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        config.max_failures_per_account = 0;
        config.max_failures_per_address = 3;
    })
    .await;
    for name in ["ann", "ben", "cat"] {
        assert_eq!(log_in_from(&app, ATTACKER, name, "password1").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_throttled(log_in_from(&app, ATTACKER, "dan", "password1").await).await;
    assert_eq!(log_in_from(&app, VICTIM, "dan", "password1").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn without_a_trusted_proxy_x_forwarded_for_cannot_dodge_the_counters() {
    let app = spawn_app_with(|config| config.max_failures_per_address = 2).await;
    for spoofed in ["192.0.2.1", "192.0.2.2"] {
        assert_eq!(log_in_from(&app, spoofed, "anyone", "password1").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_throttled(log_in_from(&app, "192.0.2.3", "anyone", "password1").await).await;
    let recorded: Vec<String> = app.scalars("SELECT DISTINCT client_address FROM audit_events").await;
    assert_eq!(recorded, ["127.0.0.1"]);
}

#[tokio::test]
async fn a_password_change_by_id_does_not_confirm_the_accounts_name_before_its_password() {
    let app = spawn_app_with(|config| config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    app.register(&Signup::new("quentinsmith", "quentinsmith@example.org")).await;
    let id: i64 = app.count("SELECT user_id FROM users").await;
    let path = format!("/api/v1/users/{id}/password");
    // Guessing the name (or email) as the new password must answer like any wrong current
    // password, and like an id that has no account at all.
    for guess in ["quentinsmith", "QuentinSmith@example.org", "someone else entirely"] {
        let change = json!({"oldPassword": "not the password", "newPassword": guess, "confirmNewPassword": guess});
        let known = post_from(&app, ATTACKER, &path, change.clone()).await;
        assert_eq!(known.status(), StatusCode::FORBIDDEN, "guess {guess:?}");
        let unknown = post_from(&app, ATTACKER, &format!("/api/v1/users/{}/password", id + 1000), change).await;
        assert_eq!(unknown.status(), StatusCode::FORBIDDEN, "guess {guess:?} on an unknown id");
        let body = |mut body: Value| {
            // The path names the id asked about; everything else must match.
            body.as_object_mut().unwrap().remove("originating_path");
            body
        };
        assert_eq!(body(known.json().await.unwrap()), body(unknown.json().await.unwrap()));
    }
    // With the right current password, the rule is still applied.
    let change =
        json!({"oldPassword": "correct horse", "newPassword": "quentinsmith", "confirmNewPassword": "quentinsmith"});
    let refused = post_from(&app, VICTIM, &path, change).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn password_checks_by_id_and_for_deletion_are_counted_like_logins() {
    let app = spawn_app_with(|config| {
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        config.max_failures_per_account = 2;
    })
    .await;
    app.register(&Signup::new("paula", "paula@example.org")).await;
    let id: i64 = app.count("SELECT user_id FROM users").await;
    // Paula's browser has logged in before (a session and a device cookie).
    assert_eq!(log_in_with(&app.client, &app, VICTIM, "paula", "correct horse").await.status(), StatusCode::OK);
    let change = json!({"oldPassword": "not it at all", "newPassword": "a fresh secret", "confirmNewPassword": "a fresh secret"});
    let path = format!("/api/v1/users/{id}/password");
    for _ in 0..2 {
        assert_eq!(post_from(&app, ATTACKER, &path, change.clone()).await.status(), StatusCode::FORBIDDEN);
    }
    assert_throttled(post_from(&app, ATTACKER, &path, change.clone()).await).await;
    // The login counter is the same one: the attacker cannot switch routes to keep guessing.
    assert_throttled(log_in_from(&app, ATTACKER, "paula", "correct horse").await).await;

    // Deletion with a stolen session (and the browser's device cookie, which lifts the account's
    // block): the password is still guessed at the same rate, counted per device.
    let delete = |password: &'static str| {
        app.client
            .delete(app.url("/api/v1/users/current"))
            .header("x-forwarded-for", ATTACKER)
            .json(&json!({ "password": password }))
            .send()
    };
    for _ in 0..2 {
        assert_eq!(delete("wrong wrong").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    assert_throttled(delete("correct horse").await.unwrap()).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE deleted_on IS NULL").await, 1);
}

#[tokio::test]
async fn signups_are_limited_per_client_address() {
    let app = spawn_app_with(|config| {
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        config.max_signups_per_address = 2;
    })
    .await;
    let signup = |name: &str| json!({"username": name, "email": format!("{name}@example.org"), "password": "correct horse", "confirmPassword": "correct horse"});
    for name in ["one", "two"] {
        assert_eq!(post_from(&app, ATTACKER, "/api/v1/users", signup(name)).await.status(), StatusCode::OK);
    }
    let wait = assert_throttled(post_from(&app, ATTACKER, "/api/v1/users", signup("three")).await).await;
    assert!(wait > 3000 && wait <= 3600, "the rest of the hour: {wait}");
    assert_eq!(post_from(&app, VICTIM, "/api/v1/users", signup("three")).await.status(), StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 3);
}

#[tokio::test]
async fn the_counters_are_shared_by_two_server_processes_on_one_database() {
    let app = spawn_app_with(|config| {
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        config.max_failures_per_account = 3;
    })
    .await;
    app.register(&Signup::new("shared", "shared@example.org")).await;
    let other = spawn_binary(&app.database, &["--trusted-proxies", "127.0.0.1", "--max-failures-per-account", "3"]);
    let client = reqwest::Client::new();
    let login = |base: String, password: &'static str| {
        client
            .post(format!("{base}/api/v1/auth/login"))
            .header("x-forwarded-for", ATTACKER)
            .json(&json!({"username": "shared", "password": password}))
            .send()
    };
    // Failures spread over both processes add up.
    assert_eq!(login(app.address.clone(), "nope 1").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(login(other.address.clone(), "nope 2").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(login(app.address.clone(), "nope 3").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_throttled(login(other.address.clone(), "nope 4").await.unwrap()).await;
    assert_throttled(login(app.address.clone(), "nope 5").await.unwrap()).await;
}

#[tokio::test]
async fn a_common_password_is_refused_with_a_clear_message() {
    let app = spawn_app_with(|_| {}).await;
    let mut signup = Signup::new("commoner", "commoner@example.org");
    signup.password = "Password123";
    signup.confirm_password = "Password123";
    let response = app.register(&signup).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = crate::helpers::error_body(response).await;
    assert!(body.to_string().contains("one of the most common"), "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

/// A server that believes the test's `x-forwarded-for`, with the default limits (10 failures per
/// account, 100 per client).
async fn behind_a_proxy() -> TestApp {
    spawn_app_with(|config| config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await
}

/// How many of `responses` were refused with 429.
fn refused(responses: &[StatusCode]) -> usize {
    responses.iter().filter(|status| **status == StatusCode::TOO_MANY_REQUESTS).count()
}

/// Ten wrong passwords against `username` from one address: the account is past its limit.
async fn attack(app: &TestApp, username: &str) {
    for _ in 0..10 {
        assert_eq!(log_in_from(app, ATTACKER, username, "guess guess").await.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn changing_address_gains_an_attacker_nothing_and_only_the_owners_browser_gets_in() {
    let app = behind_a_proxy().await;
    app.register(&Signup::new("olivia", "olivia@example.org")).await;
    let owners_browser = new_client();
    assert_eq!(log_in_with(&owners_browser, &app, VICTIM, "olivia", "correct horse").await.status(), StatusCode::OK);
    attack(&app, "olivia").await;
    // Forty more guesses, each from an address that has never failed (TEST-NET-1).
    let mut statuses = Vec::new();
    for host in 1..=40 {
        let address = format!("192.0.2.{host}");
        statuses.push(log_in_from(&app, &address, "olivia", "guess guess").await.status());
    }
    assert!(refused(&statuses) >= 38, "nearly all refused: {statuses:?}");
    // The owner's browser proves an earlier login and gets in during the attack ...
    assert_eq!(log_in_with(&owners_browser, &app, VICTIM, "olivia", "correct horse").await.status(), StatusCode::OK);
    // ... while the owner in a browser without the device cookie waits like anyone: the price.
    let fresh_browser = new_client();
    assert_throttled(log_in_with(&fresh_browser, &app, VICTIM, "olivia", "correct horse").await).await;
}

#[tokio::test]
async fn a_device_cookie_of_another_account_proves_nothing() {
    let app = behind_a_proxy().await;
    app.register(&Signup::new("olivia", "olivia@example.org")).await;
    app.register(&Signup::new("mallory", "mallory@example.org")).await;
    // Mallory's own login gives this browser a device cookie, of Mallory's account.
    let browser = new_client();
    assert_eq!(log_in_with(&browser, &app, VICTIM, "mallory", "correct horse").await.status(), StatusCode::OK);
    attack(&app, "olivia").await;
    assert_throttled(log_in_with(&browser, &app, VICTIM, "olivia", "guess guess").await).await;
    assert_throttled(log_in_with(&browser, &app, VICTIM, "olivia", "correct horse").await).await;
    // The cookie still works for its own account.
    assert_eq!(log_in_with(&browser, &app, VICTIM, "mallory", "correct horse").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_password_change_ends_the_accounts_device_cookies() {
    let app = behind_a_proxy().await;
    app.register(&Signup::new("olivia", "olivia@example.org")).await;
    let id: i64 = app.count("SELECT user_id FROM users").await;
    let browser = new_client();
    assert_eq!(log_in_with(&browser, &app, VICTIM, "olivia", "correct horse").await.status(), StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM known_devices").await, 1);
    // Logging in again from the same browser makes no new device.
    assert_eq!(log_in_with(&browser, &app, VICTIM, "olivia", "correct horse").await.status(), StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM known_devices").await, 1);
    let laptop = new_client();
    assert_eq!(log_in_with(&laptop, &app, VICTIM, "olivia", "correct horse").await.status(), StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM known_devices").await, 2);
    // The change ends both devices; the client that made it (and proved the password) becomes the
    // account's one new device, so its owner can still get in while the account is under attack.
    let change = json!({"oldPassword": "correct horse", "newPassword": "a fresh secret", "confirmNewPassword": "a fresh secret"});
    let changed = post_with(&browser, &app, VICTIM, &format!("/api/v1/users/{id}/password"), change).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM known_devices").await, 1);
    attack(&app, "olivia").await;
    assert_eq!(log_in_with(&browser, &app, VICTIM, "olivia", "a fresh secret").await.status(), StatusCode::OK);
    assert_throttled(log_in_with(&laptop, &app, VICTIM, "olivia", "a fresh secret").await).await;

    // The operator's set-password ends them all.
    app.accounts.set_password(id, "another fresh one").await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM known_devices").await, 0);
    app.execute("DELETE FROM attempt_counters").await;
    attack(&app, "olivia").await;
    assert_throttled(log_in_with(&browser, &app, VICTIM, "olivia", "another fresh one").await).await;
}

#[tokio::test]
async fn simultaneous_wrong_guesses_cannot_slip_past_the_account_limit() {
    let app = behind_a_proxy().await;
    app.register(&Signup::new("olivia", "olivia@example.org")).await;
    let mut guesses = JoinSet::new();
    for guess in 0..40 {
        let (client, url) = (reqwest::Client::new(), app.url("/api/v1/auth/login"));
        guesses.spawn(async move {
            let body = json!({"username": "olivia", "password": format!("guess number {guess}")});
            client.post(url).header("x-forwarded-for", ATTACKER).json(&body).send().await.unwrap().status()
        });
    }
    let statuses: Vec<StatusCode> = guesses.join_all().await;
    let answered = statuses.iter().filter(|status| **status == StatusCode::UNAUTHORIZED).count();
    assert!(answered <= 11, "at most the limit answered: {statuses:?}");
    assert_eq!(answered + refused(&statuses), 40, "{statuses:?}");
}

#[tokio::test]
async fn simultaneous_wrong_guesses_cannot_slip_past_the_client_limit() {
    let app = spawn_app_with(|config| {
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        config.max_failures_per_account = 0;
        config.max_failures_per_address = 10;
    })
    .await;
    let mut guesses = JoinSet::new();
    for guess in 0..40 {
        let (client, url) = (reqwest::Client::new(), app.url("/api/v1/auth/login"));
        guesses.spawn(async move {
            let body = json!({"username": format!("someone{guess}"), "password": "password1"});
            client.post(url).header("x-forwarded-for", ATTACKER).json(&body).send().await.unwrap().status()
        });
    }
    let statuses: Vec<StatusCode> = guesses.join_all().await;
    assert!(refused(&statuses) >= 29, "at most the limit answered: {statuses:?}");
}

#[tokio::test]
async fn addresses_in_one_ipv6_slash_64_are_one_client() {
    let app = spawn_app_with(|config| {
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        config.max_failures_per_account = 0;
        config.max_failures_per_address = 3;
    })
    .await;
    for (address, name) in [("2001:db8:1:2::1", "ann"), ("2001:db8:1:2::2", "ben"), ("2001:db8:1:2:ffff:1:2:3", "cat")]
    {
        assert_eq!(log_in_from(&app, address, name, "password1").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_throttled(log_in_from(&app, "2001:db8:1:2:aaaa::9", "dan", "password1").await).await;
    // The next /64 is another client; the audit trail keeps whole addresses.
    assert_eq!(log_in_from(&app, "2001:db8:1:3::1", "dan", "password1").await.status(), StatusCode::UNAUTHORIZED);
    let recorded: Vec<String> =
        app.scalars("SELECT client_address FROM audit_events WHERE event = 'login_failed'").await;
    assert!(recorded.contains(&"2001:db8:1:2:ffff:1:2:3".to_owned()), "{recorded:?}");
}

#[tokio::test]
async fn the_slash_64s_of_one_ipv6_slash_48_share_its_failures() {
    let app = spawn_app_with(|config| {
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        config.max_failures_per_account = 0;
        config.max_failures_per_address = 1;
        config.max_failures_per_network = 10;
    })
    .await;
    // The owner's browser, somewhere in the same /48, has logged in before.
    app.register(&Signup::new("owner", "owner@example.org")).await;
    let owners_browser = new_client();
    let first = log_in_with(&owners_browser, &app, "2001:db8:7:aaaa::5", "owner", "correct horse").await;
    assert_eq!(first.status(), StatusCode::OK);
    // Each /64 may fail once; their /48 ten times in all.
    for network in 0..10 {
        let address = format!("2001:db8:7:{network:x}::1");
        assert_eq!(log_in_from(&app, &address, "ann", "password1").await.status(), StatusCode::UNAUTHORIZED);
    }
    // The block starts at one second: on a loaded machine it may lapse before the next guess
    // arrives, but each guess let through doubles it, so one of the next few is refused.
    let mut refused = None;
    for network in 0xff00..0xff04 {
        let response = log_in_from(&app, &format!("2001:db8:7:{network:x}::1"), "ann", "password1").await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(response);
            break;
        }
    }
    assert_throttled(refused.expect("a fresh /64 of a /48 past its limit is refused")).await;
    // The owner's browser has proven itself: the /48's block does not hold it back.
    let again = log_in_with(&owners_browser, &app, "2001:db8:7:aaaa::5", "owner", "correct horse").await;
    assert_eq!(again.status(), StatusCode::OK);
    // Another /48, and an IPv4 client, are counted apart.
    assert_eq!(log_in_from(&app, "2001:db8:8::1", "ann", "password1").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(log_in_from(&app, "203.0.113.77", "ann", "password1").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn refused_guesses_are_audited_once_a_minute_per_client_with_how_many_there_were() {
    let app = behind_a_proxy().await;
    app.register(&Signup::new("olivia", "olivia@example.org")).await;
    attack(&app, "olivia").await;
    let mut statuses = Vec::new();
    for _ in 0..30 {
        statuses.push(log_in_from(&app, ATTACKER, "olivia", "guess guess").await.status());
    }
    statuses.push(log_in_from(&app, "192.0.2.9", "olivia", "guess guess").await.status());
    // Addresses of one IPv6 network are one client, whatever name each tries.
    for (n, name) in ["olivia", "OLIVIA", "Olivia", "olivia", "oLIVIA"].into_iter().enumerate() {
        statuses.push(log_in_from(&app, &format!("2001:db8:1:2::{}", n + 1), name, "guess guess").await.status());
    }
    assert_eq!(refused(&statuses), 36, "{statuses:?}");

    let rows: Vec<String> = app
        .scalars(
            "SELECT client_address || ' x' || CAST(repeats AS TEXT) FROM audit_events \
             WHERE event = 'login_throttled' ORDER BY event_id",
        )
        .await;
    // One row per client (one more for each that the attempts crossed a minute), and every
    // refusal counted.
    assert!((3..=5).contains(&rows.len()), "{rows:?}");
    let repeats: i64 =
        app.count("SELECT CAST(SUM(repeats) AS BIGINT) FROM audit_events WHERE event = 'login_throttled'").await;
    assert_eq!(repeats, 36, "{rows:?}");
    assert!(rows.iter().any(|row| row == "192.0.2.9 x1"), "{rows:?}");
    let network: i64 = app
        .count("SELECT CAST(SUM(repeats) AS BIGINT) FROM audit_events WHERE client_address LIKE '2001:db8:1:2::%'")
        .await;
    assert_eq!(network, 5, "{rows:?}");
    assert!(rows.iter().filter(|row| row.starts_with("2001:db8:1:2::")).count() <= 2, "{rows:?}");
    // The failures that were checked stay one row each.
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE event = 'login_failed'").await, 10);
}
