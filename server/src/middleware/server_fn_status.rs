//! Giving a failed server function's response its real status instead of 500.

use app::error::AccountError;
use axum::{
    body::{Body, to_bytes},
    extract::Request,
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// The header that carries an error's sentence, form-encoded (UTF-8 in a header), for the plain
/// scripts that call server functions (`public/passkeys.js`): they cannot word `AccountError`s.
pub const ERROR_MESSAGE: header::HeaderName = header::HeaderName::from_static("x-error-message");

/// What a person reads for `error`: its sentence, or for input that breaks rules each field's.
fn error_message(error: &AccountError) -> String {
    let sentence = match error {
        AccountError::Invalid(fields) | AccountError::Taken(fields) if !fields.is_empty() => {
            fields.iter().map(|(_, message)| message).collect::<Vec<_>>().join(" ")
        }
        other => other.to_string(),
    };
    form_urlencoded::byte_serialize(sentence.as_bytes()).collect()
}

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
        if let Ok(value) = header::HeaderValue::from_str(&error_message(&error)) {
            parts.headers.insert(ERROR_MESSAGE, value);
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
