//! Passkeys over HTTP, with a software authenticator (`soft_passkey.rs`) answering the server's
//! ceremonies as a browser would: added on the account page, signing in without a username,
//! standing in as the second step; and refused when replayed, from another origin, cloned,
//! late, malformed or removed.

use reqwest::{Response, StatusCode, header};
use serde_json::Value;

use crate::{
    helpers::{TestApp, TestDatabase, new_client, spawn_app, spawn_app_on, spawn_app_with, spawn_binary},
    soft_passkey::SoftPasskey,
};

/// A ceremony's first half as the browser's script receives it: its id and options.
async fn started(response: Response) -> (String, Value) {
    assert_eq!(response.status(), StatusCode::OK, "{:?}", response.headers().get("x-error-message"));
    let body: Value = response.json().await.unwrap();
    let options = serde_json::from_str(body["options"].as_str().unwrap()).unwrap();
    (body["ceremony"].as_str().unwrap().to_owned(), options)
}

fn origin(app: &TestApp) -> String {
    app.accounts.passkey_origin().expect("the server serves passkeys").to_owned()
}

/// The sentence a refused call carries for the page's script.
fn refusal(response: &Response) -> String {
    let header = response.headers().get("x-error-message").expect("a sentence").to_str().unwrap();
    form_urlencoded::parse(format!("m={header}").as_bytes()).next().unwrap().1.into_owned()
}

/// Adds a passkey named `name` to the signed-in `client`'s account; the finish's answer.
async fn add(app: &TestApp, client: &reqwest::Client, name: &str) -> (SoftPasskey, Response) {
    let (ceremony, options) =
        started(app.post_form(client, "/api/account/passkeys/start", &[("name", name)]).await).await;
    let (passkey, answer) = SoftPasskey::create(&options, &origin(app));
    let form = [("ceremony", ceremony.as_str()), ("credential", &answer.to_string())];
    (passkey, app.post_form(client, "/api/account/passkeys/finish", &form).await)
}

/// Starts a sign-in for `browser` and answers it with `passkey`: the ceremony and the answer,
/// for the test to send (or bend).
async fn answered(app: &TestApp, browser: &reqwest::Client, passkey: &mut SoftPasskey) -> (String, String) {
    let (ceremony, options) = started(app.post_form(browser, "/api/passkey/sign-in/start", &[]).await).await;
    (ceremony, passkey.get(&options, &origin(app)).to_string())
}

/// Signs a new browser in with `passkey`, answering as if at `origin`.
async fn sign_in_at(app: &TestApp, passkey: &mut SoftPasskey, origin: &str) -> (reqwest::Client, Response) {
    let browser = new_client();
    let (ceremony, options) = started(app.post_form(&browser, "/api/passkey/sign-in/start", &[]).await).await;
    let answer = passkey.get(&options, origin);
    let form = [("ceremony", ceremony.as_str()), ("credential", &answer.to_string())];
    let finished = app.post_form(&browser, "/api/passkey/sign-in/finish", &form).await;
    (browser, finished)
}

async fn sign_in(app: &TestApp, passkey: &mut SoftPasskey) -> (reqwest::Client, Response) {
    let origin = origin(app);
    sign_in_at(app, passkey, &origin).await
}

async fn current_user(app: &TestApp, client: &reqwest::Client) -> Option<String> {
    let response = client.get(app.url("/api/v1/users/current")).send().await.unwrap();
    if response.status() != StatusCode::OK {
        return None;
    }
    Some(response.json::<Value>().await.unwrap()["username"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_passkey_added_on_the_account_page_signs_in_without_a_username() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let (ceremony, options) =
        started(app.post_form(&alice, "/api/account/passkeys/start", &[("name", "laptop")]).await).await;
    let selection = &options["publicKey"]["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required", "a passkey that signs in without a username");
    assert_eq!(selection["userVerification"], "required", "the device's PIN or biometrics");
    assert_eq!(options["publicKey"]["rp"]["id"], "localhost", "never an IP address");
    let (mut passkey, answer) = SoftPasskey::create(&options, &origin(&app));
    let form = [("ceremony", ceremony.as_str()), ("credential", &answer.to_string())];
    let finished = app.post_form(&alice, "/api/account/passkeys/finish", &form).await;
    assert_eq!(finished.status(), StatusCode::OK);
    // The first second factor comes with its recovery codes, shown once.
    assert_eq!(finished.headers()[header::LOCATION], "/account/recovery-codes");
    let page = alice.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("laptop") && page.contains("Remove the passkey laptop"), "listed with Remove");
    assert!(page.contains("10 recovery codes are left"));

    let (browser, signed_in) = sign_in(&app, &mut passkey).await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    assert_eq!(signed_in.headers()[header::LOCATION], "/");
    assert_eq!(current_user(&app, &browser).await.as_deref(), Some("alice"));
    let page = alice.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("last used never"), "the passkey's last use is shown");
    let events: Vec<String> = app.scalars("SELECT event || ':' || COALESCE(detail, '') FROM audit_events").await;
    assert!(events.contains(&"second_factor_added:passkey \"laptop\"".to_owned()), "{events:?}");
    assert!(events.contains(&"second_factor_used:passkey \"laptop\"".to_owned()), "{events:?}");
}

