//! Password reset links: made by an administrator (API, console) and used once by the account's
//! owner on `/password/reset`, within 24 hours; only a hash of the token is stored.

use reqwest::{StatusCode, header};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, new_client, session_cookie, spawn_app};

const PASSWORD: &str = "correct horse";
const NEW_PASSWORD: &str = "a brand new secret";

/// Makes a reset link for account `user_id` through the API, as administrator `admin`.
async fn make_link(app: &TestApp, admin: &reqwest::Client, user_id: i64) -> (StatusCode, Value) {
    let response = admin.post(app.url(&format!("/api/v1/admin/users/{user_id}/reset-link"))).send().await.unwrap();
    let status = response.status();
    if status == StatusCode::OK {
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store", "a link shown once is never cached");
    }
    (status, response.json().await.unwrap())
}

async fn link_of(app: &TestApp, admin: &reqwest::Client, user_id: i64) -> String {
    let (status, body) = make_link(app, admin, user_id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["resetLink"].as_str().unwrap().to_owned()
}

fn token_of(link: &str) -> &str {
    link.split_once("?token=").unwrap().1
}

async fn open(link: &str) -> (StatusCode, String) {
    let response = new_client().get(link).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Posts the reset page's form as a browser without JavaScript does; the redirect's target.
async fn use_link(app: &TestApp, link: &str, password: &str, confirmation: &str) -> String {
    let form = [("token", token_of(link)), ("new_password", password), ("confirm_new_password", confirmation)];
    app.submit_form(&new_client(), "/api/password/reset", link, &form).await
}

async fn mia(app: &TestApp) -> (reqwest::Client, reqwest::Client, i64) {
    let owner = app.signed_in_as("olga").await;
    let member = app.signed_in_as("mia").await;
    let id = app.count("SELECT user_id FROM users WHERE username = 'mia'").await;
    (owner, member, id)
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_ends_every_session() {
    let app = spawn_app().await;
    let (owner, member, mia) = mia(&app).await;
    let (status, body) = make_link(&app, &owner, mia).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let link = body["resetLink"].as_str().unwrap();
    assert!(link.starts_with(&app.url("/password/reset?token=")), "{link}");
    assert!(body["resetLinkExpiresOn"].as_str().is_some(), "{body}");

    let (status, html) = open(link).await;
    assert_eq!(status, StatusCode::OK);
    for shown in ["Choose a new password", "<strong>mia</strong>", "New password", "Confirm password"] {
        assert!(html.contains(shown), "{shown}");
    }

    let target = use_link(&app, link, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(target, "/?reset=1");
    assert_eq!(
        member.get(app.url("/api/v1/users/current")).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "every session of the account ends"
    );
    assert_eq!(app.log_in("mia", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.log_in("mia", NEW_PASSWORD).await.status(), StatusCode::OK);

    // Used once, the link works no more: neither its page nor its form.
    let (status, html) = open(link).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("This reset link no longer works"));
    let again = use_link(&app, link, "yet another secret", "yet another secret").await;
    assert!(again.contains("__err="), "{again}");
    assert_eq!(app.log_in("mia", NEW_PASSWORD).await.status(), StatusCode::OK);
    let events: Vec<String> = app.scalars("SELECT event FROM audit_events ORDER BY event_id").await;
    for event in ["reset_link_issued", "password_reset_by_link"] {
        assert!(events.iter().any(|e| e == event), "{event} in {events:?}");
    }
}

#[tokio::test]
async fn only_a_hash_of_the_token_is_stored() {
    let app = spawn_app().await;
    let (owner, _member, mia) = mia(&app).await;
    let link = link_of(&app, &owner, mia).await;
    let token = token_of(&link);
    let stored: Vec<Vec<u8>> = app.scalars("SELECT token_hash FROM reset_links").await;
    assert_eq!(stored, vec![Sha256::digest(token.as_bytes()).to_vec()]);
    assert!(!stored[0].windows(8).any(|w| token.as_bytes().windows(8).any(|t| t == w)));
}

#[tokio::test]
async fn a_newer_link_an_expired_link_and_a_new_password_each_end_a_link() {
    let app = spawn_app().await;
    let (owner, member, mia) = mia(&app).await;
    let first = link_of(&app, &owner, mia).await;
    let second = link_of(&app, &owner, mia).await;
    assert_eq!(open(&first).await.0, StatusCode::NOT_FOUND, "the newer link replaces the first");
    assert_eq!(open(&second).await.0, StatusCode::OK);

    // 24 hours on, the link has expired.
    app.execute("UPDATE reset_links SET expires_on = expires_on - 86400000001").await;
    assert_eq!(open(&second).await.0, StatusCode::NOT_FOUND);
    assert!(use_link(&app, &second, NEW_PASSWORD, NEW_PASSWORD).await.contains("__err="));
    assert_eq!(app.log_in("mia", PASSWORD).await.status(), StatusCode::OK);

    // The owner changing the password makes an outstanding link moot.
    let third = link_of(&app, &owner, mia).await;
    let change = app
        .post_form(
            &member,
            "/api/account/password",
            &[("old_password", PASSWORD), ("new_password", NEW_PASSWORD), ("confirm_new_password", NEW_PASSWORD)],
        )
        .await;
    assert!(change.status().is_success(), "{}", change.text().await.unwrap());
    assert_eq!(open(&third).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn two_uses_at_once_set_one_password() {
    let app = spawn_app().await;
    let (owner, _member, mia) = mia(&app).await;
    for round in 0..3 {
        let link = link_of(&app, &owner, mia).await;
        let (first, second) = (format!("first secret {round}"), format!("second secret {round}"));
        let (a, b) = tokio::join!(use_link(&app, &link, &first, &first), use_link(&app, &link, &second, &second));
        let done: Vec<_> = [&a, &b].into_iter().filter(|target| *target == "/?reset=1").collect();
        assert_eq!(done.len(), 1, "round {round}: {a} / {b}");
        let winner = if a == "/?reset=1" { &first } else { &second };
        let loser = if a == "/?reset=1" { &second } else { &first };
        assert_eq!(app.log_in("mia", winner).await.status(), StatusCode::OK, "round {round}");
        assert_eq!(app.log_in("mia", loser).await.status(), StatusCode::UNAUTHORIZED, "round {round}");
    }
}

#[tokio::test]
async fn a_disabled_account_gets_no_link_and_loses_the_one_it_had() {
    let app = spawn_app().await;
    let (owner, _member, mia) = mia(&app).await;
    let link = link_of(&app, &owner, mia).await;
    let disable = owner.post(app.url(&format!("/api/v1/admin/users/{mia}/disable"))).send().await.unwrap();
    assert_eq!(disable.status(), StatusCode::OK);
    assert_eq!(open(&link).await.0, StatusCode::NOT_FOUND, "disabling ends the link");
    let (status, body) = make_link(&app, &owner, mia).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["detail"].as_str().unwrap_or_default().contains("disabled") || body.to_string().contains("disabled"));
    assert_eq!(app.count("SELECT COUNT(*) FROM reset_links").await, 0);

    // Enabled again, it gets a new link, and a link made by the operator works the same.
    owner.post(app.url(&format!("/api/v1/admin/users/{mia}/enable"))).send().await.unwrap();
    let link = link_of(&app, &owner, mia).await;
    assert_eq!(use_link(&app, &link, NEW_PASSWORD, NEW_PASSWORD).await, "/?reset=1");
}

#[tokio::test]
async fn the_reset_page_explains_what_is_wrong_and_keeps_the_link_working() {
    let app = spawn_app().await;
    let (owner, _member, mia) = mia(&app).await;
    let link = link_of(&app, &owner, mia).await;
    for (password, confirmation, shown) in [
        (NEW_PASSWORD, "something else entirely", "Passwords do not match"),
        ("short", "short", "Password must be at least 8 characters"),
        ("password123", "password123", "one of the most common ones"),
    ] {
        let back = use_link(&app, &link, password, confirmation).await;
        assert!(back.starts_with(&link) && back.contains("__err="), "{back}");
        let (status, html) = open(&back).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Please correct the highlighted fields.") && html.contains(shown), "{shown}");
    }
    assert_eq!(open(&link).await.0, StatusCode::OK, "a refused password leaves the link working");
    for junk in ["", "not-a-token", "%00", &"A".repeat(5000)] {
        let (status, html) = open(&app.url(&format!("/password/reset?token={junk}"))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{junk:.20}");
        assert!(html.contains("This reset link no longer works"));
    }
    // `same-origin` for every page: the token never leaves for another site in a Referer, and a
    // form posted without JavaScript still finds its way back to this page.
    let policy = new_client()
        .get(&link)
        .send()
        .await
        .unwrap()
        .headers()
        .get(header::REFERRER_POLICY)
        .map(|value| value.to_str().unwrap().to_owned());
    assert_eq!(policy.as_deref(), Some("same-origin"));
}

#[tokio::test]
async fn the_console_shows_a_new_link_once_from_its_cookie() {
    let app = spawn_app().await;
    let (owner, _member, mia) = mia(&app).await;
    let id = mia.to_string();
    let response = owner
        .post(app.url("/api/admin/act"))
        .form(&[("act", "reset-link"), ("user_id", id.as_str()), ("back", "/admin/accounts")])
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, app.url(&format!("/admin/act?act=reset-link&user={mia}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let target = response.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(target, format!("/admin/accounts?done=reset-link&user={mia}&ended=0"));
    assert!(!target.contains("token"), "the link is never in an address");
    let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("dioptra_reset_link=") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");

    let shown = owner.get(app.url(&target)).send().await.unwrap();
    let cleared = shown.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cleared.starts_with("dioptra_reset_link=;") && cleared.contains("Max-Age=0"), "{cleared}");
    let html = shown.text().await.unwrap();
    let start = html.find(&app.url("/password/reset?token=")).expect("the whole link is shown");
    let link: String = html[start..].chars().take_while(|c| *c != '"').collect();
    assert!(html.contains(">Copy</button>") && html.contains("/console.js"));

    let again = owner.get(app.url(&target)).send().await.unwrap().text().await.unwrap();
    assert!(!again.contains("/password/reset?token=") && again.contains("was shown once"));
    assert_eq!(use_link(&app, &link, NEW_PASSWORD, NEW_PASSWORD).await, "/?reset=1");
}

/// Makes `username` an administrator (an admin of `public`) or takes it back, as the owner.
async fn set_admin(app: &TestApp, owner: &reqwest::Client, user_id: i64, admin: bool) {
    let act = if admin { "make-admin" } else { "remove-admin" };
    let response = owner.post(app.url(&format!("/api/v1/admin/users/{user_id}/{act}"))).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{act}");
}

#[tokio::test]
async fn a_link_works_only_while_its_maker_could_still_make_it() {
    let app = spawn_app().await;
    let (owner, _member, mia) = mia(&app).await;
    let adam_client = app.signed_in_as("adam").await;
    let adam = app.count("SELECT user_id FROM users WHERE username = 'adam'").await;
    set_admin(&app, &owner, adam, true).await;

    // A plain admin's link for a member, and the member is then made an administrator: only the
    // owner acts on administrators, so the link no longer opens the account.
    let link = link_of(&app, &adam_client, mia).await;
    set_admin(&app, &owner, mia, true).await;
    assert_eq!(open(&link).await.0, StatusCode::NOT_FOUND);
    assert!(use_link(&app, &link, NEW_PASSWORD, NEW_PASSWORD).await.contains("__err="));
    assert_eq!(app.log_in("mia", PASSWORD).await.status(), StatusCode::OK, "the password is unchanged");
    // The owner's own link for an administrator works.
    let link = link_of(&app, &owner, mia).await;
    assert_eq!(open(&link).await.0, StatusCode::OK);

    // A link from an admin who is no longer one opens nothing.
    set_admin(&app, &owner, mia, false).await;
    let link = link_of(&app, &adam_client, mia).await;
    set_admin(&app, &owner, adam, false).await;
    assert_eq!(open(&link).await.0, StatusCode::NOT_FOUND);
    assert!(use_link(&app, &link, NEW_PASSWORD, NEW_PASSWORD).await.contains("__err="));
    assert_eq!(app.log_in("mia", PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn enabling_an_account_brings_back_no_link() {
    let app = spawn_app().await;
    let (owner, _member, mia) = mia(&app).await;
    let link = link_of(&app, &owner, mia).await;
    // As if a link had been made while the account was being disabled.
    app.execute("UPDATE users SET disabled_on = 1 WHERE username = 'mia'").await;
    let enable = owner.post(app.url(&format!("/api/v1/admin/users/{mia}/enable"))).send().await.unwrap();
    assert_eq!(enable.status(), StatusCode::OK);
    assert_eq!(open(&link).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM reset_links").await, 0);
}

#[tokio::test]
async fn a_link_has_the_scheme_the_browser_used() {
    let app = spawn_app().await;
    let (owner, _member, mia) = mia(&app).await;
    // Behind a proxy that ends TLS the browser's Origin says https, though the request the
    // server sees came over http.
    let https = app.url("").replacen("http://", "https://", 1);
    let response = owner
        .post(app.url(&format!("/api/v1/admin/users/{mia}/reset-link")))
        .header(header::ORIGIN, &https)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert!(body["resetLink"].as_str().unwrap().starts_with(&format!("{https}/password/reset?token=")), "{body}");
}

#[tokio::test]
async fn a_planted_cookie_shows_no_link_and_logging_out_forgets_a_real_one() {
    let app = spawn_app().await;
    let (owner, _member, mia) = mia(&app).await;
    let planted_token = "A".repeat(43);
    let page = app.url(&format!("/admin/accounts?done=reset-link&user={mia}&ended=0"));
    // The owner's session beside a cookie someone else planted (a sibling subdomain can).
    let login = app.log_in_with(&reqwest::Client::new(), "olga", PASSWORD).await;
    let session = session_cookie(&login).unwrap();
    let session = session.split(';').next().unwrap();
    let shown = reqwest::Client::new()
        .get(&page)
        .header(header::COOKIE, format!("{session}; dioptra_reset_link={mia}.{planted_token}.http://evil.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), StatusCode::OK);
    let cleared = shown.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cleared.starts_with("dioptra_reset_link=;"), "{cleared}");
    let html = shown.text().await.unwrap();
    assert!(!html.contains("evil.example") && !html.contains(&planted_token), "a planted link is never shown");
    assert!(html.contains("was shown once"));

    let logout = app.log_out_with(&owner).await;
    let cookies: Vec<_> = logout.headers().get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
    assert!(cookies.iter().any(|cookie| cookie.starts_with("dioptra_reset_link=;")), "{cookies:?}");
}
