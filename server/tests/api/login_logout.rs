use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Signup, error_body, new_client, session_cookie, spawn_app};

#[tokio::test]
async fn logging_in_sets_a_strict_session_cookie_and_shows_the_home_page() {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;

    let response = app.log_in("alice", "correct horse").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["location"], "/");
    let cookie = session_cookie(&response).expect("a session cookie");
    for attribute in ["; HttpOnly", "; SameSite=Lax", "; Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Secure"), "plain http must work: {cookie}");
    assert!(!cookie.contains("Domain"), "host-only: {cookie}");

    let home = app.front_page(&app.client).await;
    assert!(home.contains("Welcome, alice"));
    assert!(home.contains("public"));
}

#[tokio::test]
async fn the_token_carries_256_random_bits_and_only_its_sha256_is_stored() {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;
    let response = app.log_in("alice", "correct horse").await;
    let cookie = session_cookie(&response).unwrap();
    let token = cookie.split(';').next().unwrap().trim_start_matches("dioptra_session=").to_owned();
    use base64::Engine as _;
    use sha2::Digest as _;
    let random = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&token).expect("a base64url token");
    assert_eq!(random.len(), 32, "{token}");

    let stored: Vec<Vec<u8>> = app.scalars("SELECT token_hash FROM sessions").await;
    assert_eq!(stored, [sha2::Sha256::digest(token.as_bytes()).to_vec()]);
}

#[tokio::test]
async fn every_login_gets_a_new_token() {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;
    let first = session_cookie(&app.log_in("alice", "correct horse").await).unwrap();
    let second = session_cookie(&app.log_in("alice", "correct horse").await).unwrap();
    assert_ne!(first, second);
}

#[tokio::test]
async fn login_matches_the_username_in_any_case() {
    let app = spawn_app().await;
    app.register(&Signup::new("Alice", "alice@example.org")).await;
    let response = app.log_in("aLICE", "correct horse").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(app.front_page(&app.client).await.contains("Welcome, Alice"));
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;

    let wrong_password = app.log_in("alice", "wrong password").await;
    let unknown_user = app.log_in("mallory", "wrong password").await;
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_user.status(), StatusCode::UNAUTHORIZED);
    assert!(session_cookie(&wrong_password).is_none() && session_cookie(&unknown_user).is_none());
    assert_eq!(error_body(wrong_password).await, json!("InvalidCredentials"));
    assert_eq!(error_body(unknown_user).await, json!("InvalidCredentials"));
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn empty_login_fields_are_reported_per_field() {
    let app = spawn_app().await;
    let response = app.log_in("", "").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_body(response).await,
        json!({"Invalid": {"username": "This field is required", "password": "This field is required"}})
    );
}

#[tokio::test]
async fn logging_out_deletes_the_session_so_the_old_cookie_stops_working() {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;
    let cookie = session_cookie(&app.log_in("alice", "correct horse").await).unwrap();
    let token_pair = cookie.split(';').next().unwrap().to_owned();

    let response = app.log_out_with(&app.client).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["location"], "/");
    let cleared = session_cookie(&response).expect("the cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);

    // A client that kept the old cookie is no longer signed in.
    let replay = new_client();
    let page = replay.get(app.url("/")).header("cookie", token_pair).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Sign in to access Dioptra") && !page.contains("Welcome, alice"));
}

#[tokio::test]
async fn logging_out_in_one_browser_leaves_the_other_signed_in() {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;
    let laptop = new_client();
    let phone = new_client();
    app.log_in_with(&laptop, "alice", "correct horse").await;
    app.log_in_with(&phone, "alice", "correct horse").await;
    app.log_out_with(&laptop).await;
    assert!(!app.front_page(&laptop).await.contains("Welcome, alice"));
    assert!(app.front_page(&phone).await.contains("Welcome, alice"));
}

