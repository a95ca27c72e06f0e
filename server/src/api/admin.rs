//! `/api/v1/admin/…`: the administrators' console over JSON, not part of Dioptra's API. Reads
//! need an administrator (a manager of `public`); acts also need the password confirmed on the
//! session within the last 10 minutes, by logging in or with `POST /admin/confirm`.

use app::{
    domain::TypedPassword,
    ssr::{
        AppState,
        accounts::{ACCOUNTS_WINDOW, AdminAccount, AdminAct, CONFIRMATION_LIFETIME, HourCounts},
        clock::now_micros,
    },
};
use axum::{
    Json,
    extract::{Path, State},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    errors::{ApiError, NOT_FOUND},
    input::{Authenticated, Body, Client, Paging, QueryMap, parse_id, read_body},
    shapes::{BadBodyBody, DomainErrorBody, MessageBody, NotFoundBody, PageBody, ValidationErrorBody, timestamp},
};

/// The administrator's password, typed again.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    pub password: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmedBody {
    /// `Confirmed`
    pub status: String,
    /// Until when acts need no password on this session.
    pub confirmed_until: String,
}

/// An account as the console lists it, deleted ones included.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdminAccountBody {
    pub id: i64,
    pub username: String,
    pub email: String,
    /// `active`, `disabled`, `password expired` or `deleted`.
    pub status: String,
    pub created_on: String,
    pub last_login_on: Option<String>,
    pub open_sessions: i64,
    /// A manager (owner or admin) of `public`.
    pub is_administrator: bool,
    /// The owner of `public`: never disabled, deleted or demoted.
    pub is_owner: bool,
}

impl From<&AdminAccount> for AdminAccountBody {
    fn from(account: &AdminAccount) -> Self {
        Self {
            id: account.user_id,
            username: account.username.clone(),
            email: account.email.clone(),
            status: account.status(now_micros()).words().to_owned(),
            created_on: timestamp(account.created_on),
            last_login_on: account.last_login_on.map(timestamp),
            open_sessions: account.open_sessions,
            is_administrator: account.is_administrator,
            is_owner: account.is_owner,
        }
    }
}

/// What an act did.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActBody {
    pub id: i64,
    pub username: String,
    /// The act's name, as in the path.
    pub act: String,
    pub sessions_ended: u64,
    /// The act as done, in a sentence.
    pub status: String,
    /// `reset-link` only: the link to hand to the account's owner, shown this once. It works
    /// once, until `resetLinkExpiresOn`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset_link: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset_link_expires_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CountsBody {
    pub logins: i64,
    pub failures: i64,
    pub throttled: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HourBody {
    /// When the hour began.
    pub hour: String,
    #[serde(flatten)]
    pub counts: CountsBody,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverviewBody {
    pub live_accounts: i64,
    pub disabled_accounts: i64,
    pub deleted_accounts: i64,
    pub open_sessions: i64,
    /// Over the last 24 hours.
    pub signups: i64,
    pub last_day: CountsBody,
    /// The last 168 hours, oldest first.
    pub hours: Vec<HourBody>,
}

fn counts(hour: &HourCounts) -> CountsBody {
    CountsBody { logins: hour.logins, failures: hour.failures, throttled: hour.throttled }
}

/// Type the password again: administrative acts on this session need no password for the next
/// 10 minutes. A wrong password counts against the guessing limits like a wrong login.
#[utoipa::path(post, path = "/admin/confirm", operation_id = "admin_confirm", tag = "admin", request_body = ConfirmRequest, responses(
    (status = 200, body = ConfirmedBody),
    (status = 400, description = "Missing or unknown fields", body = BadBodyBody),
    (status = 401, description = "Not logged in, or a wrong password (`UserPasswordError`)", body = DomainErrorBody),
    (status = 403, description = "Not an administrator (`UserPermissionsError`)", body = DomainErrorBody),
    (status = 429, description = "Too many failed attempts (`TooManyAttemptsError`, with `Retry-After`)", body = DomainErrorBody),
))]
pub async fn confirm(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    Client(client): Client,
    Body(body): Body,
) -> Result<Json<ConfirmedBody>, ApiError> {
    let request: ConfirmRequest = read_body(&body, &["password"])?;
    let password = TypedPassword::from(request.password);
    state.accounts.confirm_administrator(&signed_in, password, &client).await?;
    let until = now_micros().plus(CONFIRMATION_LIFETIME);
    Ok(Json(ConfirmedBody { status: "Confirmed".into(), confirmed_until: timestamp(until) }))
}

/// Accounts, sessions and the last day's and week's logins, failures and throttled attempts.
#[utoipa::path(get, path = "/admin/overview", operation_id = "admin_overview", tag = "admin", responses(
    (status = 200, body = OverviewBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 403, description = "Not an administrator (`UserPermissionsError`)", body = DomainErrorBody),
))]
pub async fn overview(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
) -> Result<Json<OverviewBody>, ApiError> {
    administrator(&state, signed_in.user.user_id).await?;
    let overview = state.accounts.overview().await?;
    Ok(Json(OverviewBody {
        live_accounts: overview.live_accounts,
        disabled_accounts: overview.disabled_accounts,
        deleted_accounts: overview.deleted_accounts,
        open_sessions: overview.open_sessions,
        signups: overview.signups,
        last_day: counts(&overview.last_day),
        hours: overview
            .hours
            .iter()
            .map(|hour| HourBody { hour: timestamp(hour.start), counts: counts(hour) })
            .collect(),
    }))
}

