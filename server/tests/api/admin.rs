//! The administrators' REST API (`/api/v1/admin/…`): who may use it, fresh authentication, and
//! every act with its refusals.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Signup, TestApp, new_client, spawn_app};

const PASSWORD: &str = "correct horse";

async fn user_id(app: &TestApp, client: &reqwest::Client, username: &str) -> i64 {
    let page: Value = client
        .get(app.url(&format!("/api/v1/users?search=username:{username}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["data"][0]["id"].as_i64().unwrap_or_else(|| panic!("{username} in {page}"))
}

async fn act(app: &TestApp, client: &reqwest::Client, user_id: i64, act: &str) -> (StatusCode, Value) {
    let response = client.post(app.url(&format!("/api/v1/admin/users/{user_id}/{act}"))).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn current_status(app: &TestApp, client: &reqwest::Client) -> StatusCode {
    client.get(app.url("/api/v1/users/current")).send().await.unwrap().status()
}

#[tokio::test]
async fn only_administrators_may_read_and_act() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    let member = app.signed_in_as("mia").await;
    let mia = user_id(&app, &owner, "mia").await;

    let anonymous = new_client().get(app.url("/api/v1/admin/users")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    for path in ["/api/v1/admin/users", "/api/v1/admin/overview"] {
        let refused = member.get(app.url(path)).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{path}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"], "UserPermissionsError", "{body}");
    }
    let (status, body) = act(&app, &member, mia, "end-sessions").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let confirm =
        member.post(app.url("/api/v1/admin/confirm")).json(&json!({"password": PASSWORD})).send().await.unwrap();
    assert_eq!(confirm.status(), StatusCode::FORBIDDEN);

    let listing: Value = owner.get(app.url("/api/v1/admin/users")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listing["totalNumResults"], 2, "{listing}");
    assert_eq!(listing["data"][0]["username"], "olga");
    assert_eq!(listing["data"][0]["isOwner"], true);
    assert_eq!(listing["data"][0]["openSessions"], 1);
    assert_eq!(listing["data"][1]["status"], "active");
    assert_eq!(listing["data"][1]["isAdministrator"], false);

    // Made an admin of `public`, mia is an administrator; taken back, she is not.
    let (status, body) = act(&app, &owner, mia, "make-admin").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(member.get(app.url("/api/v1/admin/users")).send().await.unwrap().status(), StatusCode::OK);
    let (status, body) = act(&app, &owner, mia, "make-admin").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = act(&app, &owner, mia, "remove-admin").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(member.get(app.url("/api/v1/admin/users")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_act_needs_the_password_typed_within_ten_minutes() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    let _member = app.signed_in_as("mia").await;
    let mia = user_id(&app, &owner, "mia").await;
    // The login was ten minutes and a second ago: a stolen cookie alone can no longer act.
    app.execute("UPDATE sessions SET confirmed_on = confirmed_on - 601000000").await;

    let (status, body) = act(&app, &owner, mia, "disable").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "ConfirmationNeededError", "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE disabled_on IS NOT NULL").await, 0);

    let wrong =
        owner.post(app.url("/api/v1/admin/confirm")).json(&json!({"password": "not it at all"})).send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE event = 'admin_confirmation_failed'").await, 1);
    let (status, _) = act(&app, &owner, mia, "disable").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let right = owner.post(app.url("/api/v1/admin/confirm")).json(&json!({"password": PASSWORD})).send().await.unwrap();
    assert_eq!(right.status(), StatusCode::OK);
    let (status, body) = act(&app, &owner, mia, "disable").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn wrong_confirmations_count_against_the_guessing_limits() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    let mut last = StatusCode::OK;
    for _ in 0..12 {
        let response = owner
            .post(app.url("/api/v1/admin/confirm"))
            .json(&json!({"password": "not it at all"}))
            .send()
            .await
            .unwrap();
        last = response.status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_disabled_account_loses_its_sessions_and_hears_why_only_with_its_password() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    let member = app.signed_in_as("mia").await;
    let mia = user_id(&app, &owner, "mia").await;
    assert_eq!(current_status(&app, &member).await, StatusCode::OK);

    let (status, body) = act(&app, &owner, mia, "disable").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["sessionsEnded"], 1, "{body}");
    assert_eq!(current_status(&app, &member).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions WHERE user_id = 2").await, 0);

    let correct = app.log_in("mia", PASSWORD).await;
    assert_eq!(correct.status(), StatusCode::FORBIDDEN);
    assert_eq!(crate::helpers::error_body(correct).await, "AccountDisabled");
    let api = new_client().post(app.url("/api/v1/auth/login")).json(&json!({"username": "mia", "password": PASSWORD}));
    let api = api.send().await.unwrap();
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    assert_eq!(api.json::<Value>().await.unwrap()["error"], "UserDisabledError");
    let wrong = app.log_in("mia", "a wrong password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(crate::helpers::error_body(wrong).await, "InvalidCredentials");

    let (status, body) = act(&app, &owner, mia, "disable").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["message"].as_str().unwrap().contains("disabled already"), "{body}");
    let events: Vec<String> = app.scalars("SELECT username FROM audit_events WHERE event = 'account_disabled'").await;
    assert_eq!(events, ["olga"], "the administrator is named");

    let (status, _) = act(&app, &owner, mia, "enable").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.log_in_with(&member, "mia", PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(current_status(&app, &member).await, StatusCode::OK);
    let (status, _) = act(&app, &owner, mia, "enable").await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_owner_of_public_is_never_disabled_deleted_or_demoted() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    let admin = app.signed_in_as("ada").await;
    let olga = user_id(&app, &owner, "olga").await;
    let ada = user_id(&app, &owner, "ada").await;
    assert_eq!(act(&app, &owner, ada, "make-admin").await.0, StatusCode::OK);

    for refused in ["disable", "delete", "remove-admin"] {
        let (status, body) = act(&app, &admin, olga, refused).await;
        assert_eq!(status, StatusCode::CONFLICT, "{refused}: {body}");
        assert!(body["message"].as_str().unwrap().contains("owns the public group"), "{body}");
    }
    assert_eq!(current_status(&app, &owner).await, StatusCode::OK);
    let (status, body) = act(&app, &admin, ada, "disable").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("your own account"), "{body}");
}

#[tokio::test]
async fn expire_password_end_sessions_and_delete() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    let member = app.signed_in_as("mia").await;
    let mia = user_id(&app, &owner, "mia").await;

    let (status, body) = act(&app, &owner, mia, "end-sessions").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["sessionsEnded"], 1);
    assert_eq!(current_status(&app, &member).await, StatusCode::UNAUTHORIZED);

    assert_eq!(act(&app, &owner, mia, "expire-password").await.0, StatusCode::OK);
    let expired =
        new_client().post(app.url("/api/v1/auth/login")).json(&json!({"username": "mia", "password": PASSWORD}));
    let expired = expired.send().await.unwrap();
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(expired.json::<Value>().await.unwrap()["error"], "UserPasswordExpiredError");
    assert_eq!(act(&app, &owner, mia, "expire-password").await.0, StatusCode::CONFLICT);

    let (status, body) = act(&app, &owner, mia, "delete").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let listing: Value =
        owner.get(app.url("/api/v1/admin/users?search=mia")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listing["data"][0]["status"], "deleted", "{listing}");
    let (status, body) = act(&app, &owner, mia, "enable").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    assert_eq!(act(&app, &owner, 999, "disable").await.0, StatusCode::NOT_FOUND);
    assert_eq!(act(&app, &owner, mia, "promote").await.0, StatusCode::NOT_FOUND);
    assert_eq!(act(&app, &owner, 0, "disable").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_overview_counts_accounts_sessions_and_failed_logins() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    let _member = app.signed_in_as("mia").await;
    for _ in 0..3 {
        assert_eq!(app.log_in("mia", "a wrong password").await.status(), StatusCode::UNAUTHORIZED);
    }
    let mia = user_id(&app, &owner, "mia").await;
    assert_eq!(act(&app, &owner, mia, "disable").await.0, StatusCode::OK);
    app.register(&Signup::new("sam", "sam@example.org")).await;

    let overview: Value = owner.get(app.url("/api/v1/admin/overview")).send().await.unwrap().json().await.unwrap();
    assert_eq!(overview["liveAccounts"], 2, "{overview}");
    assert_eq!(overview["disabledAccounts"], 1);
    assert_eq!(overview["deletedAccounts"], 0);
    assert_eq!(overview["signups"], 3);
    assert_eq!(overview["lastDay"]["failures"], 3);
    assert!(overview["lastDay"]["logins"].as_i64().unwrap() >= 2);
    let hours = overview["hours"].as_array().unwrap();
    assert_eq!(hours.len(), 168);
    assert_eq!(hours.last().unwrap()["failures"], 3, "this hour's failures are the last hour's");
}

#[tokio::test]
async fn the_owner_of_public_hands_it_to_an_admin_or_else_the_first_member() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    let first = app.signed_in_as("mia").await;
    let _second = app.signed_in_as("sam").await;
    // No admin: the member who joined first takes `public` over, and runs the deployment.
    let deleted = owner.delete(app.url("/api/v1/users/current")).json(&json!({"password": PASSWORD})).send().await;
    assert_eq!(deleted.unwrap().status(), StatusCode::OK);
    let listing: Value =
        first.get(app.url("/api/v1/admin/users?search=mia")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listing["data"][0]["isOwner"], true, "{listing}");

    // An admin goes before members who joined earlier.
    let sam = user_id(&app, &first, "sam").await;
    let _third = app.signed_in_as("tom").await;
    assert_eq!(act(&app, &first, sam, "make-admin").await.0, StatusCode::OK);
    let deleted = first.delete(app.url("/api/v1/users/current")).json(&json!({"password": PASSWORD})).send().await;
    assert_eq!(deleted.unwrap().status(), StatusCode::OK);
    let owners: Vec<String> = app
        .scalars("SELECT users.username FROM group_managers JOIN users ON users.user_id = group_managers.user_id WHERE is_owner")
        .await;
    assert_eq!(owners, ["sam"]);
}

#[tokio::test]
async fn only_the_owner_acts_on_another_administrator() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    let ada_client = app.signed_in_as("ada").await;
    let bob_client = app.signed_in_as("bob").await;
    let (ada, bob) = (user_id(&app, &owner, "ada").await, user_id(&app, &owner, "bob").await);
    assert_eq!(act(&app, &owner, ada, "make-admin").await.0, StatusCode::OK);
    assert_eq!(act(&app, &owner, bob, "make-admin").await.0, StatusCode::OK);

    for refused in ["disable", "delete", "end-sessions", "expire-password", "remove-admin"] {
        let (status, body) = act(&app, &ada_client, bob, refused).await;
        assert_eq!(status, StatusCode::CONFLICT, "{refused}: {body}");
        assert!(body["message"].as_str().unwrap().contains("only the owner"), "{body}");
    }
    let olga = user_id(&app, &owner, "olga").await;
    assert_eq!(act(&app, &ada_client, olga, "end-sessions").await.0, StatusCode::CONFLICT);
    assert_eq!(current_status(&app, &bob_client).await, StatusCode::OK);
    assert_eq!(current_status(&app, &owner).await, StatusCode::OK);
    let (status, body) = act(&app, &owner, bob, "disable").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn public_never_passes_to_a_disabled_account() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    let _ada = app.signed_in_as("ada").await;
    let ada = user_id(&app, &owner, "ada").await;
    assert_eq!(act(&app, &owner, ada, "make-admin").await.0, StatusCode::OK);
    // The owner may disable another administrator, who stays an admin of `public`.
    assert_eq!(act(&app, &owner, ada, "disable").await.0, StatusCode::OK);

    // Handed on from the group's page: refused while disabled.
    let public_id: i64 = app.count("SELECT group_id FROM groups WHERE is_default").await;
    let transfer = owner
        .patch(app.url(&format!("/api/v1/groups/{public_id}/members/{ada}")))
        .json(&json!({"owner": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(transfer.status(), StatusCode::CONFLICT);
    // At the owner's deletion: ada, the only other account, is disabled and cannot take it over,
    // so the deletion waits.
    let deletion = owner.delete(app.url("/api/v1/users/current")).json(&json!({"password": PASSWORD})).send().await;
    assert_eq!(deletion.unwrap().status(), StatusCode::BAD_REQUEST);
    let owners: Vec<i64> = app.scalars("SELECT user_id FROM group_managers WHERE is_owner").await;
    assert_eq!(owners, [1]);
}

#[tokio::test]
async fn a_disabled_account_cannot_change_its_password_by_id() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    let _member = app.signed_in_as("mia").await;
    let mia = user_id(&app, &owner, "mia").await;
    assert_eq!(act(&app, &owner, mia, "disable").await.0, StatusCode::OK);
    let change = new_client()
        .post(app.url(&format!("/api/v1/users/{mia}/password")))
        .json(&json!({"oldPassword": PASSWORD, "newPassword": "a brand new secret", "confirmNewPassword": "a brand new secret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(change.status(), StatusCode::FORBIDDEN);
    assert_eq!(change.json::<Value>().await.unwrap()["error"], "UserDisabledError");
    assert_eq!(act(&app, &owner, mia, "enable").await.0, StatusCode::OK);
    assert_eq!(app.log_in("mia", PASSWORD).await.status(), StatusCode::OK, "the password is as it was");
}

#[tokio::test]
async fn the_accounts_table_counts_and_pages_ten_thousand_deep() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    crate::helpers::seed_users(&app.database, 10_050).await;

    let listing: Value = owner.get(app.url("/api/v1/admin/users")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listing["totalNumResults"], 10_001, "counted up to one past the window: {}", listing["next"]);
    let searched: Value =
        owner.get(app.url("/api/v1/admin/users?search=username:seed1000*")).send().await.unwrap().json().await.unwrap();
    assert_eq!(searched["totalNumResults"], 11, "a narrow search is counted exactly");
    let deep = owner.get(app.url("/api/v1/admin/users?index=10000")).send().await.unwrap();
    assert_eq!(deep.status(), StatusCode::BAD_REQUEST);
    let body: Value = deep.json().await.unwrap();
    assert!(body["errors"]["index"].is_array(), "{body}");
    assert_eq!(owner.get(app.url("/api/v1/admin/users?index=9999")).send().await.unwrap().status(), StatusCode::OK);
    for last in ["index=9000&pageLength=1000", "index=9990&pageLength=10"] {
        let end: Value =
            owner.get(app.url(&format!("/api/v1/admin/users?{last}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(end["isComplete"], false, "{last}");
        assert!(end.get("next").is_none_or(Value::is_null), "no link past the window: {last}");
    }
    let near_end = owner.get(app.url("/admin/accounts?index=9990")).send().await.unwrap().text().await.unwrap();
    assert!(near_end.contains("narrow the search to see further"), "the hint near the window's end too");

    let page = owner.get(app.url("/admin/accounts")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Accounts 1 to 20 of more than 10,000"), "the page says how far it counted");
    let last = owner.get(app.url("/admin/accounts?index=9980")).send().await.unwrap().text().await.unwrap();
    assert!(last.contains("The table goes 10,000 accounts deep: narrow the search to see further."));
    assert!(!last.contains("index=10000"), "no link past the window");
}

#[tokio::test]
async fn an_administrator_turns_off_two_step_login_for_an_owner_who_lost_app_and_codes() {
    let app = spawn_app().await;
    let olga = app.signed_in_as("olga").await;
    let mia = app.signed_in_as("mia").await;
    app.submit_form(&mia, "/api/account/authenticator/start", &app.url("/account"), &[]).await;
    app.execute("UPDATE totp_factors SET enabled_on = 1").await;
    let mia_id = app.count("SELECT user_id FROM users WHERE username = 'mia'").await;
    let olga_id = app.count("SELECT user_id FROM users WHERE username = 'olga'").await;
    const OFF: &str = "remove-second-factor";
    assert_eq!(act(&app, &mia, olga_id, OFF).await.0, StatusCode::FORBIDDEN, "not an administrator");

    let page = olga.get(app.url("/admin/accounts")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Two-step") && page.contains("Turn off two-step login"), "the console offers it");
    let (status, body) = act(&app, &olga, mia_id, OFF).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM totp_factors").await, 0);
    assert_eq!(current_status(&app, &mia).await, StatusCode::UNAUTHORIZED, "the account's sessions ended");
    assert_eq!(act(&app, &olga, mia_id, OFF).await.0, StatusCode::CONFLICT, "nothing left to turn off");
    let (status, body) = act(&app, &olga, olga_id, OFF).await;
    assert_eq!(status, StatusCode::CONFLICT, "one's own is turned off with a code, on the account page: {body}");
    let by: Vec<String> = app.scalars("SELECT username FROM audit_events WHERE event = 'second_factor_removed'").await;
    assert_eq!(by, ["olga"], "recorded with the administrator's name");
}
