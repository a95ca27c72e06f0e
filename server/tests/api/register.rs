use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Signup, error_body, spawn_app};

#[tokio::test]
async fn registering_creates_the_account_and_redirects_to_the_login_page() {
    let app = spawn_app().await;
    let response = app.register(&Signup::new("alice", "alice@example.org")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["location"], "/?registered=alice");
    assert!(response.headers().get("set-cookie").is_none(), "signup must not log the user in");
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE username = 'alice'").await, 1);
}

#[tokio::test]
async fn the_first_user_founds_public_as_owner_and_admin_and_later_users_read_and_write() {
    let app = spawn_app().await;
    app.register(&Signup::new("founder", "founder@example.org")).await;
    app.register(&Signup::new("member", "member@example.org")).await;

    let ids: Vec<i64> = app.scalars("SELECT user_id FROM users ORDER BY user_id").await;
    let founder = app.accounts.memberships(ids[0]).await.unwrap();
    assert_eq!(founder.len(), 1);
    let public = &founder[0];
    assert_eq!(public.group_name, "public");
    assert!(public.can_read && public.can_write && public.can_share_read && public.can_share_write);
    assert!(public.is_owner && public.is_admin);

    let member = app.accounts.memberships(ids[1]).await.unwrap();
    assert_eq!(member.len(), 1);
    let public = &member[0];
    assert_eq!(public.group_name, "public");
    assert!(public.can_read && public.can_write);
    assert!(!public.can_share_read && !public.can_share_write && !public.is_owner && !public.is_admin);
    assert_eq!(app.count("SELECT COUNT(*) FROM groups").await, 1);
}

#[tokio::test]
async fn a_taken_username_is_refused_whatever_its_case_and_changes_nothing() {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;
    for username in ["alice", "ALICE", " Alice "] {
        let response = app.register(&Signup::new(username, "another@example.org")).await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "{username:?}");
        assert_eq!(error_body(response).await, json!({"Taken": {"username": "This username is already taken"}}));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM group_members").await, 1);
}

