//! The OpenAPI document against the router that really serves it: each documented operation is
//! answered by its handler, not by the unknown-route 404 or the 405, and no method other than
//! the documented ones is served on a documented path. Both sides are read from the running
//! server, so neither is a list typed by hand.

use reqwest::{Method, StatusCode, header};
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

/// The methods probed on every documented path.
const METHODS: [Method; 5] = [Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::PATCH];

/// The document's path with each `{parameter}` filled in.
fn concrete(path: &str) -> String {
    let mut concrete = String::new();
    let mut rest = path;
    while let Some((before, after)) = rest.split_once('{') {
        concrete.push_str(before);
        concrete.push('1');
        rest = after.split_once('}').map_or("", |(_, after)| after);
    }
    concrete + rest
}

/// Whether a response is the router's, not a handler's: the 405 for an unrouted method (axum
/// lists the routed ones in `Allow`; the group handlers' own 405s have none), or the 404 for an
/// unknown path (the API's JSON one under `/api/v1`, the Not Found page elsewhere).
async fn is_unrouted(response: reqwest::Response) -> bool {
    match response.status() {
        StatusCode::METHOD_NOT_ALLOWED => response.headers().contains_key(header::ALLOW),
        StatusCode::NOT_FOUND => {
            let body = response.text().await.unwrap();
            body.contains("The requested URL was not found on the server") || body.contains("<html")
        }
        _ => false,
    }
}

async fn document(app: &TestApp) -> Value {
    let response = app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_document_lists_exactly_the_operations_the_router_serves() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let paths = document["paths"].as_object().expect("the document has paths");
    assert!(paths.contains_key("/health") && paths.keys().filter(|p| p.starts_with("/api/v1/")).count() > 1);
    // Not signed in: nothing is changed, and every handler still answers (401, 400, ...).
    let client = reqwest::Client::new();
    let mut operations = 0;
    for (path, item) in paths {
        for method in METHODS {
            let documented = item.get(method.as_str().to_lowercase()).is_some();
            let response = client.request(method.clone(), app.url(&concrete(path))).send().await.unwrap();
            let status = response.status();
            let unrouted = is_unrouted(response).await;
            if documented {
                operations += 1;
                assert!(!unrouted, "{method} {path} is documented but not served ({status})");
            } else {
                assert!(unrouted, "{method} {path} is served ({status}) but not documented");
            }
        }
    }
    assert!(operations >= paths.len());
}

#[tokio::test]
async fn collections_are_served_with_and_without_the_trailing_slash() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    for path in ["/api/v1/users", "/api/v1/groups"] {
        for method in [Method::GET, Method::POST] {
            let bare = client.request(method.clone(), app.url(path)).send().await.unwrap();
            let slashed = client.request(method.clone(), app.url(&format!("{path}/"))).send().await.unwrap();
            assert_eq!(bare.status(), slashed.status(), "{method} {path}");
            assert!(!is_unrouted(slashed).await, "{method} {path}/");
        }
    }
}