#[tokio::test]
async fn a_replayed_or_foreign_answer_opens_nothing() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let (mut passkey, _) = add(&app, &alice, "laptop").await;

    // The same answer twice: its ceremony was used up by the first.
    let browser = new_client();
    let (ceremony, answer) = answered(&app, &browser, &mut passkey).await;
    let form = [("ceremony", ceremony.as_str()), ("credential", answer.as_str())];
    assert_eq!(app.post_form(&browser, "/api/passkey/sign-in/finish", &form).await.status(), StatusCode::OK);
    let thief = new_client();
    let replayed = app.post_form(&thief, "/api/passkey/sign-in/finish", &form).await;
    assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);
    assert!(refusal(&replayed).contains("timed out"), "{}", refusal(&replayed));
    // Nor does it answer a new ceremony: its challenge is another.
    let (fresh, _) = started(app.post_form(&thief, "/api/passkey/sign-in/start", &[]).await).await;
    let form = [("ceremony", fresh.as_str()), ("credential", answer.as_str())];
    assert_eq!(app.post_form(&thief, "/api/passkey/sign-in/finish", &form).await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(current_user(&app, &thief).await, None);

    // Signed for another site (a phishing page relaying the challenge): refused.
    let (phished, refused) = sign_in_at(&app, &mut passkey, "https://dioptra-login.example").await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(current_user(&app, &phished).await, None);
}

#[tokio::test]
async fn a_cloned_passkey_is_caught_by_its_counter() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let (mut passkey, _) = add(&app, &alice, "key").await;
    passkey.counter = 5;
    assert_eq!(sign_in(&app, &mut passkey).await.1.status(), StatusCode::OK);
    // A copy of the key that has signed less than the original.
    passkey.counter = 3;
    let (clone, refused) = sign_in(&app, &mut passkey).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(current_user(&app, &clone).await, None);
}

#[tokio::test]
async fn a_late_or_malformed_answer_is_a_clear_400() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let (mut passkey, _) = add(&app, &alice, "laptop").await;

    let browser = new_client();
    let (ceremony, answer) = answered(&app, &browser, &mut passkey).await;
    app.execute("UPDATE passkey_ceremonies SET expires_on = 0").await;
    let form = [("ceremony", ceremony.as_str()), ("credential", answer.as_str())];
    let late = app.post_form(&browser, "/api/passkey/sign-in/finish", &form).await;
    assert_eq!(late.status(), StatusCode::BAD_REQUEST);
    assert_eq!(refusal(&late), "This passkey request has timed out. Try again.");

    // Deeply nested (serde_json stops at 128 levels), within the 64 KiB a body may have.
    let huge = "[".repeat(10_000);
    for credential in ["", "not json", "{}", "{\"id\": 1}", huge.as_str()] {
        let (ceremony, _) = started(app.post_form(&browser, "/api/passkey/sign-in/start", &[]).await).await;
        let form = [("ceremony", ceremony.as_str()), ("credential", credential)];
        let refused = app.post_form(&browser, "/api/passkey/sign-in/finish", &form).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{credential:.20}");
    }
    for ceremony in ["", "nonsense", &"A".repeat(43)] {
        let form = [("ceremony", ceremony), ("credential", answer.as_str())];
        let refused = app.post_form(&browser, "/api/passkey/sign-in/finish", &form).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    }
    // A sign-in's ceremony cannot finish adding a passkey, nor another account's ceremony.
    let (adding, options) = started(app.post_form(&alice, "/api/account/passkeys/start", &[("name", "")]).await).await;
    let answer = SoftPasskey::create(&options, &origin(&app)).1.to_string();
    let (signing_in, _) = started(app.post_form(&browser, "/api/passkey/sign-in/start", &[]).await).await;
    let form = [("ceremony", signing_in.as_str()), ("credential", answer.as_str())];
    assert_eq!(app.post_form(&alice, "/api/account/passkeys/finish", &form).await.status(), StatusCode::BAD_REQUEST);
    let bob = app.signed_in_as("bob").await;
    let form = [("ceremony", adding.as_str()), ("credential", answer.as_str())];
    assert_eq!(app.post_form(&bob, "/api/account/passkeys/finish", &form).await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.count("SELECT COUNT(*) FROM passkeys").await, 1, "nothing was added");
}