#[tokio::test]
async fn a_taken_email_is_refused_whatever_its_case() {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;
    let response = app.register(&Signup::new("bob", "Alice@Example.ORG")).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(
        error_body(response).await,
        json!({"Taken": {"email": "An account with this email address already exists"}})
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
}

#[tokio::test]
async fn invalid_fields_are_all_reported_and_nothing_is_stored() {
    let app = spawn_app().await;
    let long_username = "u".repeat(65);
    let huge_password = "p".repeat(1025);
    let cases = [
        (
            Signup { username: "", email: "", password: "", confirm_password: "" },
            json!({"username": "This field is required", "email": "This field is required",
                   "password": "This field is required", "confirmPassword": "This field is required"}),
        ),
        (
            Signup { username: "two words", email: "nope", password: "short", confirm_password: "short" },
            json!({"username": "Use only letters, digits and . _ - @ +", "email": "Invalid email address",
                   "password": "Password must be at least 8 characters"}),
        ),
        (
            Signup {
                username: &long_username,
                email: "a@b.co",
                password: &huge_password,
                confirm_password: &huge_password,
            },
            json!({"username": "Username must be at most 64 characters",
                   "password": "Password must be at most 1024 characters"}),
        ),
        (
            Signup {
                username: "carol",
                email: "carol@example.org",
                password: "correct horse",
                confirm_password: "correct horsE",
            },
            json!({"confirmPassword": "Passwords do not match"}),
        ),
    ];
    for (signup, expected) in cases {
        let response = app.register(&signup).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{expected}");
        assert_eq!(error_body(response).await, json!({ "Invalid": expected }));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn a_missing_field_is_a_bad_request_not_a_server_error() {
    let app = spawn_app().await;
    let response = app.post_form(&app.client, "/api/register", &[("username", "dave")]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(error_body(response).await.get("BadRequest").is_some());
}

#[tokio::test]
async fn a_form_post_without_javascript_redirects_back_with_the_error() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/register"))
        .header("accept", "text/html")
        .header("referer", app.url("/register"))
        .form(&[
            ("username", "eve"),
            ("email", "bad"),
            ("password", "correct horse"),
            ("confirm_password", "correct horse"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("/register?") && location.contains("__err="), "{location}");

    // Following it shows the same message the browser shows.
    let page = app.client.get(&location).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Invalid email address"), "the page should show the error");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn the_password_hash_is_argon2id_and_never_the_password() {
    let app = spawn_app().await;
    app.register(&Signup::new("frank", "frank@example.org")).await;
    let hash: String = app.scalars("SELECT password_hash FROM users").await.remove(0);
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    assert!(!hash.contains("correct horse"));
}

#[tokio::test]
async fn a_name_typed_decomposed_is_the_account_typed_composed() {
    let app = spawn_app().await;
    // "Zoë" with ë as one character (NFC, what keyboards send).
    assert_eq!(app.register(&Signup::new("Zo\u{eb}", "zoe@example.org")).await.status(), StatusCode::OK);
    // The same name with e and a combining diaeresis (NFD) logs in, and cannot be taken again.
    assert_eq!(app.log_in("Zoe\u{308}", "correct horse").await.status(), StatusCode::OK);
    let again = app.register(&Signup::new("ZOE\u{308}", "other@example.org")).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    // A 64-character name typed decomposed is 64 characters, not 128.
    let long_composed = "\u{eb}".repeat(64);
    assert_eq!(app.register(&Signup::new(&long_composed, "long@example.org")).await.status(), StatusCode::OK);
    assert_eq!(app.log_in(&"e\u{308}".repeat(64), "correct horse").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn names_stored_decomposed_by_an_earlier_version_are_composed_at_the_next_start() {
    let app = spawn_app().await;
    app.register(&Signup::new("zoe-old", "zoe@example.org")).await;
    app.register(&Signup::new("Zo\u{eb}", "zoe2@example.org")).await;
    app.register(&Signup::new("chloe-old", "chloe@example.org")).await;
    // What an earlier version stored for names and addresses typed decomposed: the name and the
    // keys as typed.
    app.execute(
        "UPDATE users SET username = 'Chloe\u{308}', username_key = 'chloe\u{308}', \
         email = 'chloe\u{308}@example.org', email_key = 'chloe\u{308}@example.org' WHERE username = 'chloe-old'",
    )
    .await;
    // And one whose composed form another account already has.
    app.execute("UPDATE users SET username = 'Zoe\u{308}', username_key = 'zoe\u{308}' WHERE username = 'zoe-old'")
        .await;
    app.execute("INSERT INTO pending_upgrades (name) VALUES ('usernames_in_nfc')").await;
    assert_eq!(app.log_in("Chlo\u{eb}", "correct horse").await.status(), StatusCode::UNAUTHORIZED);

    app.accounts.database().migrate().await.unwrap();

    assert_eq!(app.log_in("Chlo\u{eb}", "correct horse").await.status(), StatusCode::OK);
    assert_eq!(app.log_in("Chloe\u{308}", "correct horse").await.status(), StatusCode::OK);
    // Its email address, typed composed, is taken.
    let again = app.register(&Signup::new("chloe-again", "chlo\u{eb}@example.org")).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let names: Vec<String> = app.scalars("SELECT username FROM users ORDER BY user_id").await;
    assert_eq!(names, ["Zoe\u{308}", "Zo\u{eb}", "Chlo\u{eb}"], "the colliding name is left as it was");
    // Until that collision is resolved, the upgrade stays pending and runs again at each start.
    assert_eq!(app.count("SELECT COUNT(*) FROM pending_upgrades").await, 1);
    // The other account's owner renames theirs.
    app.execute("UPDATE users SET username = 'Zoey', username_key = 'zoey' WHERE username = 'Zo\u{eb}'").await;
    app.accounts.database().migrate().await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM pending_upgrades").await, 0);
    let names: Vec<String> = app.scalars("SELECT username FROM users ORDER BY user_id").await;
    assert_eq!(names, ["Zo\u{eb}", "Zoey", "Chlo\u{eb}"]);
    assert_eq!(app.log_in("Zoe\u{308}", "correct horse").await.status(), StatusCode::OK);
}
