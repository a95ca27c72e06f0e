//! Answers that do not tell which accounts exist, by time: an unknown account and a wrong
//! password take the same time. A test binary of its own, with its tests one at a time, so that no
//! other test's hashing lands on one side of a comparison.

#[allow(dead_code, reason = "the timing tests use only part of the HTTP suite's helpers")]
#[path = "api/helpers.rs"]
mod helpers;

use std::time::{Duration, Instant};

/// The allocator the server binary runs with (`src/main.rs`): the hashing threads' memory comes
/// from it, and a comparison of times must measure what production runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use helpers::{Signup, TestApp, spawn_app_with};

/// One comparison at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// The median of `samples`.
fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

async fn timed(request: impl std::future::Future<Output = Response>) -> (Duration, StatusCode, Value) {
    let started = Instant::now();
    let response = request.await;
    let elapsed = started.elapsed();
    let status = response.status();
    let mut body: Value = response.json().await.unwrap();
    // The path names the id asked about; everything else must match.
    body.as_object_mut().unwrap().remove("originating_path");
    (elapsed, status, body)
}

/// Unknown account vs wrong password: same status, same body, medians within 20%.
async fn assert_indistinguishable<F, G, FutF, FutG>(unknown: F, wrong: G)
where
    F: Fn() -> FutF,
    G: Fn() -> FutG,
    FutF: std::future::Future<Output = Response>,
    FutG: std::future::Future<Output = Response>,
{
    let (mut unknown_times, mut wrong_times) = (Vec::new(), Vec::new());
    let mut answers = Vec::new();
    // Interleaved, so that anything else the machine does falls on both alike, and each going
    // first in turn: requests strictly alternating would each land on the same one of the two
    // hashing threads every time, and measure the threads instead of the answers.
    for round in 0..30 {
        for unknown_now in [round % 2 == 0, round % 2 != 0] {
            let (elapsed, status, body) = if unknown_now { timed(unknown()).await } else { timed(wrong()).await };
            if unknown_now { &mut unknown_times } else { &mut wrong_times }.push(elapsed);
            answers.push((status, body));
        }
    }
    assert!(answers.windows(2).all(|pair| pair[0] == pair[1]), "{answers:?}");
    let (unknown, wrong) = (median(unknown_times), median(wrong_times));
    let ratio = unknown.as_secs_f64() / wrong.as_secs_f64();
    assert!((0.8..=1.25).contains(&ratio), "unknown {unknown:?} vs wrong password {wrong:?}");
}

/// A server with one account, "existing", and no guessing limits (which would otherwise answer
/// 429 part-way through the comparison).
async fn server_with_one_account() -> TestApp {
    let app = spawn_app_with(|config| {
        config.max_failures_per_account = 0;
        config.max_failures_per_address = 0;
    })
    .await;
    app.register(&Signup::new("existing", "existing@example.org")).await;
    app
}

#[tokio::test]
async fn an_unknown_username_and_a_wrong_password_look_and_take_the_same() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let app = server_with_one_account().await;
    let login = |username: &'static str| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": "wrong one"}))
            .send()
    };
    assert_indistinguishable(
        || async { login("nobody-here").await.unwrap() },
        || async { login("existing").await.unwrap() },
    )
    .await;
}

#[tokio::test]
async fn a_password_change_by_id_does_not_tell_which_ids_exist() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let app = server_with_one_account().await;
    let id: i64 = app.count("SELECT user_id FROM users").await;
    // The new password is the account's own username: a server that applied "must not be your
    // username" before checking the current password would answer an existing id sooner, and
    // differently.
    let change = |user_id: i64| {
        app.client
            .post(app.url(&format!("/api/v1/users/{user_id}/password")))
            .json(&json!({"oldPassword": "wrong one", "newPassword": "existing", "confirmNewPassword": "existing"}))
            .send()
    };
    assert_indistinguishable(|| async { change(id + 1000).await.unwrap() }, || async { change(id).await.unwrap() })
        .await;
}
