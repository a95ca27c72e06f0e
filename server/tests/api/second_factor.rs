//! The second factor: an authenticator app set up from the secret its page shows, a login that
//! then asks for its code (once per code, within the guessing limits), recovery codes, and the
//! REST API's login, which takes an application password instead.

use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use totp_rs::{Algorithm, Builder, Secret};

use crate::helpers::{TestApp, new_client, spawn_app, spawn_app_with};

const PASSWORD: &str = "correct horse";
const LOGIN_CODE: &str = "/api/login/code";

/// The authenticator app's side: the code for `steps` steps of 30 seconds from now.
fn code(secret: &str, steps: i64) -> String {
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(Secret::try_from_base32(secret.replace(' ', "")).unwrap())
        .build()
        .unwrap();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    totp.generate(now.checked_add_signed(steps * 30).unwrap()).to_string()
}

fn between<'a>(page: &'a str, before: &str, after: &str) -> Option<&'a str> {
    let start = page.find(before)? + before.len();
    Some(&page[start..start + page[start..].find(after)?])
}

/// Sets up an authenticator app for the signed-in `client` (its code of this step turns it on);
/// the secret and the recovery codes the pages showed.
async fn set_up(app: &TestApp, client: &reqwest::Client) -> (String, Vec<String>) {
    let started = app.submit_form(client, "/api/account/authenticator/start", &app.url("/account"), &[]).await;
    assert_eq!(started, "/account/authenticator");
    let page = client.get(app.url("/account/authenticator")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<svg") && page.contains("QR code"), "the page draws the QR code");
    let tag = between(&page, "id=\"authenticator-secret\"", "</code>").expect("the secret as text");
    let secret = tag.split_once('>').unwrap().1.to_owned();
    let confirmed = app
        .submit_form(
            client,
            "/api/account/authenticator/confirm",
            &app.url("/account/authenticator"),
            &[("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(confirmed, "/account/recovery-codes");
    let page = client.get(app.url("/account/recovery-codes")).send().await.unwrap().text().await.unwrap();
    let codes: Vec<String> =
        page.split("<li><code>").skip(1).filter_map(|rest| rest.split_once('<')).map(|(c, _)| c.to_owned()).collect();
    assert_eq!(codes.len(), 10, "{page}");
    (secret, codes)
}

/// Logs a new browser in with the password; it then waits for the second step.
async fn password_step(app: &TestApp, username: &str) -> reqwest::Client {
    let browser = new_client();
    let location =
        app.submit_form(&browser, "/api/login", &app.url("/"), &[("username", username), ("password", PASSWORD)]).await;
    assert_eq!(location, "/login/code", "the password alone does not sign in");
    browser
}

async fn second_step(app: &TestApp, browser: &reqwest::Client, field: &str, value: &str) -> String {
    app.submit_form(browser, LOGIN_CODE, &app.url("/login/code"), &[(field, value)]).await
}

async fn signed_in(app: &TestApp, client: &reqwest::Client) -> bool {
    client.get(app.url("/api/v1/users/current")).send().await.unwrap().status() == StatusCode::OK
}

async fn api_login(app: &TestApp, username: &str, password: &str) -> (StatusCode, Value) {
    let response = new_client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_authenticator_app_makes_login_ask_for_its_code_once() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let (secret, _) = set_up(&app, &alice).await;
    assert!(signed_in(&app, &alice).await, "setting it up keeps this session");

    let browser = password_step(&app, "alice").await;
    assert!(!signed_in(&app, &browser).await, "no session before the code");
    let page = browser.get(app.url("/login/code")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Use a recovery code"), "{page}");
    // The step after the set-up's: the set-up's own code is used up. Typed with a space.
    let next = code(&secret, 1);
    let typed = format!("{} {}", &next[..3], &next[3..]);
    assert_eq!(second_step(&app, &browser, "code", &typed).await, "/");
    assert!(signed_in(&app, &browser).await);

    // The same code again, on another login: refused (RFC 6238 §5.2), and counted as a failure.
    let replay = password_step(&app, "alice").await;
    let refused = second_step(&app, &replay, "code", &next).await;
    assert!(refused.contains("__err"), "{refused}");
    assert!(!signed_in(&app, &replay).await);
    let events: Vec<String> = app.scalars("SELECT event FROM audit_events ORDER BY event_id").await;
    for event in ["second_factor_added", "recovery_codes_made", "second_factor_used", "second_factor_failed"] {
        assert!(events.iter().any(|e| e == event), "{event} in {events:?}");
    }
}

#[tokio::test]
async fn malformed_codes_are_refused_without_counting_and_wrong_ones_end_the_login_after_five() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let (secret, _) = set_up(&app, &alice).await;
    let browser = password_step(&app, "alice").await;
    for malformed in ["12345", "1234567", "12a456", ""] {
        let location = second_step(&app, &browser, "code", malformed).await;
        assert!(location.contains("__err"), "{malformed:?}: {location}");
    }
    assert_eq!(app.count("SELECT failures FROM login_challenges").await, 0, "typing mistakes are not guesses");
    // A code that is not the app's: never the current one.
    let wrong = if code(&secret, 1) == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert!(second_step(&app, &browser, "code", wrong).await.contains("__err"));
    }
    let right = second_step(&app, &browser, "code", &code(&secret, 1)).await;
    assert!(right.contains("__err"), "after five wrong codes the login has ended: {right}");
    assert!(!signed_in(&app, &browser).await);
    let page = browser.get(app.url("/login/code")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Log in again"), "{page}");
}

#[tokio::test]
async fn a_recovery_code_works_once_in_place_of_the_app() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let (_, codes) = set_up(&app, &alice).await;
    let stored: Vec<Vec<u8>> = app.scalars("SELECT code_hash FROM recovery_codes").await;
    assert_eq!(stored.len(), 10);
    assert!(stored.iter().all(|hash| hash.len() == 32), "only SHA-256 hashes are kept");

    let browser = password_step(&app, "alice").await;
    assert_eq!(second_step(&app, &browser, "recovery_code", &codes[3].to_uppercase()).await, "/");
    assert!(signed_in(&app, &browser).await);
    let again = password_step(&app, "alice").await;
    assert!(second_step(&app, &again, "recovery_code", &codes[3]).await.contains("__err"), "used once");
    assert_eq!(app.count("SELECT COUNT(*) FROM recovery_codes").await, 9);
    // Shown once: the codes' page no longer has them.
    let page = alice.get(app.url("/account/recovery-codes")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains(&codes[0]), "shown only once");
}

#[tokio::test]
async fn the_api_takes_an_application_password_and_not_the_password_alone() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    set_up(&app, &alice).await;
    let (status, body) = api_login(&app, "alice", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["message"].as_str().unwrap().contains("application password"), "{body}");
    // A wrong password says nothing of the second factor.
    let (status, body) = api_login(&app, "alice", "not the password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("Invalid username or password.") && !message.contains("application"), "{body}");

    let made = app
        .submit_form(
            &alice,
            "/api/account/application-passwords/create",
            &app.url("/account"),
            &[("name", "notebook"), ("expires", "never")],
        )
        .await;
    assert!(!made.contains("__err"), "{made}");
    let page = alice.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    let at = page.find("id=\"application-password\"").expect("the new application password is shown");
    let secret = page[at..].split_once("value=\"").unwrap().1.split_once('"').unwrap().0;
    assert_eq!(api_login(&app, "alice", secret).await.0, StatusCode::OK);
}

#[tokio::test]
async fn an_expired_password_renews_nothing_without_the_code_and_turning_off_needs_one() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let (secret, codes) = set_up(&app, &alice).await;
    // The renewal form would change the password on the password alone: it refuses, like a
    // wrong password, and nothing changes.
    app.execute("UPDATE users SET password_expires_on = 1").await;
    let browser = new_client();
    let form = [
        ("username", "alice"),
        ("old_password", PASSWORD),
        ("new_password", "a brand new secret"),
        ("confirm_new_password", "a brand new secret"),
    ];
    let renewed = app.submit_form(&browser, "/api/password/renew", &app.url("/password/renew"), &form).await;
    assert!(renewed.contains("__err"), "{renewed}");
    assert!(signed_in(&app, &alice).await, "the owner's session lives on");
    // The owner logs in with password and code, and changes the password on the account page.
    let browser = password_step(&app, "alice").await;
    assert_eq!(second_step(&app, &browser, "code", &code(&secret, 1)).await, "/");
    let page = browser.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Your password has expired. Please choose a new one now."), "the account page says so");

    let off = "/api/account/authenticator/off";
    let wrong = app.submit_form(&browser, off, &app.url("/account"), &[("code", "abcd-efgh-jkmn-pqrs")]).await;
    assert!(wrong.contains("__err"), "{wrong}");
    let turned_off = app.submit_form(&browser, off, &app.url("/account"), &[("code", &codes[0])]).await;
    assert_eq!(turned_off, "/account?saved=authenticator-off#second-factor");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM totp_factors").await + app.count("SELECT COUNT(*) FROM recovery_codes").await,
        0
    );
    assert!(!signed_in(&app, &alice).await, "turning it off ends the other sessions");
    assert!(signed_in(&app, &browser).await);
}

#[tokio::test]
async fn knowing_the_password_gives_no_fresh_guesses_at_the_code() {
    let app = crate::helpers::spawn_app_with(|config| config.max_failures_per_account = 4).await;
    let alice = app.signed_in_as("alice").await;
    set_up(&app, &alice).await;
    // The password step counts until its code is right; three wrong codes make four.
    let browser = password_step(&app, "alice").await;
    for wrong in ["000000", "111111", "222222"] {
        second_step(&app, &browser, "code", wrong).await;
    }
    // Logging in again with the password does not wipe the count.
    let again = new_client()
        .post(app.url("/api/login"))
        .header(header::ACCEPT, "application/json")
        .form(&[("username", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn parallel_answers_to_one_login_get_five_tries_in_all() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    set_up(&app, &alice).await;
    let browser = password_step(&app, "alice").await;
    let mut answers = tokio::task::JoinSet::new();
    for n in 0..20 {
        let (browser, url) = (browser.clone(), app.url(LOGIN_CODE));
        answers.spawn(async move {
            let code = format!("{:06}", 100_000 + n);
            browser
                .post(url)
                .header(header::ACCEPT, "application/json")
                .form(&[("code", code)])
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    answers.join_all().await;
    assert_eq!(app.count("SELECT failures FROM login_challenges").await, 5);
    let tried = app.count("SELECT COUNT(*) FROM audit_events WHERE event = 'second_factor_failed'").await;
    assert!(tried <= 5, "{tried} codes were checked");
}

#[tokio::test]
async fn a_session_alone_neither_makes_recovery_codes_nor_reads_a_waiting_set_up() {
    let app = spawn_app().await;
    let alice = app.signed_in_as("alice").await;
    let (secret, codes) = set_up(&app, &alice).await;
    let new = "/api/account/recovery-codes/new";
    let without = app.submit_form(&alice, new, &app.url("/account"), &[("code", "")]).await;
    assert!(without.contains("__err"), "{without}");
    // The set-up used this step's code: the same code again is named as used, not as wrong.
    let replay = app.submit_form(&alice, new, &app.url("/account"), &[("code", &code(&secret, 0))]).await;
    assert!(replay.contains("__err"), "{replay}");
    assert_eq!(app.count("SELECT COUNT(*) FROM recovery_codes").await, 10);
    let made = app.submit_form(&alice, new, &app.url("/account"), &[("code", &code(&secret, 1))]).await;
    assert_eq!(made, "/account/recovery-codes");
    let page = alice.get(app.url("/account/recovery-codes")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains(&codes[0]) && page.contains("<li><code>"), "new codes, the old ones gone");

    // A set-up waiting for its code shows its key only to a session whose password is fresh.
    let bob = app.signed_in_as("bob").await;
    app.submit_form(&bob, "/api/account/authenticator/start", &app.url("/account"), &[]).await;
    app.execute("UPDATE sessions SET confirmed_on = 0").await;
    let page = bob.get(app.url("/account/authenticator")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("authenticator-secret"), "a stale session sees no key");
}

#[tokio::test]
async fn logins_with_a_second_factor_leave_nothing_counted_against_the_account_or_its_address() {
    // An office behind one address, whose people log in with a second factor all day, must not
    // find that address slowed down as if each login had been a wrong guess.
    let app = spawn_app_with(|config| {
        config.max_failures_per_account = 3;
        config.max_failures_per_address = 3;
    })
    .await;
    let alice = app.signed_in_as("alice").await;
    let (_, codes) = set_up(&app, &alice).await;
    for code in &codes[..5] {
        let browser = password_step(&app, "alice").await;
        assert_eq!(second_step(&app, &browser, "recovery_code", code).await, "/");
        assert!(signed_in(&app, &browser).await);
    }
    let counted = app.count("SELECT COUNT(*) FROM attempt_counters WHERE scope <> 'signup' AND attempts > 0").await;
    assert_eq!(counted, 0, "every right password and right code was taken back");
}
