//! `/api/v1/users...`

use app::{
    domain::{EmailAddress, Field, FieldErrors, PasswordChangeForm, ProfileForm, RegisterForm, Username},
    error::AccountError,
    ssr::{
        AppState,
        accounts::{ClientInfo, SignedIn},
    },
};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::{
    errors::{ApiError, field_name},
    input::{Authenticated, Body, Client, Paging, QueryMap, parse_id, read_body},
    shapes::{
        BadBodyBody, BadGroupRequestBody, CurrentUserBody, DeletedBody, DomainErrorBody, MessageBody,
        ModifyUserRequest, NotFoundBody, PageBody, PasswordChangeRequest, PasswordRequest, SignupRequest, StatusBody,
        UserBody, ValidationErrorBody,
    },
};

/// Create an account (signup). Needs no session and does not start one. Also served at
/// `/api/v1/users/`.
#[utoipa::path(post, path = "/users", operation_id = "create_user", tag = "users", request_body = SignupRequest, responses(
    (status = 200, description = "The new account", body = CurrentUserBody),
    (status = 400, description = "Invalid or missing fields", body = BadBodyBody),
    (status = 403, description = "Signup is disabled on this deployment", body = MessageBody),
    (status = 409, description = "Username or email address taken (`EntityExistsError`)", body = DomainErrorBody),
    (status = 429, description = "Too many signups from this client address (`TooManyAttemptsError`, with `Retry-After`)", body = DomainErrorBody),
))]
pub async fn create(
    State(state): State<AppState>,
    Client(client): Client,
    Body(body): Body,
) -> Result<Json<CurrentUserBody>, ApiError> {
    let request: SignupRequest = read_body(&body, &["username", "email", "password", "confirmPassword"])?;
    let form = RegisterForm {
        username: request.username,
        email: request.email,
        password: request.password.into(),
        confirm_password: request.confirm_password.into(),
    };
    let user = match state.accounts.register(&form, &client).await {
        Ok(user) => user,
        Err(AccountError::Taken(taken)) => return Err(conflict(&state, &taken, &form.username, &form.email).await),
        Err(error) => return Err(error.into()),
    };
    let memberships = state.accounts.memberships(user.user_id).await?;
    Ok(Json(CurrentUserBody::new(&user, &memberships)))
}

/// Every live account, paged, searchable by `username` and `email`. Also served at
/// `/api/v1/users/`.
#[utoipa::path(get, path = "/users", operation_id = "list_users", tag = "users", params(
    ("index" = Option<i64>, Query, description = "Offset of the first result (>= 0, default 0)"),
    ("pageLength" = Option<i64>, Query, description = "Results per page (1 to 1000, default 10)"),
    ("search" = Option<String>, Query, description = "Search query, e.g. `username:al*` or `alice`; at most 10 terms and 256 characters"),
), responses(
    (status = 200, body = PageBody<UserBody>),
    (status = 400, description = "Invalid paging parameters, or a search over the limits (10 terms, 256 characters)", body = ValidationErrorBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 422, description = "A search that does not parse (`SearchParseError`)", body = DomainErrorBody),
    (status = 503, description = "The database cannot be reached, or the query ran past its time budget", body = MessageBody),
))]
pub async fn list(
    State(state): State<AppState>,
    _: Authenticated,
    query: QueryMap,
) -> Result<Json<PageBody<UserBody>>, ApiError> {
    let paging = Paging::parse(&query, &["username", "email"])?;
    let page = state.accounts.list_users(&paging.terms, paging.index, paging.page_length).await?;
    let data = page.items.iter().map(UserBody::from).collect();
    Ok(Json(paging.envelope("/api/v1/users", page.total, data)))
}

