//! Reading the session cookie when a request carries more than one of its name: a cookie planted
//! beside the real one (by a sibling subdomain, or by script for another path) must not log the
//! user out, whichever order the browser sends them in.

use reqwest::{StatusCode, header};

use crate::helpers::{Signup, TestApp, session_cookie, spawn_app};

/// A fresh login's token, as the browser would send it back.
async fn log_in_token(app: &TestApp) -> String {
    let client = reqwest::Client::new();
    let response = app.log_in_with(&client, "alice", "correct horse").await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = session_cookie(&response).expect("a session cookie");
    let pair = cookie.split(';').next().unwrap();
    pair.strip_prefix("dioptra_session=").unwrap().to_owned()
}

/// The status of `GET /api/v1/users/current` with exactly these `Cookie` headers.
async fn current_user_status(app: &TestApp, cookie_headers: &[impl AsRef<str>]) -> StatusCode {
    let mut request = reqwest::Client::new().get(app.url("/api/v1/users/current"));
    for value in cookie_headers {
        request = request.header(header::COOKIE, value.as_ref());
    }
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn a_junk_or_ended_session_cookie_beside_the_live_one_does_not_sign_the_user_out() {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;
    let live = log_in_token(&app).await;
    let ended = log_in_token(&app).await;
    let logout = reqwest::Client::new()
        .post(app.url("/api/v1/auth/logout"))
        .header(header::COOKIE, format!("dioptra_session={ended}"))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::OK);
    assert_eq!(current_user_status(&app, &[&format!("dioptra_session={ended}")]).await, StatusCode::UNAUTHORIZED);

    let signed_in = [
        format!("dioptra_session=junk; dioptra_session={live}"),
        format!("dioptra_session={live}; dioptra_session=junk"),
        // Both well-formed, the first no longer a session.
        format!("dioptra_session={ended}; dioptra_session={live}"),
        format!("dioptra_session={live}; dioptra_session={ended}"),
        format!("dioptra_session=; other=1; dioptra_session=junk; dioptra_session={ended}; dioptra_session={live}"),
    ];
    for cookies in &signed_in {
        assert_eq!(current_user_status(&app, &[cookies]).await, StatusCode::OK, "Cookie: {cookies}");
    }
    // The same spread over two `Cookie` headers.
    let split = [format!("dioptra_session={ended}"), format!("dioptra_session={live}")];
    assert_eq!(current_user_status(&app, &[&split[0], &split[1]]).await, StatusCode::OK);

    let signed_out = [format!("dioptra_session=junk; dioptra_session={ended}"), "dioptra_session=junk".to_owned()];
    for cookies in &signed_out {
        assert_eq!(current_user_status(&app, &[cookies]).await, StatusCode::UNAUTHORIZED, "Cookie: {cookies}");
    }
}

#[tokio::test]
async fn logging_out_with_several_session_cookies_ends_the_live_session() {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;
    let live = log_in_token(&app).await;
    let cookies = format!("dioptra_session=junk; dioptra_session={live}");
    let logout = reqwest::Client::new()
        .post(app.url("/api/v1/auth/logout"))
        .header(header::COOKIE, &cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::OK);
    assert_eq!(current_user_status(&app, &[&format!("dioptra_session={live}")]).await, StatusCode::UNAUTHORIZED);
}

/// A cookie of any name with a byte that is not ASCII (browsers send UTF-8 values as they are; a
/// sibling subdomain can set one for the parent domain) must not hide the session cookie.
#[tokio::test]
async fn a_non_ascii_cookie_of_another_name_does_not_sign_the_user_out() {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;
    let live = log_in_token(&app).await;
    let value = header::HeaderValue::from_bytes(format!("junk=\u{e9}t\u{e9}; dioptra_session={live}").as_bytes())
        .expect("obs-text is a legal header byte");
    let status =
        reqwest::Client::new().get(app.url("/api/v1/users/current")).header(header::COOKIE, value).send().await;
    assert_eq!(status.unwrap().status(), StatusCode::OK);
}

/// Browsers send cookies with longer paths first, so a sibling subdomain can put one planted
/// cookie before the user's own for each path prefix of a route.
#[tokio::test]
async fn planted_well_formed_cookies_on_every_longer_path_do_not_sign_the_user_out() {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;
    let live = log_in_token(&app).await;
    let planted: Vec<String> =
        (0..12).map(|_| format!("dioptra_session={}", app::ssr::session::SessionToken::generate().as_str())).collect();
    let cookies = format!("{}; dioptra_session={live}", planted.join("; "));
    assert_eq!(current_user_status(&app, &[&cookies]).await, StatusCode::OK, "Cookie: {cookies}");
}

/// Live sessions of two accounts in one browser: one was planted, and which is the person's
/// cannot be told, so the request is signed in as neither (acting as the planter would be worse).
#[tokio::test]
async fn live_sessions_of_two_accounts_in_one_browser_sign_in_as_neither() {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;
    app.register(&Signup::new("mallory", "mallory@example.org")).await;
    let alice = log_in_token(&app).await;
    let response = app.log_in_with(&reqwest::Client::new(), "mallory", "correct horse").await;
    let mallory = session_cookie(&response).unwrap();
    let mallory = mallory.split(';').next().unwrap().strip_prefix("dioptra_session=").unwrap().to_owned();
    for cookies in [
        format!("dioptra_session={mallory}; dioptra_session={alice}"),
        format!("dioptra_session={alice}; dioptra_session={mallory}"),
    ] {
        assert_eq!(current_user_status(&app, &[&cookies]).await, StatusCode::UNAUTHORIZED, "{cookies}");
    }
    assert_eq!(current_user_status(&app, &[&format!("dioptra_session={alice}")]).await, StatusCode::OK);
}

/// A logout ends every live session the browser presented, not only the one it was signed in
/// with: a session cookie left beside the real one must not outlive the logout.
#[tokio::test]
async fn logging_out_ends_every_live_session_the_browser_presented() {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;
    let first = log_in_token(&app).await;
    let second = log_in_token(&app).await;
    let logout = reqwest::Client::new()
        .post(app.url("/api/v1/auth/logout"))
        .header(header::COOKIE, format!("dioptra_session={first}; dioptra_session={second}"))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::OK);
    for token in [first, second] {
        let after = current_user_status(&app, &[&format!("dioptra_session={token}")]).await;
        assert_eq!(after, StatusCode::UNAUTHORIZED, "a presented session outlived the logout");
    }
}