#[tokio::test]
async fn a_forged_or_malformed_cookie_is_simply_not_signed_in() {
    let app = spawn_app().await;
    for cookie in [
        "dioptra_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "dioptra_session=not-base64!",
        "dioptra_session=",
    ] {
        let response = new_client().get(app.url("/")).header("cookie", cookie).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{cookie}");
        assert!(response.text().await.unwrap().contains("Sign in to access Dioptra"));
    }
}

#[tokio::test]
async fn a_correct_but_expired_password_leads_to_choosing_a_new_one() {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;
    app.execute("UPDATE users SET password_expires_on = 1").await;
    let api_login = |password: &'static str| {
        app.client.post(app.url("/api/v1/auth/login")).json(&json!({"username": "alice", "password": password})).send()
    };

    // Over the API: Dioptra's expired-password error, told only to someone who knows the password.
    let expired = api_login("correct horse").await.unwrap();
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_body(expired).await["error"], "UserPasswordExpiredError");
    let wrong = api_login("not the password").await.unwrap();
    assert_eq!(error_body(wrong).await["error"], "UserAuthenticationError");

    // In the browser: the login leads to the form that renews it, without a session.
    let login = app.log_in("alice", "correct horse").await;
    assert_eq!(login.status(), StatusCode::OK);
    assert_eq!(login.headers()["location"], "/password/renew?username=alice");
    assert!(session_cookie(&login).is_none());
    let page = app.client.get(app.url("/password/renew?username=alice")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("Choose a new password") && page.contains(r#"value="alice""#), "{page}");

    // A wrong current password and an unknown username get the same answer.
    let app = &app;
    let renew = |username: &'static str, old: &'static str| async move {
        let form = [
            ("username", username),
            ("old_password", old),
            ("new_password", "a renewed horse"),
            ("confirm_new_password", "a renewed horse"),
        ];
        app.post_form(&new_client(), "/api/password/renew", &form).await
    };
    let wrong = renew("alice", "not the password").await;
    let unknown = renew("nobody-at-all", "correct horse").await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert_eq!(unknown.status(), StatusCode::FORBIDDEN);
    assert_eq!(wrong.text().await.unwrap(), unknown.text().await.unwrap());

    let renewed = app
        .post_form(
            &app.client,
            "/api/password/renew",
            &[
                ("username", "alice"),
                ("old_password", "correct horse"),
                ("new_password", "a renewed horse"),
                ("confirm_new_password", "a renewed horse"),
            ],
        )
        .await;
    assert_eq!(renewed.status(), StatusCode::OK);
    assert_eq!(renewed.headers()["location"], "/");
    assert!(session_cookie(&renewed).is_some());
    assert!(app.front_page(&app.client).await.contains("Welcome, alice"));
    assert_eq!(api_login("a renewed horse").await.unwrap().status(), StatusCode::OK);
    assert_eq!(api_login("correct horse").await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn renewing_is_only_for_expired_passwords_and_keeps_the_login_limits() {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;
    let renew = |username: String| {
        let form = [
            ("username", username),
            ("old_password", "correct horse".to_owned()),
            ("new_password", "a renewed horse".to_owned()),
            ("confirm_new_password", "a renewed horse".to_owned()),
        ];
        let request =
            new_client().post(app.url("/api/password/renew")).header("accept", "application/json").form(&form);
        async move { request.send().await.unwrap() }
    };
    // A password that has not expired cannot be "renewed" into a login that skips the login form:
    // the answer is a wrong current password's, and no session starts.
    let fresh = renew("alice".into()).await;
    assert_eq!(fresh.status(), StatusCode::FORBIDDEN);
    assert!(session_cookie(&fresh).is_none());
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    // Longer than any account's name: refused before anything is looked up or counted.
    let long = renew("u".repeat(65)).await;
    assert_eq!(long.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.count("SELECT COUNT(*) FROM attempt_counters WHERE length(subject) > 64").await, 0);
}