/// One live account.
#[utoipa::path(get, path = "/users/{id}", operation_id = "get_user", tag = "users", params(("id" = i64, Path, minimum = 1)), responses(
    (status = 200, body = UserBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 404, description = "No such (live) account (`UserDoesNotExistError`)", body = NotFoundBody),
))]
pub async fn by_id(
    State(state): State<AppState>,
    _: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<UserBody>, ApiError> {
    let user_id = parse_id(&id)?;
    let user = state.accounts.user(user_id).await?.ok_or_else(|| ApiError::user_not_found(user_id))?;
    Ok(Json(UserBody::from(&user)))
}

/// The signed-in account.
#[utoipa::path(get, path = "/users/current", operation_id = "get_current_user", tag = "users", responses(
    (status = 200, body = CurrentUserBody),
    (status = 401, description = "Not logged in", body = MessageBody),
))]
pub async fn current(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
) -> Result<Json<CurrentUserBody>, ApiError> {
    let memberships = state.accounts.memberships(signed_in.user.user_id).await?;
    Ok(Json(CurrentUserBody::new(&signed_in.user, &memberships)))
}

/// Change the signed-in account's username and email address.
#[utoipa::path(put, path = "/users/current", operation_id = "modify_current_user", tag = "users", request_body = ModifyUserRequest, responses(
    (status = 200, body = CurrentUserBody),
    (status = 400, description = "Invalid or missing fields", body = BadBodyBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 403, description = "A session started with an application password (`UserPermissionsError`)", body = DomainErrorBody),
    (status = 409, description = "Username or email address taken (`EntityExistsError`)", body = DomainErrorBody),
))]
pub async fn modify_current(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    Body(body): Body,
) -> Result<Json<CurrentUserBody>, ApiError> {
    let request: ModifyUserRequest = read_body(&body, &["username", "email"])?;
    // The name logs in and the address is where help goes: a script's session changes neither.
    signed_in.refuse_application_session()?;
    let user_id = signed_in.user.user_id;
    let form = ProfileForm { username: request.username, email: request.email };
    let user = match state.accounts.modify(user_id, &form).await {
        Ok(user) => user,
        Err(AccountError::Taken(taken)) => {
            return Err(conflict(&state, &taken, &form.username, &form.email).await);
        }
        Err(error) => return Err(error.into()),
    };
    let memberships = state.accounts.memberships(user_id).await?;
    Ok(Json(CurrentUserBody::new(&user, &memberships)))
}

/// Delete the signed-in account, confirmed by its password. Its username and email address stay
/// reserved; every session ends.
#[utoipa::path(delete, path = "/users/current", operation_id = "delete_current_user", tag = "users", request_body = PasswordRequest, responses(
    (status = 200, body = DeletedBody),
    (status = 400, description = "Missing password, or the account owns a group with other members: ownership must pass to one of them first (`UserIsManagerError`)", body = BadGroupRequestBody),
    (status = 401, description = "Not logged in, wrong password (`UserPasswordError`) or expired password", body = DomainErrorBody),
    (status = 403, description = "A session started with an application password (`UserPermissionsError`)", body = DomainErrorBody),
    (status = 429, description = "Too many attempts from this client or against this account (`TooManyAttemptsError`, with `Retry-After`)", body = DomainErrorBody),
))]
pub async fn delete_current(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    Client(client): Client,
    Body(body): Body,
) -> Result<Json<DeletedBody>, ApiError> {
    let request: PasswordRequest = read_body(&body, &["password"])?;
    signed_in.refuse_application_session()?;
    let user_id = signed_in.user.user_id;
    state.accounts.delete(&signed_in.user, request.password.into(), &client).await?;
    Ok(Json(DeletedBody { id: vec![user_id], status: "Success".into() }))
}

/// Change the signed-in account's password. Every session of the account ends, this one too (as
/// in Dioptra, whose web UI shows the login form after a change): log in with the new password.
#[utoipa::path(post, path = "/users/current/password", operation_id = "change_current_user_password", tag = "users", request_body = PasswordChangeRequest, responses(
    (status = 200, body = StatusBody),
    (status = 400, description = "A new password that breaks the rules, or a confirmation that differs", body = BadBodyBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 403, description = "Wrong current password, or the new one equals it (`UserPasswordChangeError`); a session started with an application password (`UserPermissionsError`)", body = DomainErrorBody),
    (status = 429, description = "Too many attempts from this client or against this account (`TooManyAttemptsError`, with `Retry-After`)", body = DomainErrorBody),
))]
pub async fn change_current_password(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    Client(client): Client,
    Body(body): Body,
) -> Result<Response, ApiError> {
    signed_in.refuse_application_session()?;
    change_password(&state, signed_in.user.user_id, Some(&signed_in), &client, &body).await
}

