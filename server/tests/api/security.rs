use reqwest::{StatusCode, header};

use crate::helpers::{Signup, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_cross_site_post_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    for (name, value) in [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")] {
        let response = app
            .client
            .post(app.url("/api/register"))
            .header(name, value)
            .form(&[
                ("username", "victim"),
                ("email", "v@example.org"),
                ("password", "correct horse"),
                ("confirm_password", "correct horse"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        let api = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .header(name, value)
            .json(&serde_json::json!({"username": "victim", "password": "correct horse"}))
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        assert!(api.json::<serde_json::Value>().await.unwrap()["message"].is_string());
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn same_origin_posts_and_scripts_without_an_origin_pass() {
    let app = spawn_app().await;
    let host = app.address.trim_start_matches("http://").to_owned();
    let response = app
        .client
        .post(app.url("/api/register"))
        .header("origin", &app.address)
        .header("host", &host)
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("username", "alice"),
            ("email", "a@example.org"),
            ("password", "correct horse"),
            ("confirm_password", "correct horse"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.register(&Signup::new("bob", "bob@example.org")).await.status(), StatusCode::OK);
    // A refused form post also ends on a page with status 200: the accounts are what tell.
    let created: Vec<String> = app.scalars("SELECT username FROM users ORDER BY user_id").await;
    assert_eq!(created, ["alice", "bob"]);
}

#[tokio::test]
async fn pages_carry_a_strict_content_security_policy_and_are_not_cached() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/")).send().await.unwrap();
    let headers = response.headers().clone();
    let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    for directive in ["default-src 'self'", "'wasm-unsafe-eval'", "frame-ancestors 'none'", "object-src 'none'"] {
        assert!(policy.contains(directive), "{policy} lacks {directive}");
    }
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    // The one inline script, the hydration loader, runs by the nonce the policy names.
    let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce");
    let page = response.text().await.unwrap();
    assert!(page.contains(&format!("nonce=\"{nonce}\"")), "the script should carry the nonce");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::REFERRER_POLICY], "same-origin");

    let again = app.client.get(app.url("/")).send().await.unwrap();
    assert_ne!(again.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap(), policy, "a new nonce per page");
}

#[tokio::test]
async fn api_answers_are_not_cached() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/api/v1/users/current")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(response.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
}

#[tokio::test]
async fn behind_an_https_public_url_the_cookie_is_secure_and_host_prefixed() {
    let app = spawn_app_with(|config| config.public_url = Some("https://accounts.example.org".into())).await;
    app.register(&Signup::new("alice", "alice@example.org")).await;
    let response = app.log_in("alice", "correct horse").await;
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-dioptra_session="))
        .expect("a __Host- session cookie")
        .to_owned();
    assert!(cookie.contains("; Secure") && cookie.contains("; Path=/") && !cookie.contains("Domain"), "{cookie}");
    // The device cookie, which lets this browser log in while the account is under attack, too.
    let device = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-dioptra_device="))
        .expect("a __Host- device cookie")
        .to_owned();
    for attribute in ["; Secure", "; Path=/", "; HttpOnly", "; SameSite=Lax", "; Max-Age=31536000"] {
        assert!(device.contains(attribute) && !device.contains("Domain"), "{device}");
    }

    // The proxy forwards to the server's own address; the browser's Origin is the public one.
    let from_the_public_site = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("origin", "https://accounts.example.org")
        .json(&serde_json::json!({"username": "alice", "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(from_the_public_site.status(), StatusCode::OK);
    let from_elsewhere = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("origin", &app.address)
        .json(&serde_json::json!({"username": "alice", "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(from_elsewhere.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_directory_index_at_the_end_of_the_integers_is_an_empty_page_not_a_panic() {
    let app = spawn_app().await;
    app.register(&Signup::new("paging", "paging@example.org")).await;
    app.log_in("paging", "correct horse").await;
    for index in ["9223372036854775807", "9223372036854775800"] {
        let response = app.client.get(app.url(&format!("/users?index={index}"))).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "index {index}");
        assert!(response.text().await.unwrap().contains("No users match."), "index {index}");
    }
}

#[tokio::test]
async fn api_writes_must_declare_json_so_a_browser_cannot_send_them_as_a_simple_form() {
    let app = spawn_app().await;
    app.register(&Signup::new("typed", "typed@example.org")).await;
    let body = r#"{"username": "typed", "password": "correct horse"}"#;
    for content_type in
        [None, Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("multipart/form-data")]
    {
        let mut request = app.client.post(app.url("/api/v1/auth/login")).body(body);
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type:?}");
        assert!(response.json::<serde_json::Value>().await.unwrap()["message"].as_str().unwrap().contains("JSON"));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    for content_type in ["application/json", "application/json; charset=utf-8", "Application/JSON"] {
        let response = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{content_type}");
    }
    // A bodiless write (Dioptra's client logs out without one) needs no type.
    let logout = app.client.post(app.url("/api/v1/auth/logout")).send().await.unwrap();
    assert_eq!(logout.status(), StatusCode::OK);
}

#[tokio::test]
async fn with_a_public_url_a_request_addressed_to_another_name_is_refused_as_dns_rebinding() {
    let app = spawn_app_with(|config| {
        config.public_url = Some("https://accounts.example.org".into());
        config.allowed_hosts = vec!["accounts.lab.internal".into()];
    })
    .await;
    let get = |host: &'static str| app.client.get(app.url("/api/v1/users/current")).header(header::HOST, host).send();
    // A page of the attacker's whose name now resolves to this server.
    let rebound = get("rebind.evil.example:3000").await.unwrap();
    assert_eq!(rebound.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = rebound.json().await.unwrap();
    assert_eq!(body["message"], "Bad Request - This server answers to accounts.example.org only.");
    let signup = app
        .client
        .post(app.url("/api/v1/users"))
        .header(header::HOST, "rebind.evil.example")
        .json(&serde_json::json!({"username": "planted", "email": "p@example.org", "password": "correct horse",
            "confirmPassword": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signup.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0, "nothing was created");
    // The public name in any case, the listed names, addresses, localhost and short service
    // names (probes, scrapers, neighbours) all reach the server (401: nobody is signed in).
    for host in ["ACCOUNTS.example.org", "accounts.lab.internal:8443", "127.0.0.1", "[::1]:80", "localhost", "accounts"]
    {
        assert_eq!(get(host).await.unwrap().status(), StatusCode::UNAUTHORIZED, "{host}");
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_every_forwarded_host_name_is_checked_too() {
    let app = spawn_app_with(|config| {
        config.public_url = Some("https://accounts.example.org".into());
        config.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    let get = |forwarded: &'static str| {
        app.client
            .get(app.url("/api/v1/users/current"))
            .header(header::HOST, "accounts:3000")
            .header("x-forwarded-host", forwarded)
            .send()
    };
    assert_eq!(get("accounts.example.org").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    // The proxy forwards the rebound name; or it appends that name to one the page set itself.
    for forwarded in ["rebind.evil.example", "accounts.example.org, rebind.evil.example", "accounts.example.org,"] {
        assert_eq!(get(forwarded).await.unwrap().status(), StatusCode::BAD_REQUEST, "{forwarded}");
    }
}
