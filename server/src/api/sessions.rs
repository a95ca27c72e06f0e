//! `/api/v1/users/current/sessions`: a user's own logins, and ending any of them. Not part of
//! Dioptra's API; added so that a user can see where they are logged in.

use app::ssr::{AppState, accounts::SessionInfo};
use axum::{
    Json,
    extract::{Path, State},
    response::{IntoResponse, Response},
};

use super::{
    auth::with_cookie,
    errors::ApiError,
    input::{Authenticated, Client},
    shapes::{DomainErrorBody, MessageBody, SessionBody, SessionsBody, StatusBody, timestamp},
};

/// The signed-in user's live sessions, most recently used first.
#[utoipa::path(get, path = "/users/current/sessions", operation_id = "list_current_user_sessions", tag = "sessions", responses(
    (status = 200, body = SessionsBody),
    (status = 401, description = "Not logged in", body = MessageBody),
))]
pub async fn list(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
) -> Result<Json<SessionsBody>, ApiError> {
    let current_id = SessionInfo::id_of(&signed_in.token);
    let sessions = state.accounts.sessions_of(signed_in.user.user_id).await?;
    let sessions = sessions
        .iter()
        .map(|session| {
            let id = session.id();
            SessionBody {
                current: id == current_id,
                id,
                created_on: timestamp(session.created_on),
                last_seen_on: timestamp(session.last_seen_on),
                expires_on: timestamp(session.expires_on),
                client_address: session.client_address.clone(),
                user_agent: session.user_agent.clone(),
            }
        })
        .collect();
    Ok(Json(SessionsBody { sessions }))
}

/// End one of the signed-in user's sessions. Ending the current one logs this client out.
#[utoipa::path(delete, path = "/users/current/sessions/{id}", operation_id = "revoke_current_user_session", tag = "sessions",
    params(("id" = String, Path, description = "A session's `id` from the list")), responses(
    (status = 200, body = StatusBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 404, description = "Not a live session of this user (`EntityDoesNotExistError`)", body = DomainErrorBody),
))]
pub async fn revoke(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    Client(client): Client,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    state.accounts.revoke_session(&signed_in.user, &id, &client).await?;
    let response = Json(StatusBody { status: "Session ended".into() }).into_response();
    if id.eq_ignore_ascii_case(&SessionInfo::id_of(&signed_in.token)) {
        return Ok(with_cookie(response, &state.accounts.settings().cookies.clear()));
    }
    Ok(response)
}
