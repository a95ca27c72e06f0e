//! Application passwords: made on the account page (shown once), they log a script in to the
//! REST API only, end with their revocation, and are taken away by a reset link or deletion.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, new_client, spawn_app};

const PASSWORD: &str = "correct horse";
const CREATE: &str = "/api/account/application-passwords/create";
const REVOKE: &str = "/api/account/application-passwords/revoke";

/// Posts the account page's create form; the redirect's target.
async fn create(app: &TestApp, client: &reqwest::Client, form: &[(&str, &str)]) -> String {
    app.submit_form(client, CREATE, &app.url("/account"), form).await
}

/// The application password the account page shows once, if it shows one.
async fn shown_secret(app: &TestApp, client: &reqwest::Client) -> Option<String> {
    let page = client.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    let at = page.find("id=\"application-password\"")?;
    let value = &page[at..].split_once("value=\"")?.1;
    Some(value.split_once('"')?.0.to_owned())
}

/// Makes an application password named `name` for the signed-in `client`; its secret.
async fn make(app: &TestApp, client: &reqwest::Client, name: &str) -> String {
    let location = create(app, client, &[("name", name), ("expires", "never")]).await;
    assert_eq!(location, "/account?saved=application-password#application-passwords");
    shown_secret(app, client).await.expect("the new application password is shown")
}

/// Logs a new client in over the REST API, as Dioptra's Python client does.
async fn api_login(app: &TestApp, username: &str, password: &str) -> (reqwest::Client, StatusCode, Value) {
    let client = new_client();
    let response = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    (client, status, response.json().await.unwrap_or(Value::Null))
}

async fn current_user(app: &TestApp, client: &reqwest::Client) -> StatusCode {
    client.get(app.url("/api/v1/users/current")).send().await.unwrap().status()
}

#[tokio::test]
async fn an_application_password_logs_a_script_in_to_the_api_and_not_the_pages() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let secret = make(&app, &alice, "notebook").await;
    assert_eq!(secret.len(), 29, "24 characters in groups of four: {secret}");
    assert!(secret.split('-').all(|group| group.len() == 4), "{secret}");
    assert_eq!(shown_secret(&app, &alice).await, None, "shown once, not on the next visit");
    // Only its SHA-256 is stored.
    let plain = secret.replace('-', "");
    let stored: Vec<Vec<u8>> = app.scalars("SELECT secret_hash FROM application_passwords").await;
    assert_eq!(stored, vec![Sha256::digest(plain.as_bytes()).to_vec()]);

    let (script, status, body) = api_login(&app, "alice", &secret).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(current_user(&app, &script).await, StatusCode::OK);
    // Typed without hyphens, in capitals: the same password.
    let (_, status, _) = api_login(&app, "ALICE", &plain.to_uppercase()).await;
    assert_eq!(status, StatusCode::OK);

    // To the pages, the script's session is no session.
    let account = script.get(app.url("/account")).send().await.unwrap();
    assert_eq!(account.status(), StatusCode::FOUND, "sent to the login screen");
    assert_eq!(account.headers()[header::LOCATION], "/");
    assert!(app.front_page(&script).await.contains("Log in"), "the front page shows the login screen");
    // Nor does the login form take it.
    assert_eq!(app.log_in_with(&new_client(), "alice", &secret).await.status(), StatusCode::UNAUTHORIZED);

    let listed = alice.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(listed.contains("notebook") && listed.contains("last used"), "the list shows its last use");
    let events: Vec<String> = app.scalars("SELECT event FROM audit_events ORDER BY event_id").await;
    for event in ["application_password_created", "application_password_used"] {
        assert!(events.iter().any(|e| e == event), "{event} in {events:?}");
    }
}

#[tokio::test]
async fn an_api_session_cannot_change_how_the_account_is_protected() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let secret = make(&app, &alice, "notebook").await;
    let (script, _, _) = api_login(&app, "alice", &secret).await;
    let change =
        json!({"oldPassword": PASSWORD, "newPassword": "another long one", "confirmNewPassword": "another long one"});
    let changed = script.post(app.url("/api/v1/users/current/password")).json(&change).send().await.unwrap();
    assert_eq!(changed.status(), StatusCode::FORBIDDEN);
    let deleted =
        script.delete(app.url("/api/v1/users/current")).json(&json!({"password": PASSWORD})).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::FORBIDDEN);
    // alice owns `public`, so she is an administrator: her script still cannot confirm acts.
    let confirmed =
        script.post(app.url("/api/v1/admin/confirm")).json(&json!({"password": PASSWORD})).send().await.unwrap();
    assert_eq!(confirmed.status(), StatusCode::FORBIDDEN);
    let body: Value = confirmed.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("application password"), "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE deleted_on IS NULL").await, 1);
    assert_eq!(app.log_in_with(&new_client(), "alice", PASSWORD).await.status(), StatusCode::OK, "password unchanged");
}

