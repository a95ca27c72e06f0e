//! The audit trail for administrators: filters, pages that follow a cursor, and the downloads.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, new_client, spawn_app};

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_trail_is_read_newest_first_narrowed_and_paged() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    let member = app.signed_in_as("mia").await;
    for _ in 0..5 {
        assert_eq!(app.log_in("mia", "a wrong password").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(get(&app, &member, "/api/v1/admin/audit").await.0, StatusCode::FORBIDDEN);
    assert_eq!(get(&app, &new_client(), "/api/v1/admin/audit").await.0, StatusCode::UNAUTHORIZED);

    let (status, body) = get(&app, &owner, "/api/v1/admin/audit?event=login_failed&username=mia&pageLength=2").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert!(page["data"].as_array().unwrap().iter().all(|event| event["event"] == "login_failed"));
    let mut seen: Vec<i64> = page["data"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect();
    let mut next = page["next"].as_str().map(str::to_owned);
    while let Some(link) = next {
        let page: Value = serde_json::from_str(&get(&app, &owner, &link).await.1).unwrap();
        seen.extend(page["data"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()));
        next = page["next"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), 5, "every failure once: {seen:?}");
    assert!(seen.windows(2).all(|pair| pair[0] > pair[1]), "newest first: {seen:?}");

    let (_, body) = get(&app, &owner, "/api/v1/admin/audit?event=signup&until=2000-01-01").await;
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["data"], json!([]));
    for bad in ["event=no_such_event", "from=yesterday", "after=nonsense", "pageLength=0", "pageLength=1001"] {
        let (status, body) = get(&app, &owner, &format!("/api/v1/admin/audit?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
}

#[tokio::test]
async fn downloads_carry_every_matching_event_and_no_formula() {
    let app = spawn_app().await;
    let owner = app.signed_in_as("olga").await;
    // A login names whatever it likes: a spreadsheet must not run it.
    assert_eq!(app.log_in("=HYPERLINK(\"http://evil\")", "whatever it is").await.status(), StatusCode::UNAUTHORIZED);

    let response = owner.get(app.url("/api/v1/admin/audit/export?format=csv&event=login_failed")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-disposition"].to_str().unwrap().contains("audit-trail.csv"));
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("\"id\",\"occurredOn\",\"event\",\"userId\",\"username\""), "{csv}");
    assert!(lines[1].contains(",\"'=HYPERLINK("), "{csv}");
    // Every cell quoted: in a spreadsheet whose list separator is `;`, the name stays one cell.
    assert_eq!(app.log_in("x;=1+1", "whatever it is").await.status(), StatusCode::UNAUTHORIZED);
    let csv = get(&app, &owner, "/api/v1/admin/audit/export?format=csv&event=login_failed").await.1;
    assert!(csv.contains(",\"x;=1+1\","), "{csv}");

    let jsonl = get(&app, &owner, "/api/v1/admin/audit/export?format=jsonl").await.1;
    let events: Vec<Value> = jsonl.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let signups = events.iter().filter(|event| event["event"] == "signup").count();
    assert_eq!(signups, 1, "{jsonl}");
    assert_eq!(events[0]["event"], "login_failed", "newest first");
    assert_eq!(events[1]["username"], "=HYPERLINK(\"http://evil\")", "JSON keeps the text as it was");

    let (status, _) = get(&app, &owner, "/api/v1/admin/audit/export?format=xml").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, html) = get(&app, &owner, "/admin/audit?event=login_failed").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("login failed") && html.contains("Export CSV"), "{html}");
}
