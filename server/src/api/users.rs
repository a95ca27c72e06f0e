//! `/api/v1/users...`

use app::{
    domain::{EmailAddress, Field, RegisterForm, Username},
    error::AccountError,
    ssr::{
        AppState,
        accounts::{PasswordChange, SignedIn},
    },
};
use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use super::{
    errors::ApiError,
    input::{Authenticated, Paging, QueryMap, parse_id, string_fields},
    shapes,
};

/// `POST /users`: signup. Needs no session and does not start one.
pub async fn create(State(state): State<AppState>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let fields = string_fields(&body, &["username", "email", "password", "confirmPassword"], &[])?;
    let form = RegisterForm {
        username: fields["username"].clone(),
        email: fields["email"].clone(),
        password: fields["password"].clone(),
        confirm_password: fields["confirmPassword"].clone(),
    };
    let user = match state.accounts.register(&form).await {
        Ok(user) => user,
        Err(AccountError::Taken(taken)) => return Err(conflict(&state, &taken, &form.username, &form.email).await),
        Err(error) => return Err(error.into()),
    };
    let memberships = state.accounts.memberships(user.user_id).await?;
    Ok(Json(shapes::current_user(&user, &memberships)))
}

/// `GET /users`: every live account, paged and searchable by `username` and `email`.
pub async fn list(State(state): State<AppState>, _: Authenticated, query: QueryMap) -> Result<Json<Value>, ApiError> {
    let paging = Paging::parse(&query, &["username", "email"])?;
    let page = state.accounts.list_users(&paging.terms, paging.index, paging.page_length).await?;
    let data = page.items.iter().map(shapes::user).collect();
    Ok(Json(paging.envelope("/api/v1/users", page.total, data)))
}

/// `GET /users/{id}`
pub async fn by_id(
    State(state): State<AppState>,
    _: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let user_id = parse_id(&id)?;
    let user = state.accounts.user(user_id).await?.ok_or_else(|| ApiError::user_not_found(user_id))?;
    Ok(Json(shapes::user(&user)))
}

/// `GET /users/current`
pub async fn current(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
) -> Result<Json<Value>, ApiError> {
    let memberships = state.accounts.memberships(signed_in.user.user_id).await?;
    Ok(Json(shapes::current_user(&signed_in.user, &memberships)))
}

/// `PUT /users/current`: change the username and email address.
pub async fn modify_current(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let fields = string_fields(&body, &["username", "email"], &[])?;
    let user_id = signed_in.user.user_id;
    let user = match state.accounts.modify(user_id, &fields["username"], &fields["email"]).await {
        Ok(user) => user,
        Err(AccountError::Taken(taken)) => {
            return Err(conflict(&state, &taken, &fields["username"], &fields["email"]).await);
        }
        Err(error) => return Err(error.into()),
    };
    let memberships = state.accounts.memberships(user_id).await?;
    Ok(Json(shapes::current_user(&user, &memberships)))
}

/// `DELETE /users/current` with `{"password"}`: delete the account.
pub async fn delete_current(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let fields = string_fields(&body, &["password"], &[])?;
    let user_id = signed_in.user.user_id;
    state.accounts.delete(user_id, fields["password"].clone()).await?;
    Ok(Json(json!({"id": [user_id], "status": "Success"})))
}

/// `POST /users/current/password`: change one's own password. Other sessions end; this one
/// continues under a new token.
pub async fn change_current_password(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    body: Bytes,
) -> Result<Response, ApiError> {
    change_password(&state, signed_in.user.user_id, Some(&signed_in), &body).await
}

/// `POST /users/{id}/password`: change a password knowing the current one. Works without a
/// session, so that an expired password can be renewed.
pub async fn change_password_by_id(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let user_id = parse_id(&id)?;
    let signed_in = super::input::signed_in(request.extensions());
    let body = axum::body::to_bytes(request.into_body(), super::MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::plain(StatusCode::PAYLOAD_TOO_LARGE, "The request body is too large."))?;
    let own_session = signed_in.filter(|s| s.user.user_id == user_id);
    match change_password(&state, user_id, own_session.as_ref(), &body).await {
        Err(ApiError::Domain { error: "UserDoesNotExistError", .. }) => Err(ApiError::user_not_found(user_id)),
        other => other,
    }
}

async fn change_password(
    state: &AppState,
    user_id: i64,
    own_session: Option<&SignedIn>,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let fields = string_fields(body, &["oldPassword", "newPassword", "confirmNewPassword"], &[])?;
    let change = PasswordChange {
        old_password: fields["oldPassword"].clone(),
        new_password: fields["newPassword"].clone(),
        confirm_new_password: fields["confirmNewPassword"].clone(),
    };
    let fresh = state.accounts.change_password(user_id, change, own_session.map(|s| &s.token)).await?;
    let mut response = Json(json!({"status": "Password Change Success"})).into_response();
    if let Some(token) = fresh {
        let settings = state.accounts.settings();
        let max_age = i64::try_from(settings.session_lifetime.as_secs()).unwrap_or(i64::MAX);
        if let Ok(cookie) = settings.cookies.set(&token, max_age).parse() {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
    }
    Ok(response)
}

/// Dioptra's 409 for a taken username or email, naming the value and the account holding it.
async fn conflict(state: &AppState, taken: &app::domain::FieldErrors, username: &str, email: &str) -> ApiError {
    let (field, attribute, value, key) = if taken.get(Field::Username).is_some() {
        let key = Username::parse(username).map(|u| u.key()).unwrap_or_default();
        (Field::Username, "username", username.trim(), key)
    } else {
        let key = EmailAddress::parse(email).map(|e| e.key()).unwrap_or_default();
        (Field::Email, "email_address", email.trim(), key)
    };
    let existing_id = state.accounts.holder_of(field, &key).await.ok().flatten();
    let mut error = ApiError::domain(
        StatusCode::CONFLICT,
        "EntityExistsError",
        &format!("The User with {attribute} having value ({value}) already exists."),
        json!({"entity_type": "user", "existing_id": existing_id, "entity_attributes": {attribute: value}}),
    );
    // Forms and scripts both learn which field it was.
    if let ApiError::Domain { detail, .. } = &mut error {
        detail["errors"] = json!({ super::errors::field_name(field): [taken.get(field).unwrap_or_default()] });
    }
    error
}