#[tokio::test]
async fn revoking_ends_its_sessions_and_its_logins() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let kept = make(&app, &alice, "laptop").await;
    let secret = make(&app, &alice, "notebook").await;
    let (script, _, _) = api_login(&app, "alice", &secret).await;
    let (other_script, _, _) = api_login(&app, "alice", &kept).await;
    let id = app.count("SELECT application_password_id FROM application_passwords WHERE name = 'notebook'").await;
    let location =
        app.submit_form(&alice, REVOKE, &app.url("/account"), &[("application_password_id", &id.to_string())]).await;
    assert_eq!(location, "/account?saved=application-password-revoked#application-passwords");
    assert_eq!(current_user(&app, &script).await, StatusCode::UNAUTHORIZED, "its session ended");
    assert_eq!(api_login(&app, "alice", &secret).await.1, StatusCode::UNAUTHORIZED);
    assert_eq!(current_user(&app, &other_script).await, StatusCode::OK, "the other one works on");
    assert_eq!(current_user(&app, &alice).await, StatusCode::OK, "the browser's session too");
    // Twice, or someone else's: nothing to revoke.
    let again =
        app.submit_form(&alice, REVOKE, &app.url("/account"), &[("application_password_id", &id.to_string())]).await;
    assert!(again.contains("__err"), "{again}");
    let bob = app.signed_in_as("bob").await;
    let laptop = app.count("SELECT application_password_id FROM application_passwords WHERE name = 'laptop'").await;
    let theirs =
        app.submit_form(&bob, REVOKE, &app.url("/account"), &[("application_password_id", &laptop.to_string())]).await;
    assert!(theirs.contains("__err"), "{theirs}");
    assert_eq!(current_user(&app, &other_script).await, StatusCode::OK);
}

#[tokio::test]
async fn making_one_needs_a_password_typed_within_ten_minutes() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    app.execute("UPDATE sessions SET confirmed_on = 0").await;
    let page = alice.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("application-password-confirm"), "the form asks for the password");
    let without = create(&app, &alice, &[("name", "notebook"), ("expires", "never")]).await;
    assert!(without.contains("__err"), "{without}");
    let wrong =
        create(&app, &alice, &[("name", "notebook"), ("expires", "never"), ("password", "not it at all")]).await;
    assert!(wrong.contains("__err"), "{wrong}");
    assert_eq!(app.count("SELECT COUNT(*) FROM application_passwords").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE event = 'password_confirmation_failed'").await,
        1,
        "a wrong password is recorded like a failed login"
    );
    let right = create(&app, &alice, &[("name", "notebook"), ("expires", "never"), ("password", PASSWORD)]).await;
    assert_eq!(right, "/account?saved=application-password#application-passwords");
    assert!(shown_secret(&app, &alice).await.is_some());
}

#[tokio::test]
async fn bad_names_and_expiries_are_refused_and_nothing_is_made() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let long = "n".repeat(65);
    for (name, expires) in
        [("", "never"), ("   ", "never"), (long.as_str(), "never"), ("tab\there", "never"), ("ok", "7")]
    {
        let location = create(&app, &alice, &[("name", name), ("expires", expires)]).await;
        assert!(location.contains("__err"), "{name:?} {expires:?}: {location}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM application_passwords").await, 0);
    let location = create(&app, &alice, &[("name", "in a year"), ("expires", "365")]).await;
    assert!(!location.contains("__err"), "{location}");
    let days = app.count("SELECT (expires_on - created_on) / 86400000000 FROM application_passwords").await;
    assert_eq!(days, 365);
}

