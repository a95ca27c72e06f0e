//! Limits on what a request may carry: its header bytes and its body bytes.

use axum::{
    Json,
    extract::{Request, State},
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde_json::json;

/// Reads the whole request body (at most `max_bytes`) before any handler runs. A handler that
/// answers without reading the body (a 404 for an id, a 405) would otherwise make the server
/// close the connection, and a client that reuses connections, as Dioptra's does, would see its
/// next request fail. Bodies here are a few hundred bytes; a larger one than allowed gets 413.
pub async fn read_whole_body(State(max_bytes): State<usize>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, max_bytes).await {
        Ok(bytes) => next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await,
        Err(_) => {
            let body = json!({"message": "The request body is too large."});
            (StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response()
        }
    }
}

/// The most header bytes (names and values) a request may carry: far more than a browser
/// sends, far less than a client could use to tie up memory.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Refuses requests whose headers are too large with 431.
pub async fn limit_header_size(request: Request, next: Next) -> Response {
    let size: usize = request.headers().iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    if size > MAX_HEADER_BYTES {
        let body = json!({"message": "Request Header Fields Too Large - The request's headers are too large."});
        return (StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, Json(body)).into_response();
    }
    next.run(request).await
}
