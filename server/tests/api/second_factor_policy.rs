//! The deployment's rule on second factors (`--require-second-factor`, the shared setting
//! `require_second_factor`): an account it covers that has no second factor is led to set one
//! up before anything else; once it has one, nothing stands in its way.

use app::ssr::accounts::SecondFactorPolicy;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, spawn_app, spawn_app_with},
    soft_passkey::SoftPasskey,
};

const SET_UP: &str = "/account?setup=second-factor#second-factor";

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (StatusCode, Option<String>) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let location = response.headers().get(header::LOCATION).map(|value| value.to_str().unwrap().to_owned());
    (response.status(), location)
}

/// Adds a passkey to `client`'s account, as the account page's script does.
async fn add_passkey(app: &TestApp, client: &reqwest::Client) {
    let started = app.post_form(client, "/api/account/passkeys/start", &[("name", "laptop")]).await;
    assert_eq!(started.status(), StatusCode::OK);
    let body: Value = started.json().await.unwrap();
    let options: Value = serde_json::from_str(body["options"].as_str().unwrap()).unwrap();
    let origin = app.accounts.passkey_origin().unwrap().to_owned();
    let (_, answer) = SoftPasskey::create(&options, &origin);
    let form = [("ceremony", body["ceremony"].as_str().unwrap()), ("credential", &answer.to_string())];
    assert_eq!(app.post_form(client, "/api/account/passkeys/finish", &form).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn everyone_is_led_to_set_up_a_second_factor_before_anything_else() {
    let app = spawn_app_with(|config| config.require_second_factor = SecondFactorPolicy::Everyone).await;
    let mia = app.signed_in_as("mia").await;
    for page in ["/", "/groups", "/users", "/account/nothing"] {
        assert_eq!(get(&app, &mia, page).await, (StatusCode::SEE_OTHER, Some(SET_UP.to_owned())), "{page}");
    }
    let account = mia.get(app.url(SET_UP)).send().await.unwrap();
    assert_eq!(account.status(), StatusCode::OK);
    assert!(account.text().await.unwrap().contains("This deployment requires a second factor of your account."));
    // Scripts too: the REST API and the other forms are refused until then.
    let current = mia.get(app.url("/api/v1/users/current")).send().await.unwrap();
    assert_eq!(current.status(), StatusCode::FORBIDDEN);
    assert!(current.text().await.unwrap().contains("requires a second factor"));
    let group = app.post_form(&mia, "/api/groups/create", &[("name", "sneaky")]).await;
    assert_eq!(group.status(), StatusCode::FORBIDDEN);
    // What protects the account meanwhile stays open: ending a session (none such here: 404).
    let revoke = app.post_form(&mia, "/api/account/revoke-session", &[("session_id", "nothing")]).await;
    assert_ne!(revoke.status(), StatusCode::FORBIDDEN);
    let head = mia.head(app.url("/groups")).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::SEE_OTHER);

    add_passkey(&app, &mia).await;
    assert_eq!(get(&app, &mia, "/").await.0, StatusCode::OK);
    assert_eq!(mia.get(app.url("/api/v1/users/current")).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn administrators_only_covers_the_managers_of_public_and_logging_out_stays_open() {
    let app = spawn_app_with(|config| config.require_second_factor = SecondFactorPolicy::Administrators).await;
    // The first account founds `public` and manages it.
    let olga = app.signed_in_as("olga").await;
    let mia = app.signed_in_as("mia").await;
    assert_eq!(get(&app, &mia, "/").await.0, StatusCode::OK);
    assert_eq!(get(&app, &olga, "/admin").await, (StatusCode::SEE_OTHER, Some(SET_UP.to_owned())));
    assert!(app.log_out_with(&olga).await.status().is_success());
    assert_eq!(get(&app, &olga, "/").await.0, StatusCode::OK, "signed out, the login screen");
}

#[tokio::test]
async fn an_administrator_turns_the_rule_on_for_every_replica() {
    let app = spawn_app().await;
    let olga = app.signed_in_as("olga").await;
    let mia = app.signed_in_as("mia").await;
    let change = |body: Value| olga.patch(app.url("/api/v1/admin/settings")).json(&body).send();
    // Not before she has a second factor herself: the rule would hold her at the set-up.
    let refused = change(json!({"requireSecondFactor": "administrators"})).await.unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused.text().await.unwrap().contains("Set up a second factor of your own first"));
    add_passkey(&app, &olga).await;
    let refused = change(json!({"requireSecondFactor": "all"})).await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(change(json!({"requireSecondFactor": true})).await.unwrap().status(), StatusCode::BAD_REQUEST);
    let changed = change(json!({"requireSecondFactor": "everyone"})).await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    let body: Value = changed.json().await.unwrap();
    assert_eq!(body["requireSecondFactor"]["value"], "everyone");
    assert_eq!(body["requireSecondFactor"]["commandLine"], "off");
    assert_eq!(get(&app, &mia, "/").await.0, StatusCode::SEE_OTHER, "applies at once");
    assert_eq!(get(&app, &olga, "/").await.0, StatusCode::OK, "olga has a passkey");
    // A value no form could have saved is never trusted: everyone is asked.
    app.execute("UPDATE settings SET value = 'nobody' WHERE name = 'require_second_factor'").await;
    app.accounts.refresh_settings().await.unwrap();
    assert_eq!(app.accounts.second_factor_policy(), SecondFactorPolicy::Everyone);
}
