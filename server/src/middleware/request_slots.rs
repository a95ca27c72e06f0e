//! How many requests are worked on at once (`--max-concurrent-requests`): the rest wait for a
//! slot, in arrival order, holding only their head and body.
//!
//! A request waiting for a password hash gives its slot back meanwhile (`app::ssr::request_slot`),
//! so that a storm of logins waits in the bounded hashing queue and not in these slots, which
//! every signed-in page and API call needs.

use std::sync::Arc;

use app::ssr::request_slot;
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use tokio::sync::Semaphore;

pub async fn take_a_request_slot(State(slots): State<Arc<Semaphore>>, request: Request, next: Next) -> Response {
    // The semaphore is never closed, so acquiring only ever waits.
    let slot = slots.acquire_owned().await.expect("the request slots are never closed");
    request_slot::hold(slot, next.run(request)).await
}