#[tokio::test]
async fn one_address_cannot_pile_up_ceremonies() {
    let app = spawn_app().await;
    let browser = new_client();
    let mut statuses = Vec::new();
    for _ in 0..55 {
        statuses.push(app.post_form(&browser, "/api/passkey/sign-in/start", &[]).await.status());
    }
    assert!(statuses[..50].iter().all(|status| *status == StatusCode::OK), "{statuses:?}");
    assert_eq!(statuses[54], StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.count("SELECT COUNT(*) FROM passkey_ceremonies").await, 50);
}

#[tokio::test]
async fn a_password_login_then_asks_for_the_passkey_and_the_api_for_an_application_password() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let (mut passkey, _) = add(&app, &alice, "laptop").await;

    let browser = new_client();
    let login = app.log_in_with(&browser, "alice", "correct horse").await;
    assert_eq!(login.headers()[header::LOCATION], "/login/code");
    assert_eq!(current_user(&app, &browser).await, None, "no session before the second step");
    let page = browser.get(app.url("/login/code")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Sign in with a passkey") && page.contains("Use a recovery code"));
    assert!(!page.contains("name=\"code\""), "no app, so no field for its code");
    // The second step is the passkey's sign-in, which ends the waiting login.
    let (ceremony, answer) = answered(&app, &browser, &mut passkey).await;
    let form = [("ceremony", ceremony.as_str()), ("credential", answer.as_str())];
    let finished = app.post_form(&browser, "/api/passkey/sign-in/finish", &form).await;
    assert_eq!(finished.status(), StatusCode::OK);
    assert_eq!(current_user(&app, &browser).await.as_deref(), Some("alice"));

    let api = new_client();
    let body = serde_json::json!({"username": "alice", "password": "correct horse"});
    let refused = api.post(app.url("/api/v1/auth/login")).json(&body).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.text().await.unwrap().contains("application password"));
}

#[tokio::test]
async fn adding_and_removing_need_a_fresh_password_and_removing_ends_the_passkey() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let (mut passkey, added) = add(&app, &alice, "laptop").await;
    assert_eq!(added.status(), StatusCode::OK);
    let other = sign_in(&app, &mut passkey).await.0;

    // An hour later, the session alone adds and removes nothing.
    app.execute("UPDATE sessions SET confirmed_on = 0").await;
    let stale = app.post_form(&alice, "/api/account/passkeys/start", &[("name", "phone")]).await;
    assert_eq!(stale.status(), StatusCode::BAD_REQUEST);
    assert_eq!(refusal(&stale), "Enter your password to confirm.");
    let id: Vec<i64> = app.scalars("SELECT passkey_id FROM passkeys").await;
    let id = id[0].to_string();
    let refused = app.post_form(&alice, "/api/account/passkeys/remove", &[("passkey_id", &id)]).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let wrong = [("passkey_id", id.as_str()), ("password", "wrong horse")];
    assert!(app.post_form(&alice, "/api/account/passkeys/remove", &wrong).await.status().is_client_error());
    assert_eq!(app.count("SELECT COUNT(*) FROM passkeys").await, 1);

    let form = [("passkey_id", id.as_str()), ("password", "correct horse")];
    let removed = app.post_form(&alice, "/api/account/passkeys/remove", &form).await;
    assert_eq!(removed.status(), StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM passkeys").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM recovery_codes").await, 0, "no second factor, no recovery codes");
    assert_eq!(current_user(&app, &other).await, None, "the other sessions ended");
    assert_eq!(current_user(&app, &alice).await.as_deref(), Some("alice"), "this one stays");
    let (thief, refused) = sign_in(&app, &mut passkey).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(current_user(&app, &thief).await, None);
    // The password alone logs in again.
    assert_eq!(app.log_in_with(&new_client(), "alice", "correct horse").await.headers()[header::LOCATION], "/");
}

#[tokio::test]
async fn a_disabled_accounts_passkey_opens_nothing() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let (mut passkey, _) = add(&app, &alice, "laptop").await;
    app.execute("UPDATE users SET disabled_on = 1 WHERE username = 'alice'").await;
    let (browser, refused) = sign_in(&app, &mut passkey).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(current_user(&app, &browser).await, None);
}