#[tokio::test]
async fn an_expired_application_password_logs_nobody_in() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let location = create(&app, &alice, &[("name", "month"), ("expires", "30")]).await;
    assert!(!location.contains("__err"));
    let secret = shown_secret(&app, &alice).await.unwrap();
    let (script, status, _) = api_login(&app, "alice", &secret).await;
    assert_eq!(status, StatusCode::OK);
    let session_ends: i64 =
        app.count("SELECT expires_on FROM sessions WHERE application_password_id IS NOT NULL").await;
    let password_ends: i64 = app.count("SELECT expires_on FROM application_passwords").await;
    assert!(session_ends <= password_ends, "a session does not outlast its application password");
    app.execute("UPDATE application_passwords SET expires_on = 1").await;
    app.execute("UPDATE sessions SET expires_on = 1 WHERE application_password_id IS NOT NULL").await;
    assert_eq!(api_login(&app, "alice", &secret).await.1, StatusCode::UNAUTHORIZED);
    assert_eq!(current_user(&app, &script).await, StatusCode::UNAUTHORIZED);
    let page = alice.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("month"), "an expired one is not listed");
}

#[tokio::test]
async fn a_planted_cookie_shows_nobody_else_s_application_password() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let bob = app.signed_in_as("bob").await;
    let response = bob
        .post(app.url(CREATE))
        .form(&[("name", "bob's"), ("expires", "never")])
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, app.url("/account"))
        .send()
        .await
        .unwrap();
    let carried = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|cookie| cookie.starts_with("dioptra_new_application_password="))
        .expect("the secret rides in a cookie");
    assert!(carried.contains("SameSite=Strict") && carried.contains("HttpOnly"), "{carried}");
    let value = carried.split(';').next().unwrap();
    let page = alice.get(app.url("/account")).header(header::COOKIE, value).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("id=\"application-password\""), "bob's secret is not shown to alice");
}

#[tokio::test]
async fn an_account_holds_at_most_twenty_even_when_asked_in_parallel() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let mut attempts = tokio::task::JoinSet::new();
    for n in 0..30 {
        let (client, url) = (alice.clone(), app.url(CREATE));
        attempts.spawn(async move {
            let name = format!("script {n}");
            let form = [("name", name.as_str()), ("expires", "never")];
            client.post(url).form(&form).header(header::ACCEPT, "application/json").send().await.unwrap().status()
        });
    }
    let statuses: Vec<StatusCode> = attempts.join_all().await;
    let made = statuses.iter().filter(|status| status.is_success() || status.is_redirection()).count();
    assert_eq!(made, 20, "{statuses:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM application_passwords").await, 20);
}

#[tokio::test]
async fn a_reset_link_and_deletion_take_application_passwords_away() {
    let app = spawn_app().await;
    let olga = app.signed_in_as("olga").await;
    let mia = app.signed_in_as("mia").await;
    let secret = make(&app, &mia, "notebook").await;
    let (script, _, _) = api_login(&app, "mia", &secret).await;
    let mia_id = app.count("SELECT user_id FROM users WHERE username = 'mia'").await;
    let made = olga.post(app.url(&format!("/api/v1/admin/users/{mia_id}/reset-link"))).send().await.unwrap();
    let link = made.json::<Value>().await.unwrap()["resetLink"].as_str().unwrap().to_owned();
    let token = link.split_once("?token=").unwrap().1.to_owned();
    let form = [
        ("token", token.as_str()),
        ("new_password", "a brand new secret"),
        ("confirm_new_password", "a brand new secret"),
    ];
    app.submit_form(&new_client(), "/api/password/reset", &link, &form).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM application_passwords").await, 0);
    assert_eq!(current_user(&app, &script).await, StatusCode::UNAUTHORIZED);
    assert_eq!(api_login(&app, "mia", &secret).await.1, StatusCode::UNAUTHORIZED);

    // The owner's own change keeps them (their scripts log in again with the same one).
    let mia = new_client();
    assert_eq!(app.log_in_with(&mia, "mia", "a brand new secret").await.status(), StatusCode::OK);
    let kept = make(&app, &mia, "kept").await;
    let change = [
        ("old_password", "a brand new secret"),
        ("new_password", "yet another secret"),
        ("confirm_new_password", "yet another secret"),
    ];
    app.submit_form(&mia, "/api/account/password", &app.url("/account"), &change).await;
    assert_eq!(api_login(&app, "mia", &kept).await.1, StatusCode::OK);
    // Deleting the account takes them with it.
    let deleted =
        app.submit_form(&mia, "/api/account/delete", &app.url("/account"), &[("password", "yet another secret")]).await;
    assert!(!deleted.contains("__err"), "{deleted}");
    assert_eq!(app.count("SELECT COUNT(*) FROM application_passwords").await, 0);
}

