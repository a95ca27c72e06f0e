//! `/api/v1/auth/login` and `/api/v1/auth/logout`.

use app::{
    domain::LoginForm,
    error::AccountError,
    ssr::{
        AppState,
        accounts::{ClientInfo, LoginChannel, SignInStep},
    },
};
use axum::{
    Json,
    extract::State,
    http::{header, request::Parts},
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::{
    errors::{ApiError, INPUT_INVALID},
    input::{Authenticated, Body, Client, QueryMap, read_body},
    shapes::{BadBodyBody, DomainErrorBody, LoginBody, LoginRequest, LogoutBody, MessageBody, ValidationErrorBody},
};

/// Check a username (any case) and password and start a session: the response sets the session
/// cookie, and a device cookie when the client showed none of this account's (keep it: while the
/// account is under attack, only clients with one may still log in). Every failure is the same
/// 401, whether or not the account exists. An application password of the account (made on the
/// account page) may stand in for the password: it starts an API session, which the REST API
/// serves but which cannot change the password, delete the account or confirm administrative
/// acts, and which ends when the application password is revoked or expires.
#[utoipa::path(post, path = "/auth/login", operation_id = "login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = LoginBody),
    (status = 400, description = "Missing or unknown fields", body = BadBodyBody),
    (status = 401, description = "Invalid username or password, or the account's password where the account has a second factor: log in with an application password (`UserAuthenticationError`)", body = DomainErrorBody),
    (status = 429, description = "Too many failed attempts from this client, or against this account by clients without one of its device cookies (`TooManyAttemptsError`, with `Retry-After`)", body = DomainErrorBody),
))]
pub async fn login(State(state): State<AppState>, parts: Parts, Body(body): Body) -> Result<Response, ApiError> {
    let request: LoginRequest = read_body(&body, &["username", "password"])?;
    let form = LoginForm { username: request.username, password: request.password.into() };
    let client = ClientInfo::of_request(&parts.headers, &parts.extensions);
    // The API's login has no second step: an account with a second factor answers 401 to its
    // password (`UseApplicationPassword`), so a session is all that can come back.
    let SignInStep::SignedIn(logged_in) = state.accounts.log_in(&form, LoginChannel::Api, &client).await? else {
        return Err(AccountError::Internal.into());
    };
    let settings = state.accounts.settings();
    let response = Json(LoginBody { username: form.username, status: "Login successful".into() }).into_response();
    let response = with_cookie(response, &settings.session_cookie(&logged_in.signed_in.token));
    Ok(match &logged_in.new_device {
        Some(device) => with_cookie(response, &settings.device_cookie(device)),
        None => response,
    })
}

/// End this session, or with `everywhere=true` every session of the account on every device.
#[utoipa::path(post, path = "/auth/logout", operation_id = "logout", tag = "auth", params(
    ("everywhere" = Option<bool>, Query, description = "`true`/`1`/`on` or `false`/`0`, any case (default false)"),
), responses(
    (status = 200, body = LogoutBody),
    (status = 400, description = "`everywhere` is not a boolean", body = ValidationErrorBody),
    (status = 401, description = "Not logged in", body = MessageBody),
))]
pub async fn logout(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    Client(client): Client,
    query: QueryMap,
) -> Result<Response, ApiError> {
    let everywhere = match query.get("everywhere") {
        None => false,
        Some(raw) => parse_everywhere(raw)?,
    };
    if everywhere {
        state.accounts.log_out_everywhere(&signed_in.user, &client).await?;
    } else {
        state.accounts.log_out(&signed_in, &client).await?;
    }
    let body = LogoutBody { username: signed_in.user.username, everywhere, status: "Logout successful".into() };
    Ok(with_cookie(Json(body).into_response(), &state.accounts.settings().cookies.clear()))
}

/// Adds a `Set-Cookie` header to a response.
pub fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = cookie.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Dioptra's boolean literals: `true`/`1`/`on` and `false`/`0`, in any case.
fn parse_everywhere(raw: &str) -> Result<bool, ApiError> {
    match raw.to_ascii_lowercase().as_str() {
        "true" | "1" | "on" => Ok(true),
        "false" | "0" => Ok(false),
        "" => Err(invalid_everywhere("Not a valid boolean.")),
        _ => Err(invalid_everywhere(&format!("Logout on all devices. Invalid literal for boolean(): {raw}"))),
    }
}

fn invalid_everywhere(message: &str) -> ApiError {
    let mut errors = serde_json::Map::new();
    errors.insert("everywhere".into(), json!(message));
    ApiError::Fields { errors, message: INPUT_INVALID.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everywhere_accepts_dioptras_literals_in_any_case() {
        for (raw, expected) in
            [("True", true), ("true", true), ("1", true), ("ON", true), ("False", false), ("0", false)]
        {
            assert_eq!(parse_everywhere(raw).ok(), Some(expected), "{raw}");
        }
        for raw in ["yes", "off", "t", "y", ""] {
            assert!(parse_everywhere(raw).is_err(), "{raw}");
        }
    }
}
