//! The administrators' console in the browser, without JavaScript: the pages only administrators
//! see, and the act form posted as a browser posts it.

use reqwest::StatusCode;

use crate::helpers::{TestApp, new_client, spawn_app};

const PASSWORD: &str = "correct horse";

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Posts the act form as a browser without JavaScript does: the redirect's target.
async fn submit_act(app: &TestApp, client: &reqwest::Client, form: &[(&str, &str)]) -> String {
    app.submit_form(client, "/api/admin/act", &app.url("/admin/act?act=disable&user=2"), form).await
}

#[tokio::test]
async fn the_console_is_not_found_by_anyone_but_administrators() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    let member = app.signed_in_as("mia").await;
    for path in ["/admin", "/admin/accounts", "/admin/act?act=disable&user=1"] {
        for (who, client) in [("member", &member), ("visitor", &new_client())] {
            let (status, html) = page(&app, client, path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{who} {path}");
            assert!(html.contains("Page not found") && !html.contains("Administration"), "{who} {path}");
        }
    }
    assert!(!page(&app, &member, "/").await.1.contains("href=\"/admin\""));

    let (status, html) = page(&app, &owner, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("href=\"/admin\""), "the top bar links the console");
    let (status, html) = page(&app, &owner, "/admin").await;
    assert_eq!(status, StatusCode::OK);
    for shown in ["Live accounts", "Sessions open now", "Failed logins", "<svg", "The chart as a table"] {
        assert!(html.contains(shown), "{shown}");
    }
    let (_, html) = page(&app, &owner, "/admin/accounts").await;
    assert!(html.contains("mia<wbr") && html.contains(">Disable</button>") && html.contains(">Make admin</button>"));
}

#[tokio::test]
async fn an_act_is_confirmed_on_its_page_and_asks_for_the_password_when_it_is_stale() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    let member = app.signed_in_as("mia").await;

    let (status, html) = page(&app, &owner, "/admin/act?act=disable&user=2&back=/admin/accounts?search=mia").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Disable mia?") && html.contains(">Disable</button>") && !html.contains("Confirm</button>"));
    let location =
        submit_act(&app, &owner, &[("act", "disable"), ("user_id", "2"), ("back", "/admin/accounts?search=mia")]).await;
    assert_eq!(location, "/admin/accounts?search=mia&done=disable&user=2&ended=1");
    let (_, html) = page(&app, &owner, &location).await;
    assert!(html.contains("mia is disabled; 1 session ended."), "{html}");
    assert!(!page(&app, &member, "/").await.1.contains("mia"), "mia's browser is signed out");

    // Ten minutes later the page asks for the password, and the act waits for it.
    app.execute("UPDATE sessions SET confirmed_on = confirmed_on - 601000000").await;
    let (_, html) = page(&app, &owner, "/admin/act?act=enable&user=2").await;
    assert!(html.contains("<label for=\"confirm-password\">Password</label>") && html.contains(">Confirm</button>"));
    let refused = submit_act(&app, &owner, &[("act", "enable"), ("user_id", "2"), ("back", "/admin/accounts")]).await;
    assert!(refused.contains("__err="), "{refused}");
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE disabled_on IS NOT NULL").await, 1);
    let wrong = [("act", "enable"), ("user_id", "2"), ("back", "/admin/accounts"), ("password", "not my password")];
    assert!(submit_act(&app, &owner, &wrong).await.contains("__err="));
    let right = [("act", "enable"), ("user_id", "2"), ("back", "https://evil.example/"), ("password", PASSWORD)];
    assert_eq!(submit_act(&app, &owner, &right).await, "/admin/accounts?done=enable&user=2&ended=0");
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE disabled_on IS NOT NULL").await, 0);
    // Confirmed, the session is fresh again: the next act needs no password.
    let (_, html) = page(&app, &owner, "/admin/act?act=end-sessions&user=2&back=javascript:alert(1)").await;
    assert!(!html.contains("Confirm</button>") && !html.contains("javascript:"), "{html}");
}
