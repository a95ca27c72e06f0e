//! The bounded hashing queue, and the request slots that logins give back while they wait in it.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use reqwest::{StatusCode, header};
use serde_json::json;
use tokio::task::JoinSet;

use crate::helpers::{Signup, new_client, spawn_app_with};

fn limits_off(config: &mut dioptra_accounts::Config) {
    config.max_failures_per_account = 0;
    config.max_failures_per_address = 0;
}

#[tokio::test]
async fn logins_waiting_for_their_hash_leave_the_request_slots_to_others() {
    // Two slots for the whole server, and sixty logins arriving at once.
    let app = spawn_app_with(|config| {
        config.max_concurrent_requests = 2;
        limits_off(config);
    })
    .await;
    app.register(&Signup::new("reader", "reader@example.org")).await;
    assert_eq!(app.log_in("reader", "correct horse").await.status(), StatusCode::OK);

    let finished = Arc::new(AtomicUsize::new(0));
    let mut storm = JoinSet::new();
    for n in 0..60 {
        let (client, url, finished) = (new_client(), app.url("/api/v1/auth/login"), Arc::clone(&finished));
        storm.spawn(async move {
            let body = json!({"username": format!("stormer{n}"), "password": "not the password"});
            let status = client.post(url).json(&body).send().await.unwrap().status();
            finished.fetch_add(1, Ordering::SeqCst);
            status
        });
    }
    // Let the storm reach the server and fill the hashing queue.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let response = app.client.get(app.url("/api/v1/users/current")).send().await.unwrap();
    let finished_before_the_read = finished.load(Ordering::SeqCst);
    assert_eq!(response.status(), StatusCode::OK);
    let statuses = storm.join_all().await;
    assert!(statuses.iter().all(|status| *status == StatusCode::UNAUTHORIZED), "{statuses:?}");
    // Holding their slots, the logins ahead of the read would all finish before it: the read
    // would wait behind them for a slot.
    assert!(
        finished_before_the_read < 30,
        "the signed-in read waited for {finished_before_the_read} of 60 logins to finish"
    );
}

#[tokio::test]
async fn a_full_hashing_queue_is_a_503_with_retry_after_and_counts_no_guess() {
    let app = spawn_app_with(|config| config.hash_queue = Some(2)).await;
    app.register(&Signup::new("owner", "owner@example.org")).await;

    let mut guesses = JoinSet::new();
    for _ in 0..30 {
        let (app_url, client) = (app.url("/api/v1/auth/login"), new_client());
        guesses.spawn(async move {
            let body = json!({"username": "owner", "password": "not the password"});
            let response = client.post(app_url).json(&body).send().await.unwrap();
            let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
            (response.status(), retry_after, response.text().await.unwrap())
        });
    }
    let answers = guesses.join_all().await;
    let busy: Vec<_> = answers.iter().filter(|(status, ..)| *status == StatusCode::SERVICE_UNAVAILABLE).collect();
    assert!(!busy.is_empty(), "two places for thirty guesses: some are refused");
    for (_, retry_after, body) in &busy {
        assert_eq!(retry_after.as_ref().and_then(|v| v.to_str().ok()), Some("1"));
        assert!(body.contains("checking very many passwords"), "{body}");
    }
    assert!(
        answers.iter().all(|(status, ..)| [
            StatusCode::UNAUTHORIZED,
            StatusCode::SERVICE_UNAVAILABLE,
            StatusCode::TOO_MANY_REQUESTS
        ]
        .contains(status)),
        "{answers:?}"
    );
    // A refused guess was never counted: the failures recorded are the 401s (and the account
    // limit's 429s came only after ten of them).
    let checked = answers.iter().filter(|(status, ..)| *status == StatusCode::UNAUTHORIZED).count();
    let counted = app.count("SELECT COALESCE(MAX(attempts), 0) FROM attempt_counters WHERE scope = 'account'").await;
    assert_eq!(usize::try_from(counted).unwrap(), checked, "{answers:?}");

    // The browser's form gets the same answer, with its wait.
    let mut forms = JoinSet::new();
    for _ in 0..20 {
        let (url, client) = (app.url("/api/login"), new_client());
        forms.spawn(async move {
            let response = client
                .post(url)
                .header(header::ACCEPT, "application/json")
                .form(&[("username", "someone"), ("password", "not the password")])
                .send()
                .await
                .unwrap();
            (response.status(), response.headers().get(header::RETRY_AFTER).is_some())
        });
    }
    let forms = forms.join_all().await;
    assert!(forms.contains(&(StatusCode::SERVICE_UNAVAILABLE, true)), "{forms:?}");
}

#[tokio::test]
async fn a_login_given_up_by_the_server_costs_no_hashing() {
    // A second per request, and a hundred logins per hashing thread arriving at once: many run
    // out of their second while their hashes wait, and are answered 408.
    let app = spawn_app_with(|config| {
        limits_off(config);
        config.request_timeout_secs = 1;
    })
    .await;
    let abandoned = || async {
        let scrape = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
        crate::observability::sample(&scrape, "dioptra_password_hash_abandoned_total").unwrap_or(0.0)
    };
    let before = abandoned().await;
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut storm = JoinSet::new();
    for n in 0..100 * cores {
        let (client, url) = (new_client(), app.url("/api/v1/auth/login"));
        storm.spawn(async move {
            let body = json!({"username": format!("late{n}"), "password": "not the password"});
            client.post(url).json(&body).send().await.unwrap().status()
        });
    }
    let statuses = storm.join_all().await;
    let count = |wanted: StatusCode| statuses.iter().filter(|status| **status == wanted).count();
    let (timed_out, checked) = (count(StatusCode::REQUEST_TIMEOUT), count(StatusCode::UNAUTHORIZED));
    assert_eq!(timed_out + checked, statuses.len(), "{statuses:?}");
    // How many run out of time depends on the machine's speed and on the other tests running
    // beside this one (a full run spreads the storm's arrival): a few per core are enough to see
    // whether their hashes are skipped.
    assert!(timed_out >= 2 * cores, "{timed_out} timed out, {checked} checked");
    // Nobody waits for those hashes any more: the hashing threads pass over most of them. (Not
    // all: a thread that has caught up runs the jobs of requests about to run out of time.)
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    let expected = (timed_out / 2) as f64;
    let mut skipped = 0.0;
    while tokio::time::Instant::now() < deadline {
        skipped = abandoned().await - before;
        if skipped >= expected {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("of {timed_out} logins given up, the hashing threads skipped {skipped}");
}
