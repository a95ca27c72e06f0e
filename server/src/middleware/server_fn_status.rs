//! Giving a failed server function's response its real status instead of 500.

use app::error::AccountError;
use axum::{
    body::{Body, to_bytes},
    extract::Request,
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Server functions answer every error with 500; this gives each its real status (400 for bad
/// input, 401 for a failed login) and, where the error has one, its `Retry-After`, so that a
/// script calling them sees what happened. Form posts
/// without JavaScript are redirects and pass through untouched.
pub async fn server_fn_error_status(request: Request, next: Next) -> Response {
    let is_server_fn = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR || !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AccountError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(secs) = error.retry_after_secs() {
            parts.headers.insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
