//! Turning a request's session cookie into a signed-in user for the rest of the request.

use app::ssr::AppState;
use axum::{
    extract::{Request, State},
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Finds the session cookie's account and puts it in the request for pages and server
/// functions (`app::ssr::signed_in`), beside the device cookies (`ClientInfo` reads them, for the
/// guessing limits; they cost no lookup here). Static files skip the database lookup.
pub async fn attach_session(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_static =
        path.starts_with("/pkg/") || path.starts_with("/favicon") || path == "/console.js" || path == "/passkeys.js";
    if !is_static {
        let devices = state.accounts.settings().cookies.device_tokens_from_headers(request.headers());
        if !devices.0.is_empty() {
            request.extensions_mut().insert(devices);
        }
        let candidates = state.accounts.settings().cookies.tokens_from_headers(request.headers());
        match state.accounts.authenticate(candidates).await {
            Ok(Some(signed_in)) => {
                request.extensions_mut().insert(signed_in);
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
