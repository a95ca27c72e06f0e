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