#[tokio::test]
async fn a_ceremony_started_on_one_server_finishes_on_another() {
    let database = TestDatabase::new().await;
    let origin = "http://localhost:8443";
    let first = spawn_app_on(TestDatabase::existing(database.url.clone()), |config| {
        config.public_url = Some(origin.into());
        config.max_signups_per_address = 0;
    })
    .await;
    let second = spawn_binary(&database, &["--public-url", origin]);
    let alice = first.signed_in_as("alice").await;
    let (ceremony, options) =
        started(first.post_form(&alice, "/api/account/passkeys/start", &[("name", "laptop")]).await).await;
    let (mut passkey, answer) = SoftPasskey::create(&options, origin);
    let finished = alice
        .post(format!("{}/api/account/passkeys/finish", second.address))
        .header(header::ACCEPT, "application/json")
        .form(&[("ceremony", ceremony.as_str()), ("credential", &answer.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(finished.status(), StatusCode::OK);

    let browser = new_client();
    let start = browser
        .post(format!("{}/api/passkey/sign-in/start", second.address))
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    let (ceremony, options) = started(start).await;
    let answer = passkey.get(&options, origin).to_string();
    let form = [("ceremony", ceremony.as_str()), ("credential", answer.as_str())];
    assert_eq!(first.post_form(&browser, "/api/passkey/sign-in/finish", &form).await.status(), StatusCode::OK);
    assert_eq!(current_user(&first, &browser).await.as_deref(), Some("alice"));
}

#[tokio::test]
async fn an_expired_password_renews_nothing_on_an_account_with_only_a_passkey() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let (mut passkey, _) = add(&app, &alice, "laptop").await;
    app.execute("UPDATE users SET password_expires_on = 1").await;
    // Someone with the password alone: the renewal form refuses, and nothing changes.
    let form = [
        ("username", "alice"),
        ("old_password", "correct horse"),
        ("new_password", "a brand new secret"),
        ("confirm_new_password", "a brand new secret"),
    ];
    let renewed = app.submit_form(&new_client(), "/api/password/renew", &app.url("/password/renew"), &form).await;
    assert!(renewed.contains("__err"), "{renewed}");
    assert_eq!(current_user(&app, &alice).await.as_deref(), Some("alice"), "the owner's session lives on");
    // The password leads to the second step, as on any account with a second factor.
    let login = app.log_in_with(&new_client(), "alice", "correct horse").await;
    assert_eq!(login.headers()[header::LOCATION], "/login/code");
    // The console (alice, the first account, is an administrator) marks the account.
    let console =
        alice.get(app.url("/admin/accounts?search=username:alice")).send().await.unwrap().text().await.unwrap();
    assert!(console.contains(">Two-step<"), "{console}");
    assert_eq!(sign_in(&app, &mut passkey).await.1.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_administrators_turn_off_ends_the_passkeys_and_one_being_added() {
    let app = spawn_app().await;
    let admin = app.signed_in_as("olga").await;
    let bob = app.signed_in_as("bob").await;
    let (mut first, _) = add(&app, &bob, "laptop").await;
    let (ceremony, options) =
        started(app.post_form(&bob, "/api/account/passkeys/start", &[("name", "phone")]).await).await;
    let (_, answer) = SoftPasskey::create(&options, &origin(&app));
    let ids: Vec<i64> = app.scalars("SELECT user_id FROM users WHERE username = 'bob'").await;
    let act = format!("/api/v1/admin/users/{}/remove-second-factor", ids[0]);
    assert_eq!(admin.post(app.url(&act)).send().await.unwrap().status(), StatusCode::OK);
    let form = [("ceremony", ceremony.as_str()), ("credential", &answer.to_string())];
    assert_eq!(app.post_form(&bob, "/api/account/passkeys/finish", &form).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("SELECT COUNT(*) FROM passkeys").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM passkey_ceremonies").await, 0);
    assert_eq!(sign_in(&app, &mut first).await.1.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn logins_finished_with_a_passkey_leave_nothing_counted() {
    // The password step counts a check against the account until the second step; a passkey
    // that finishes the login must clear it, or its owner would lock themselves out.
    let app = spawn_app_with(|config| {
        config.max_failures_per_account = 3;
        config.max_failures_per_address = 3;
    })
    .await;
    let alice = app.signed_in_as("alice").await;
    let (mut passkey, _) = add(&app, &alice, "laptop").await;
    for _ in 0..5 {
        let browser = new_client();
        let login = app.log_in_with(&browser, "alice", "correct horse").await;
        assert_eq!(login.headers()[header::LOCATION], "/login/code");
        let (ceremony, answer) = answered(&app, &browser, &mut passkey).await;
        let form = [("ceremony", ceremony.as_str()), ("credential", answer.as_str())];
        assert_eq!(app.post_form(&browser, "/api/passkey/sign-in/finish", &form).await.status(), StatusCode::OK);
    }
    let counted = app.count("SELECT COUNT(*) FROM attempt_counters WHERE scope <> 'signup' AND attempts > 0").await;
    assert_eq!(counted, 0);
}