/// Change an account's password, knowing its current one. Works without a session, so that an
/// expired password can be renewed. Every session of the account ends, the caller's too.
#[utoipa::path(post, path = "/users/{id}/password", operation_id = "change_password_by_id", tag = "users", params(("id" = i64, Path, minimum = 1)),
    request_body = PasswordChangeRequest, responses(
    (status = 200, body = StatusBody),
    (status = 400, description = "A new password that breaks the rules, or a confirmation that differs", body = BadBodyBody),
    (status = 403, description = "Wrong current password, the new one equals it, or no such account: the same answer (`UserPasswordChangeError`)", body = DomainErrorBody),
    (status = 404, description = "An id that is not a positive integer", body = MessageBody),
    (status = 429, description = "Too many attempts from this client or against this account (`TooManyAttemptsError`, with `Retry-After`)", body = DomainErrorBody),
))]
pub async fn change_password_by_id(
    State(state): State<AppState>,
    Path(id): Path<String>,
    parts: axum::http::request::Parts,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let user_id = parse_id(&id)?;
    let signed_in = super::input::signed_in(&parts.extensions);
    let client = ClientInfo::of_request(&parts.headers, &parts.extensions);
    let own_session = signed_in.filter(|s| s.user.user_id == user_id);
    // An unknown id is answered like a wrong current password (403), so this route, which
    // needs no session, cannot be used to find out which ids exist.
    change_password(&state, user_id, own_session.as_ref(), &client, &body).await
}

async fn change_password(
    state: &AppState,
    user_id: i64,
    own_session: Option<&SignedIn>,
    client: &ClientInfo,
    body: &axum::body::Bytes,
) -> Result<Response, ApiError> {
    let request: PasswordChangeRequest = read_body(body, &["oldPassword", "newPassword", "confirmNewPassword"])?;
    let change = PasswordChangeForm {
        old_password: request.old_password.into(),
        new_password: request.new_password.into(),
        confirm_new_password: request.confirm_new_password.into(),
    };
    // No session is kept: a browser that shows the login form after a change (Dioptra's UI does)
    // must not still hold a live one. The account page's own form keeps its session instead.
    let changed = state.accounts.change_password(user_id, change, None, client).await?;
    let settings = state.accounts.settings();
    let response = Json(StatusBody { status: "Password Change Success".into() }).into_response();
    // The caller proved the password: its client is the account's first device after the change.
    let response = super::auth::with_cookie(response, &settings.device_cookie(&changed.new_device));
    Ok(match own_session {
        Some(_) => super::auth::with_cookie(response, &settings.cookies.clear()),
        None => response,
    })
}

/// Dioptra's 409 for a taken username or email, naming the value and the account holding it.
async fn conflict(state: &AppState, taken: &FieldErrors, username: &str, email: &str) -> ApiError {
    let (field, attribute, value, key) = if taken.get(Field::Username).is_some() {
        let key = Username::parse(username).map(|u| u.key()).unwrap_or_default();
        (Field::Username, "username", username.trim(), key)
    } else {
        let key = EmailAddress::parse(email).map(|e| e.key()).unwrap_or_default();
        (Field::Email, "email_address", email.trim(), key)
    };
    let existing_id = state.accounts.holder_of(field, &key).await.ok().flatten();
    ApiError::domain(
        StatusCode::CONFLICT,
        "EntityExistsError",
        &format!("The User with {attribute} having value ({value}) already exists."),
        json!({
            "entity_type": "user",
            "existing_id": existing_id,
            "entity_attributes": {attribute: value},
            // Forms and scripts both learn which field it was.
            "errors": {field_name(field): [taken.get(field).unwrap_or_default()]},
        }),
    )
}
