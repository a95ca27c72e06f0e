//! Searches are bounded: at most 10 terms and 256 characters (400 in the API, a message on the
//! `/users` page), every query runs within the database's time budget (503 past it), and only a
//! few searches run at once (503 with `Retry-After` for one that waits too long for a place).

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Signup, TestApp, TestDatabase, seed_users, spawn_app, spawn_app_on};

/// A server with alice signed in on its client.
async fn signed_in_app() -> TestApp {
    let app = spawn_app().await;
    app.register(&Signup::new("alice", "alice@example.org")).await;
    assert_eq!(app.log_in("alice", "correct horse").await.status(), StatusCode::OK);
    app
}

async fn get(app: &TestApp, address: &str, path: &str, search: &str) -> reqwest::Response {
    app.client.get(format!("{address}{path}")).query(&[("search", search)]).send().await.unwrap()
}

/// Checks that `search` is refused with Dioptra's input-validation 400 on both collections and
/// with the same sentence on the `/users` page, and returns that sentence.
async fn assert_refused(app: &TestApp, search: &str) -> String {
    let mut sentences = Vec::new();
    for path in ["/api/v1/users", "/api/v1/groups"] {
        let response = get(app, &app.address, path, search).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        let body: Value = response.json().await.unwrap();
        let sentence = body["errors"]["search"][0].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
        assert_eq!(body["message"], format!("Input payload validation failed: search: {sentence}"));
        sentences.push(sentence);
    }
    assert_eq!(sentences[0], sentences[1]);
    let page = get(app, &app.address, "/users", search).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(&sentences[0]), "the page shows {:?}", sentences[0]);
    sentences.remove(0)
}

#[tokio::test]
async fn a_search_of_more_than_ten_terms_is_refused_with_a_400_that_names_the_limit() {
    let app = signed_in_app().await;
    let ten = ["alice"; 10].join(",");
    let response = get(&app, &app.address, "/api/v1/users", &ten).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap()["totalNumResults"], 1);

    let sentence = assert_refused(&app, &format!("{ten},alice")).await;
    assert_eq!(sentence, "A search may have at most 10 terms.");
    // Even the 999 terms that once made SQLite's "Expression tree is too large" a 500.
    assert_refused(&app, &vec!["a"; 999].join(",")).await;
}

#[tokio::test]
async fn a_search_of_more_than_256_characters_is_refused_with_a_400_that_names_the_limit() {
    let app = signed_in_app().await;
    let longest = format!("username:{}", "*".repeat(256 - "username:".len()));
    let response = get(&app, &app.address, "/api/v1/users", &longest).await;
    assert_eq!(response.status(), StatusCode::OK);

    let sentence = assert_refused(&app, &format!("{longest}*")).await;
    assert_eq!(sentence, "A search may have at most 256 characters; this one has 257.");
}

#[tokio::test]
async fn a_query_that_runs_past_the_time_budget_is_stopped_with_a_503() {
    // 200,000 accounts, each matched by every one of ten fuzzy terms: 20 LIKEs a row, about a
    // hundred milliseconds of work on either backend.
    let app = signed_in_app().await;
    seed_users(&app.database, 200_000).await;
    let search = ["seed"; 10].join(",");
    let response = get(&app, &app.address, "/api/v1/users", &search).await;
    assert_eq!(response.status(), StatusCode::OK, "within the default budget");
    assert_eq!(response.json::<Value>().await.unwrap()["totalNumResults"], 200_000);

    // A second server on the same database, with a budget of 10 ms; alice's cookie works there.
    let tight = spawn_app_on(TestDatabase::existing(app.database.url.clone()), |config| {
        config.database.query_budget_ms = 10;
    })
    .await;
    let started = std::time::Instant::now();
    let response = get(&app, &tight.address, "/api/v1/users", &search).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("took too long"), "{message}");
    assert!(started.elapsed().as_secs() < 5, "stopped, not run to the end");

    let page = get(&app, &tight.address, "/users", &search).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("The database took too long to answer"), "the page says why");

    // The stopped queries hold no connection: the server goes on answering.
    for _ in 0..20 {
        let current = app.client.get(tight.url("/api/v1/users/current")).send().await.unwrap();
        assert_eq!(current.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn searches_beyond_the_places_for_them_wait_a_moment_then_are_answered_503() {
    // Searches of about a hundred milliseconds each (see above), thirty at once, one place: a few
    // wait for it, the others are turned away at once or when their wait runs out, and requests
    // that list nothing go on meanwhile.
    let app = signed_in_app().await;
    seed_users(&app.database, 200_000).await;
    let one_place = spawn_app_on(TestDatabase::existing(app.database.url.clone()), |config| {
        config.max_concurrent_listings = Some(1);
    })
    .await;
    let search = ["seed"; 10].join(",");
    let mut searches = tokio::task::JoinSet::new();
    for _ in 0..30 {
        let (client, address, search) = (app.client.clone(), one_place.address.clone(), search.clone());
        searches.spawn(async move {
            let response = client.get(format!("{address}/api/v1/users")).query(&[("search", search)]).send().await;
            let response = response.unwrap();
            let retry_after = response.headers().get("retry-after").map(|value| value.to_str().unwrap().to_owned());
            (response.status(), retry_after, response.text().await.unwrap())
        });
    }
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let current = app.client.get(one_place.url("/api/v1/users/current")).send().await.unwrap();
    assert_eq!(current.status(), StatusCode::OK, "a request that searches nothing needs no place");
    let answers = searches.join_all().await;
    let answered = answers.iter().filter(|(status, ..)| *status == StatusCode::OK).count();
    let refused: Vec<_> = answers.iter().filter(|(status, ..)| *status == StatusCode::SERVICE_UNAVAILABLE).collect();
    assert_eq!(answered + refused.len(), 30, "{answers:?}");
    assert!(answered >= 1 && !refused.is_empty(), "{answered} answered, {} refused", refused.len());
    for (_, retry_after, body) in refused {
        assert_eq!(retry_after.as_deref(), Some("1"));
        assert!(body.contains("very many listings and searches"), "{body}");
    }
    // Every place was given back: the next search is answered.
    let after = app.client.get(one_place.url("/api/v1/users")).query(&[("search", "alice")]).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::OK);
}
