//! The operator's commands, run as the real binary against a real database, and checked through
//! a server on that same database.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestDatabase, spawn_app_on};

/// Runs `dioptra-accounts <args>` on `database`, with `stdin` as its standard input (a pipe,
/// so passwords are read from it rather than asked for).
fn run(database: &TestDatabase, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dioptra-accounts"))
        .args(args)
        .env("DATABASE_URL", &database.url)
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn succeeds(output: Output) -> String {
    assert!(output.status.success(), "stdout: {}\nstderr: {}", stdout(&output), stderr(&output));
    stdout(&output)
}

fn create(database: &TestDatabase, username: &str, password: &str) -> String {
    let email = format!("{username}@example.org");
    succeeds(run(database, &["users", "create", "--username", username, "--email", &email], &format!("{password}\n")))
}

#[tokio::test]
async fn migrate_prepares_an_empty_database() {
    let database = TestDatabase::new().await;
    let first = succeeds(run(&database, &["migrate"], ""));
    assert!(first.contains("up to date"), "{first}");
    // Idempotent, and the server starts on the result.
    succeeds(run(&database, &["migrate"], ""));
    let app = spawn_app_on(database, |_| {}).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn users_create_reads_the_password_from_standard_input_and_the_account_can_log_in() {
    let database = TestDatabase::new().await;
    let said = create(&database, "operator-made", "a long enough secret");
    assert!(said.contains("Created user 'operator-made'"), "{said}");
    let app = spawn_app_on(database, |_| {}).await;
    assert_eq!(app.log_in("operator-made", "a long enough secret").await.status(), StatusCode::OK);
    // The first account founds `public`, as a signup would.
    assert_eq!(app.count("SELECT COUNT(*) FROM group_managers").await, 1);
}

#[tokio::test]
async fn users_create_refuses_what_signup_refuses_with_a_clear_message() {
    let database = TestDatabase::new().await;
    let short = run(&database, &["users", "create", "--username", "bob", "--email", "bob@example.org"], "short\n");
    assert!(!short.status.success());
    assert!(stderr(&short).contains("password: Password must be at least 8 characters"), "{}", stderr(&short));

    let empty = run(&database, &["users", "create", "--username", "bob", "--email", "bob@example.org"], "");
    assert!(!empty.status.success());
    assert!(stderr(&empty).contains("no password on standard input"), "{}", stderr(&empty));

    create(&database, "bob", "a long enough secret");
    let again =
        run(&database, &["users", "create", "--username", "BOB", "--email", "b@example.org"], "another secret\n");
    assert!(!again.status.success());
    assert!(stderr(&again).contains("username: This username is already taken"), "{}", stderr(&again));
}

#[tokio::test]
async fn users_list_shows_accounts_and_searches_like_the_api() {
    let database = TestDatabase::new().await;
    create(&database, "alice", "a long enough secret");
    create(&database, "albert", "a long enough secret");
    create(&database, "carol", "a long enough secret");
    let all = succeeds(run(&database, &["users", "list"], ""));
    let lines: Vec<&str> = all.lines().collect();
    assert!(lines[0].starts_with("ID") && lines[0].contains("USERNAME") && lines[0].contains("LAST LOGIN"), "{all}");
    assert!(lines[1].contains("alice") && lines[1].contains("alice@example.org") && lines[1].contains("never"));
    assert_eq!(lines.last(), Some(&"3 users"));

    let some = succeeds(run(&database, &["users", "list", "--search", "username:al*"], ""));
    assert!(some.contains("alice") && some.contains("albert") && !some.contains("carol"), "{some}");
    assert!(some.ends_with("2 users\n"));

    let bad = run(&database, &["users", "list", "--search", "nickname:x"], "");
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("search:"), "{}", stderr(&bad));
}

#[tokio::test]
async fn set_password_revoke_sessions_and_delete_act_on_a_running_servers_accounts() {
    let database = TestDatabase::new().await;
    // The first account founds `public` and owns it: it is never deleted (tested below).
    create(&database, "olga", "the owner's secret");
    create(&database, "dora", "the first secret");
    let app = spawn_app_on(database, |_| {}).await;
    let database = &app.database;
    let session = crate::helpers::new_client();
    assert_eq!(app.log_in_with(&session, "dora", "the first secret").await.status(), StatusCode::OK);
    let current = || async { session.get(app.url("/api/v1/users/current")).send().await.unwrap().status() };
    assert_eq!(current().await, StatusCode::OK);

    succeeds(run(database, &["users", "revoke-sessions", "dora"], ""));
    assert_eq!(current().await, StatusCode::UNAUTHORIZED);

    assert_eq!(app.log_in_with(&session, "dora", "the first secret").await.status(), StatusCode::OK);
    let said = succeeds(run(database, &["users", "set-password", "DORA"], "the second secret\n"));
    assert!(said.contains("every session"), "{said}");
    assert_eq!(current().await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.log_in("dora", "the first secret").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.log_in_with(&session, "dora", "the second secret").await.status(), StatusCode::OK);

    succeeds(run(database, &["users", "delete", "dora"], ""));
    assert_eq!(current().await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.log_in("dora", "the second secret").await.status(), StatusCode::UNAUTHORIZED);
    let gone = run(database, &["users", "delete", "dora"], "");
    assert!(!gone.status.success());
    assert!(stderr(&gone).contains("there is no user 'dora'"), "{}", stderr(&gone));

    let owner = run(database, &["users", "delete", "olga"], "");
    assert!(!owner.status.success());
    assert!(stderr(&owner).contains("owns the public group"), "{}", stderr(&owner));
    assert_eq!(app.log_in("olga", "the owner's secret").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn disable_enable_and_expire_password_from_the_command_line() {
    let database = TestDatabase::new().await;
    create(&database, "olga", "the owner's secret");
    create(&database, "dora", "the first secret");
    let app = spawn_app_on(database, |_| {}).await;
    let database = &app.database;
    let session = crate::helpers::new_client();
    assert_eq!(app.log_in_with(&session, "dora", "the first secret").await.status(), StatusCode::OK);
    let current = || async { session.get(app.url("/api/v1/users/current")).send().await.unwrap().status() };

    let said = succeeds(run(database, &["users", "disable", "dora"], ""));
    assert!(said.contains("dora is disabled; 1 session"), "{said}");
    assert_eq!(current().await, StatusCode::UNAUTHORIZED);
    let refused = app.log_in("dora", "the first secret").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let again = run(database, &["users", "disable", "dora"], "");
    assert!(!again.status.success());
    assert!(stderr(&again).contains("disabled already"), "{}", stderr(&again));
    let owner = run(database, &["users", "disable", "olga"], "");
    assert!(stderr(&owner).contains("owns the public group"), "{}", stderr(&owner));

    succeeds(run(database, &["users", "enable", "dora"], ""));
    assert_eq!(app.log_in("dora", "the first secret").await.status(), StatusCode::OK);

    succeeds(run(database, &["users", "expire-password", "dora"], ""));
    let expired = crate::helpers::new_client()
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "dora", "password": "the first secret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    let body: Value = expired.json().await.unwrap();
    assert_eq!(body["error"], "UserPasswordExpiredError", "{body}");
}

#[tokio::test]
async fn reset_link_prints_a_link_the_owner_can_use_once() {
    let database = TestDatabase::new().await;
    create(&database, "olga", "the owner's secret");
    create(&database, "dora", "the first secret");
    let app = spawn_app_on(database, |_| {}).await;
    let database = &app.database;

    let origin = app.url("");
    let said = succeeds(run(database, &["users", "reset-link", "dora", "--public-url", &origin], ""));
    let link = said.lines().find(|line| line.starts_with(&origin)).unwrap_or_else(|| panic!("{said}")).to_owned();
    assert!(link.starts_with(&format!("{origin}/password/reset?token=")), "{said}");
    assert!(said.contains("works once, within 24 hours"), "{said}");
    // Without the deployment's address, the link from its path on, and a word on what to add.
    let bare = succeeds(run(database, &["users", "reset-link", "dora"], ""));
    assert!(bare.starts_with("A password reset link") && bare.contains("\n/password/reset?token="), "{bare}");
    assert!(bare.contains("--public-url"), "{bare}");
    let page = crate::helpers::new_client().get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND, "the newer link replaced it");

    let link = succeeds(run(database, &["users", "reset-link", "dora", "--public-url", &origin], ""))
        .lines()
        .find(|line| line.starts_with(&origin))
        .unwrap()
        .to_owned();
    let token = link.split_once("?token=").unwrap().1;
    let form = [("token", token), ("new_password", "the second secret"), ("confirm_new_password", "the second secret")];
    let used = app.post_form(&crate::helpers::new_client(), "/api/password/reset", &form).await;
    assert!(used.status().is_success() || used.status().is_redirection(), "{}", used.status());
    assert_eq!(app.log_in("dora", "the second secret").await.status(), StatusCode::OK);
    let events: Vec<String> =
        app.scalars("SELECT detail FROM audit_events WHERE event = 'reset_link_issued' ORDER BY event_id").await;
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|detail| detail.starts_with("by the operator")), "{events:?}");

    let unknown = run(database, &["users", "reset-link", "nobody"], "");
    assert!(!unknown.status.success() && stderr(&unknown).contains("no user 'nobody'"), "{}", stderr(&unknown));
}

