//! The settings administrators share across replicas (`/admin/settings`, `/api/v1/admin/settings`):
//! who may read and change them, that a change applies at once here and within seconds on another
//! replica, and where each value comes from.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Signup, TestApp, new_client, spawn_app, spawn_binary};

const PASSWORD: &str = "correct horse";

async fn settings(app: &TestApp, client: &reqwest::Client) -> (StatusCode, Value) {
    let response = client.get(app.url("/api/v1/admin/settings")).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn change(app: &TestApp, client: &reqwest::Client, body: Value) -> (StatusCode, Value) {
    let response = client.patch(app.url("/api/v1/admin/settings")).json(&body).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Signs up through the API's `POST /users` on the server at `address`.
async fn sign_up(address: &str, username: &str, password: &str) -> StatusCode {
    let body = json!({"username": username, "email": format!("{username}@example.org"),
        "password": password, "confirmPassword": password});
    new_client().post(format!("{address}/api/v1/users")).json(&body).send().await.unwrap().status()
}

#[tokio::test]
async fn only_administrators_read_and_change_the_settings() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    let member = app.signed_in_as("mia").await;
    assert_eq!(settings(&app, &new_client()).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(settings(&app, &member).await.0, StatusCode::FORBIDDEN);
    assert_eq!(change(&app, &member, json!({"signupOpen": false})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(new_client().get(app.url("/admin/settings")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(member.get(app.url("/admin/settings")).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    let (status, body) = settings(&app, &owner).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["signupOpen"], json!({"value": true, "commandLine": true, "source": "commandLine"}));
    assert_eq!(body["minPasswordLength"]["value"], 8);
    assert_eq!(body["minPasswordLength"]["source"], "commandLine");
    assert_eq!(sign_up(&app.address, "nina", PASSWORD).await, StatusCode::OK, "the member's attempt changed nothing");
}

#[tokio::test]
async fn a_change_applies_at_once_here_and_within_seconds_on_another_replica() {
    // Up to 20 signups on the replica while it has not yet read the change: the per-client limit
    // on signups (20 an hour, counted in the shared database) is not what this test is about.
    let app = crate::helpers::spawn_app_with(|config| config.max_signups_per_address = 0).await;
    let owner = app.signed_in_as("olga").await;
    let replica = spawn_binary(&app.database, &[]);

    let (status, body) = change(&app, &owner, json!({"signupOpen": false, "minPasswordLength": 12})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["signupOpen"]["value"], false);
    assert_eq!(body["signupOpen"]["commandLine"], true);
    assert_eq!(body["signupOpen"]["source"], "set");
    assert_eq!(body["signupOpen"]["setBy"], "olga");
    assert_eq!(body["minPasswordLength"]["value"], 12);
    assert_eq!(sign_up(&app.address, "nina", "long enough secret").await, StatusCode::FORBIDDEN);
    let page = new_client().get(app.url("/register")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Signup is closed on this deployment"));

    // The other replica reads the table every few seconds.
    let started = Instant::now();
    // (Until it does, each attempt makes an account: a new name each time.)
    let mut attempt = 0;
    while sign_up(&replica.address, &format!("early{attempt}"), "long enough secret").await != StatusCode::FORBIDDEN {
        attempt += 1;
        assert!(started.elapsed() < Duration::from_secs(15), "the replica never closed signup");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Open again: the minimum length applies to new passwords, not to those already set.
    assert_eq!(change(&app, &owner, json!({"signupOpen": true})).await.0, StatusCode::OK);
    let short = app
        .register(&Signup {
            password: "eleven char",
            confirm_password: "eleven char",
            ..Signup::new("nina", "nina@example.org")
        })
        .await;
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
    assert!(short.text().await.unwrap().contains("at least 12 characters"));
    assert_eq!(sign_up(&app.address, "nina", "twelve chars").await, StatusCode::OK);
    assert_eq!(app.log_in("olga", PASSWORD).await.status(), StatusCode::OK, "an old, shorter password still works");

    let details: Vec<String> =
        app.scalars("SELECT detail FROM audit_events WHERE event = 'setting_changed' ORDER BY event_id").await;
    assert_eq!(details, ["signup_open: true → false", "min_password_length: 8 → 12", "signup_open: false → true"]);
}

#[tokio::test]
async fn bad_values_are_refused_and_a_stale_session_must_confirm() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    for (body, field) in [
        (json!({"minPasswordLength": 7}), "minPasswordLength"),
        (json!({"minPasswordLength": 65}), "minPasswordLength"),
        (json!({"minPasswordLength": "12"}), "minPasswordLength"),
        (json!({"signupOpen": "no"}), "signupOpen"),
        (json!({"signupOpen": true, "colour": "blue"}), "colour"),
    ] {
        let (status, answer) = change(&app, &owner, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(answer["errors"][field].is_array(), "{body}: {answer}");
    }
    let (_, body) = settings(&app, &owner).await;
    assert_eq!(body["signupOpen"]["source"], "commandLine", "nothing half-done");
    assert_eq!(app.count("SELECT COUNT(*) FROM settings").await, 0);

    // A value chosen while the command line decides is stored, even the same one (another
    // replica may have been started with other flags); the same value again records nothing.
    let (_, body) = change(&app, &owner, json!({"signupOpen": true})).await;
    assert_eq!(body["signupOpen"]["source"], "set");
    assert_eq!(change(&app, &owner, json!({"signupOpen": true})).await.0, StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE event = 'setting_changed'").await, 1);

    app.execute("UPDATE sessions SET confirmed_on = confirmed_on - 601000000").await;
    let (status, body) = change(&app, &owner, json!({"signupOpen": false})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "ConfirmationNeededError", "{body}");
}

/// Posts the settings form as a browser without JavaScript does; the redirect's target.
async fn save(app: &TestApp, client: &reqwest::Client, form: &[(&str, &str)]) -> String {
    app.submit_form(client, "/api/admin/settings", &app.url("/admin/settings"), form).await
}

#[tokio::test]
async fn the_settings_page_shows_where_each_value_comes_from_and_saves_with_the_form() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    let page = owner.get(app.url("/admin/settings")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("From the command line: open (no --disable-signup)."), "{page}");
    assert!(page.contains("From the command line: 8 (--min-password-length)."));
    assert!(page.contains(">Save settings</button>") && !page.contains("confirm-password"));

    let shown = [("signup_open_was", "true"), ("min_password_length_was", "8")];
    let target =
        save(&app, &owner, &[&shown[..], &[("signup_open", "false"), ("min_password_length", "10")]].concat()).await;
    assert_eq!(target, "/admin/settings?saved=2");
    let page = owner.get(app.url(&target)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Saved: the changes apply on every replica within seconds."));
    assert!(page.contains("Set by olga on ") && page.contains("the command line says open (no --disable-signup)."));
    assert!(page.contains(r#"value="false" checked"#) || page.contains(r#"checked value="false""#), "closed is chosen");
    let again = save(&app, &owner, &[("signup_open", "false"), ("min_password_length", "10")]).await;
    assert_eq!(again, "/admin/settings?saved=0");
    let wrong = save(&app, &owner, &[("signup_open", "false"), ("min_password_length", "100")]).await;
    assert!(wrong.contains("__err="), "{wrong}");

    // A stale session: the page asks for the password, and the form saves with it.
    app.execute("UPDATE sessions SET confirmed_on = confirmed_on - 601000000").await;
    let page = owner.get(app.url("/admin/settings")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("confirm-password"));
    let refused = save(&app, &owner, &[("signup_open", "true"), ("min_password_length", "10")]).await;
    assert!(refused.contains("__err="), "{refused}");
    let saved =
        save(&app, &owner, &[("signup_open", "true"), ("min_password_length", "10"), ("password", PASSWORD)]).await;
    assert_eq!(saved, "/admin/settings?saved=1");
}

#[tokio::test]
async fn a_page_left_open_does_not_undo_another_administrators_change() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    // The page showed signup open and length 8; meanwhile another administrator closes signup.
    assert_eq!(change(&app, &owner, json!({"signupOpen": false})).await.0, StatusCode::OK);
    let form = [
        ("signup_open", "true"),
        ("signup_open_was", "true"),
        ("min_password_length", "12"),
        ("min_password_length_was", "8"),
    ];
    assert_eq!(save(&app, &owner, &form).await, "/admin/settings?saved=1");
    let (_, body) = settings(&app, &owner).await;
    assert_eq!(body["signupOpen"]["value"], false, "the untouched field stays as the other administrator left it");
    assert_eq!(body["minPasswordLength"]["value"], 12);
}

#[tokio::test]
async fn a_stored_value_no_form_could_save_is_never_trusted() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    app.execute("INSERT INTO settings (name, value, changed_on) VALUES ('signup_open', 'False', 0)").await;
    app.execute("INSERT INTO settings (name, value, changed_on) VALUES ('min_password_length', '0', 0)").await;
    app.accounts.refresh_settings().await.unwrap();
    assert_eq!(sign_up(&app.address, "nina", PASSWORD).await, StatusCode::FORBIDDEN, "unreadable: signup closes");
    let change = app
        .post_form(
            &owner,
            "/api/account/password",
            &[("old_password", PASSWORD), ("new_password", "x"), ("confirm_new_password", "x")],
        )
        .await;
    assert_eq!(change.status(), StatusCode::BAD_REQUEST, "a length of 0 is ignored");
}
