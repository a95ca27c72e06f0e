//! Middleware between axum and the app.

use app::{
    error::AccountError,
    ssr::{AppState, accounts::SignedIn},
};
use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Finds the session cookie's account and puts it in the request for pages and server
/// functions (`app::ssr::signed_in`). Static files skip the database lookup.
pub async fn attach_session(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_static = path.starts_with("/pkg/") || path.starts_with("/favicon");
    if !is_static && let Some(token) = state.accounts.settings().cookies.token_from_headers(request.headers()) {
        match state.accounts.authenticate(&token).await {
            Ok(Some(user)) => {
                request.extensions_mut().insert(SignedIn { user, token });
            }
            Ok(None) => {}
            // The session cannot be checked: answer for the request rather than guess.
            Err(error) => {
                let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let reason = status.canonical_reason().unwrap_or("Error");
                let body = serde_json::json!({"message": format!("{reason} - {error}")});
                return (status, axum::Json(body)).into_response();
            }
        }
    }
    next.run(request).await
}

/// Server functions answer every error with 500; this gives each its real status (400 for bad
/// input, 401 for a failed login), so that a script calling them sees what happened. Form posts
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
    }
    Response::from_parts(parts, Body::from(bytes))
}