#[tokio::test]
async fn with_signup_disabled_the_register_page_explains_and_the_api_answers_403() {
    let database = TestDatabase::new().await;
    let app = spawn_app_on(database, |config| config.disable_signup = true).await;
    let page = app.client.get(app.url("/register")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Signup is closed on this deployment"), "{page}");
    assert!(!page.contains("confirm_password"));

    let response = app
        .client
        .post(app.url("/api/v1/users"))
        .json(&serde_json::json!({
            "username": "eve", "email": "eve@example.org", "password": "a long secret", "confirmPassword": "a long secret"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = response.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("Signup is closed"), "{body}");
    let form = app.register(&crate::helpers::Signup::new("eve", "eve@example.org")).await;
    assert_eq!(form.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn audit_list_and_export_read_the_trail_with_the_consoles_filters() {
    let database = TestDatabase::new().await;
    create(&database, "olga", "the owner's secret");
    create(&database, "dora", "the first secret");
    let app = spawn_app_on(database, |_| {}).await;
    let database = &app.database;
    for _ in 0..2 {
        assert_eq!(app.log_in("dora", "not the secret").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.log_in("=HYPERLINK(\"x\")", "not the secret").await.status(), StatusCode::UNAUTHORIZED);

    let listed = succeeds(run(database, &["audit", "list", "--event", "login_failed", "--username", "dora"], ""));
    let lines: Vec<&str> = listed.lines().collect();
    assert!(lines[0].starts_with("TIME") && lines[0].contains("EVENT"), "{listed}");
    assert_eq!(lines.iter().filter(|line| line.contains("login_failed") && line.contains("dora")).count(), 2);
    assert!(listed.ends_with("2 events\n"), "{listed}");
    let limited = succeeds(run(database, &["audit", "list", "--limit", "1"], ""));
    assert!(limited.ends_with("1 event\n"), "{limited}");

    let csv = succeeds(run(database, &["audit", "export", "--format", "csv", "--event", "login_failed"], ""));
    let rows: Vec<&str> = csv.lines().collect();
    assert!(rows[0].starts_with("\"id\",\"occurredOn\",\"event\""), "{csv}");
    assert_eq!(rows.len(), 4, "{csv}");
    assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "a formula is made inert: {csv}");
    let jsonl = succeeds(run(database, &["audit", "export", "--format", "jsonl", "--username", "dora"], ""));
    let events: Vec<Value> = jsonl.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert!(events.len() >= 3 && events.iter().all(|event| event["username"] == "dora"), "{jsonl}");

    let wrong = run(database, &["audit", "list", "--from", "yesterday"], "");
    assert!(!wrong.status.success() && stderr(&wrong).contains("--from:"), "{}", stderr(&wrong));
    let unknown = run(database, &["audit", "list", "--event", "nothing_like_it"], "");
    assert!(stderr(&unknown).contains("no kind of event"), "{}", stderr(&unknown));
}

#[tokio::test]
async fn settings_set_closes_signup_for_a_server_started_with_it_open() {
    let database = TestDatabase::new().await;
    create(&database, "olga", "the owner's secret");
    let app = spawn_app_on(database, |_| {}).await;
    let database = &app.database;
    let listed = succeeds(run(database, &["settings", "list"], ""));
    assert!(
        listed.contains("signup-open") && listed.contains("the command line of serve (--disable-signup)"),
        "{listed}"
    );

    let said = succeeds(run(database, &["settings", "set", "signup-open", "false"], ""));
    assert!(said.starts_with("signup-open is now false"), "{said}");
    assert!(said.contains("set by the operator on "), "{said}");
    let started = std::time::Instant::now();
    for attempt in 0.. {
        let body = serde_json::json!({"username": format!("early{attempt}"), "email": format!("early{attempt}@example.org"),
            "password": "long enough secret", "confirmPassword": "long enough secret"});
        let status =
            crate::helpers::new_client().post(app.url("/api/v1/users")).json(&body).send().await.unwrap().status();
        if status == StatusCode::FORBIDDEN {
            break;
        }
        assert_eq!(status, StatusCode::OK, "signup is open until the server reads the setting");
        assert!(started.elapsed() < std::time::Duration::from_secs(15), "the server never closed signup");
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let again = succeeds(run(database, &["settings", "set", "signup-open", "false"], ""));
    assert!(again.starts_with("signup-open is false already"), "{again}");
    // The operator's own commands keep the deployment's password rules.
    succeeds(run(database, &["settings", "set", "min-password-length", "20"], ""));
    let short = run(database, &["users", "set-password", "olga"], "only fifteen ch\n");
    assert!(!short.status.success() && stderr(&short).contains("at least 20"), "{}", stderr(&short));
    let wrong = run(database, &["settings", "set", "min-password-length", "4"], "");
    assert!(!wrong.status.success() && stderr(&wrong).contains("from 8 to 64"), "{}", stderr(&wrong));
    let detail: Vec<String> = app.scalars("SELECT detail FROM audit_events WHERE event = 'setting_changed'").await;
    assert_eq!(
        detail,
        [
            "by the operator: signup_open: the command line's → false",
            "by the operator: min_password_length: the command line's → 20"
        ]
    );
}

#[tokio::test]
async fn remove_second_factor_lets_an_owner_who_lost_the_app_and_the_codes_back_in() {
    let database = TestDatabase::new().await;
    create(&database, "olga", "the owner's secret");
    let app = spawn_app_on(database, |_| {}).await;
    let database = &app.database;
    let session = crate::helpers::new_client();
    assert_eq!(app.log_in_with(&session, "olga", "the owner's secret").await.status(), StatusCode::OK);
    app.submit_form(&session, "/api/account/authenticator/start", &app.url("/account"), &[]).await;
    app.execute("UPDATE totp_factors SET enabled_on = 1").await;
    let login = |password: &'static str| {
        let client = crate::helpers::new_client();
        let app = &app;
        async move {
            app.submit_form(&client, "/api/login", &app.url("/"), &[("username", "olga"), ("password", password)]).await
        }
    };
    assert_eq!(login("the owner's secret").await, "/login/code");

    let said = succeeds(run(database, &["users", "remove-second-factor", "olga"], ""));
    assert!(said.contains("olga's two-step login is off; 1 session ended."), "{said}");
    assert_eq!(app.count("SELECT COUNT(*) FROM totp_factors").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0, "its sessions ended");
    assert_eq!(login("the owner's secret").await, "/", "the password alone logs in again");
    let again = run(database, &["users", "remove-second-factor", "olga"], "");
    assert!(
        !again.status.success() && stderr(&again).contains("has no second factor to turn off"),
        "{}",
        stderr(&again)
    );
    let recorded = app.count("SELECT COUNT(*) FROM audit_events WHERE event = 'second_factor_removed'").await;
    assert_eq!(recorded, 1);
}