#[tokio::test]
async fn an_api_session_cannot_make_anyone_an_administrator_or_rename_the_account() {
    let app = spawn_app().await;
    let olga = app.signed_in_as("olga").await;
    app.signed_in_as("mallory").await;
    let secret = make(&app, &olga, "notebook").await;
    let (script, _, _) = api_login(&app, "olga", &secret).await;
    let public = app.count("SELECT group_id FROM groups WHERE is_default").await;
    let mallory = app.count("SELECT user_id FROM users WHERE username = 'mallory'").await;
    let url = app.url(&format!("/api/v1/groups/{public}/members/{mallory}"));
    for change in [json!({"admin": true}), json!({"owner": true})] {
        let response = script.patch(&url).json(&change).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{change}");
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM group_managers WHERE user_id = (SELECT user_id FROM users WHERE username = 'mallory')"
        )
        .await,
        0
    );
    // Permissions that manage nothing stay a script's to change.
    let read_only = script.patch(&url).json(&json!({"write": false})).send().await.unwrap();
    assert_eq!(read_only.status(), StatusCode::OK);
    let renamed = script
        .put(app.url("/api/v1/users/current"))
        .json(&json!({"username": "olga2", "email": "mallory@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE username = 'olga'").await, 1);
}

#[tokio::test]
async fn an_application_password_neither_resets_nor_trips_the_account_s_guessing_limit() {
    let app = crate::helpers::spawn_app_with(|config| config.max_failures_per_account = 3).await;
    let alice = app.signed_in_as("alice").await;
    let secret = make(&app, &alice, "notebook").await;
    for _ in 0..3 {
        assert_eq!(api_login(&app, "alice", "guess guess").await.1, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(api_login(&app, "alice", "guess again").await.1, StatusCode::TOO_MANY_REQUESTS);
    // The owner's script still logs in while the password is under attack ...
    let (script, status, _) = api_login(&app, "alice", &secret).await;
    assert_eq!(status, StatusCode::OK);
    // ... gets no device cookie that would let its client past the limit ...
    let (_, status, _) = {
        let response = script
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": "alice", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        (0, response.status(), 0)
    };
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "an application password makes no known device");
    // ... and does not wipe the count of guesses against the password.
    assert_eq!(api_login(&app, "alice", PASSWORD).await.1, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn disabling_the_account_or_expiring_its_password_takes_application_passwords_away() {
    let app = spawn_app().await;
    let olga = app.signed_in_as("olga").await;
    let mia = app.signed_in_as("mia").await;
    let mia_id = app.count("SELECT user_id FROM users WHERE username = 'mia'").await;
    for act in ["disable", "expire-password"] {
        let secret = make(&app, &mia, act).await;
        let acted = olga.post(app.url(&format!("/api/v1/admin/users/{mia_id}/{act}"))).send().await.unwrap();
        assert_eq!(acted.status(), StatusCode::OK, "{act}");
        if act == "disable" {
            let enabled = olga.post(app.url(&format!("/api/v1/admin/users/{mia_id}/enable"))).send().await.unwrap();
            assert_eq!(enabled.status(), StatusCode::OK);
        }
        assert_eq!(api_login(&app, "mia", &secret).await.1, StatusCode::UNAUTHORIZED, "after {act}");
        assert_eq!(app.count("SELECT COUNT(*) FROM application_passwords").await, 0, "after {act}");
        if act == "disable" {
            // The disable ended mia's browser session too: log in again for the next round.
            assert_eq!(app.log_in_with(&mia, "mia", PASSWORD).await.status(), StatusCode::OK);
        }
    }
}

#[tokio::test]
async fn revoking_while_a_script_logs_in_again_and_again_ends_every_session() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let secret = make(&app, &alice, "busy").await;
    let id = app.count("SELECT application_password_id FROM application_passwords").await;
    assert_eq!(api_login(&app, "alice", &secret).await.1, StatusCode::OK);
    let mut logins = tokio::task::JoinSet::new();
    for _ in 0..30 {
        let (url, secret) = (app.url("/api/v1/auth/login"), secret.clone());
        logins.spawn(async move {
            new_client()
                .post(url)
                .json(&json!({"username": "alice", "password": secret}))
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    let revoked =
        app.submit_form(&alice, REVOKE, &app.url("/account"), &[("application_password_id", &id.to_string())]).await;
    let statuses = logins.join_all().await;
    assert_eq!(revoked, "/account?saved=application-password-revoked#application-passwords");
    // Before the revocation a session, after it a failure like any wrong password; never a 5xx.
    let expected = [StatusCode::OK, StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS];
    assert!(statuses.iter().all(|status| expected.contains(status)), "{statuses:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions WHERE application_password_id IS NOT NULL").await, 0);
}