/// Every account, deleted ones included, with its status, searchable as `GET /users` is.
#[utoipa::path(get, path = "/admin/users", operation_id = "admin_list_users", tag = "admin", params(
    ("index" = Option<i64>, Query, description = "Offset of the first result (0 to 9999, default 0): past that, narrow the search"),
    ("pageLength" = Option<i64>, Query, description = "Results per page (1 to 1000, default 10)"),
    ("search" = Option<String>, Query, description = "Search query, as for `GET /users`"),
), responses(
    (status = 200, description = "`totalNumResults` is counted up to 10,001: that many means at least so many; at the window's end `isComplete` is false without `next`", body = PageBody<AdminAccountBody>),
    (status = 400, description = "Invalid paging parameters (an index past 9999), or a search over the limits", body = ValidationErrorBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 403, description = "Not an administrator (`UserPermissionsError`)", body = DomainErrorBody),
    (status = 422, description = "A search that does not parse (`SearchParseError`)", body = DomainErrorBody),
))]
pub async fn users(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    query: QueryMap,
) -> Result<Json<PageBody<AdminAccountBody>>, ApiError> {
    administrator(&state, signed_in.user.user_id).await?;
    let paging = Paging::parse(&query, &["username", "email"])?;
    if paging.index >= ACCOUNTS_WINDOW {
        let sentence = format!("Must be below {ACCOUNTS_WINDOW}: narrow the search to see further.");
        return Err(ApiError::invalid_field("index", &sentence));
    }
    let page = state.accounts.admin_accounts(&paging.terms, paging.index, paging.page_length).await?;
    let data = page.items.iter().map(AdminAccountBody::from).collect();
    let mut body = paging.envelope("/api/v1/admin/users", page.total, data);
    // No link past the window: `isComplete` false without `next` says to narrow the search.
    if paging.index.saturating_add(paging.page_length) >= ACCOUNTS_WINDOW {
        body.next = None;
    }
    Ok(Json(body))
}

/// Do an act to an account: `disable` (it cannot log in, and its sessions end), `enable`,
/// `expire-password` (the next login must choose a new one), `end-sessions`, `reset-link` (a
/// link for the owner to choose a new password with, in the answer only), `make-admin`,
/// `remove-admin` (the `admin` role in `public`), `remove-second-factor` (an owner who lost the
/// authenticator app and the recovery codes) or `delete`. Needs the password confirmed on
/// this session within 10 minutes (`POST /admin/confirm`).
#[utoipa::path(post, path = "/admin/users/{id}/{act}", operation_id = "admin_act", tag = "admin", params(
    ("id" = i64, Path, minimum = 1),
    ("act" = String, Path, description = "`disable`, `enable`, `expire-password`, `end-sessions`, `reset-link`, `make-admin`, `remove-admin`, `remove-second-factor` or `delete`"),
), responses(
    (status = 200, body = ActBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 403, description = "Not an administrator (`UserPermissionsError`), or the password not confirmed within 10 minutes (`ConfirmationNeededError`)", body = DomainErrorBody),
    (status = 404, description = "No such account (`UserDoesNotExistError`), or an id or act that names nothing", body = NotFoundBody),
    (status = 409, description = "Not possible for this account, or done already (`AdministrationError`, with a sentence saying why)", body = DomainErrorBody),
))]
pub async fn act(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    Client(client): Client,
    Path((id, act)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Result<([(axum::http::HeaderName, &'static str); 1], Json<ActBody>), ApiError> {
    let user_id = parse_id(&id)?;
    let acting = state.accounts.fresh_administrator(&signed_in).await?;
    let act = AdminAct::from_slug(&act).ok_or_else(|| ApiError::plain(axum::http::StatusCode::NOT_FOUND, NOT_FOUND))?;
    let done = state.accounts.act_on(&acting, act, user_id, &client).await.map_err(|error| match error {
        app::error::AccountError::UserNotFound => ApiError::user_not_found(user_id),
        error => error.into(),
    })?;
    let header = |name| headers.get(name).and_then(|value: &axum::http::HeaderValue| value.to_str().ok());
    let origin = state.accounts.origin_for(header(axum::http::header::ORIGIN), header(axum::http::header::HOST));
    // A reset link is shown once: no cache may keep the answer.
    let no_store = [(axum::http::header::CACHE_CONTROL, "no-store")];
    Ok((
        no_store,
        Json(ActBody {
            id: done.user_id,
            username: done.username.clone(),
            act: act.slug().to_owned(),
            sessions_ended: done.sessions_ended,
            status: done.sentence(),
            reset_link: done.reset_link.as_ref().map(|link| link.url(&origin)),
            reset_link_expires_on: done.reset_link.as_ref().map(|link| link.expires_on.to_rfc3339()),
        }),
    ))
}

pub(super) async fn administrator(state: &AppState, user_id: i64) -> Result<(), ApiError> {
    if state.accounts.is_administrator(user_id).await? {
        Ok(())
    } else {
        Err(app::error::AccountError::NotAdministrator.into())
    }
}
