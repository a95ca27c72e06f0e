//! Errors in Dioptra's three shapes, each with a top-level human `message`:
//! - domain errors: `{"error": "<Name>", "message": "<Reason> - <text>", "detail": {...},
//!   "originating_path": "<path>?<query>"}`;
//! - input validation: `{"errors": {"<field>": ["<text>"]}, "message": "..."}`;
//! - plain: `{"message": "..."}` (not logged in, unknown route, wrong method, unreadable body).

use app::{
    domain::{Field, FieldErrors},
    error::{AccountError, GroupRefusal},
};
use axum::{
    Json,
    extract::Request,
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde_json::{Map, Value, json};

pub const NOT_LOGGED_IN: &str = "The server could not verify that you are authorized to access the URL requested. \
You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply \
the credentials required.";
pub const NOT_FOUND: &str = "The requested URL was not found on the server. If you entered the URL manually please \
check your spelling and try again.";
pub const BAD_BODY: &str = "The browser (or proxy) sent a request that this server could not understand.";
pub const INPUT_INVALID: &str = "Input payload validation failed";

#[derive(Debug)]
pub enum ApiError {
    /// A Dioptra domain error; `originating_path` is added on the way out.
    Domain {
        status: StatusCode,
        error: &'static str,
        message: String,
        detail: Value,
    },
    /// Field-level validation failures.
    Fields {
        errors: Map<String, Value>,
        message: String,
    },
    Plain {
        status: StatusCode,
        message: String,
    },
    /// A 429: `inner` with a `Retry-After` header.
    Throttled {
        retry_after_secs: u64,
        inner: Box<ApiError>,
    },
}

impl ApiError {
    pub fn domain(status: StatusCode, error: &'static str, text: &str, detail: Value) -> Self {
        let reason = status.canonical_reason().unwrap_or("Error");
        ApiError::Domain { status, error, message: format!("{reason} - {text}"), detail }
    }

    pub fn plain(status: StatusCode, message: &str) -> Self {
        ApiError::Plain { status, message: message.to_owned() }
    }

    pub fn not_logged_in() -> Self {
        Self::plain(StatusCode::UNAUTHORIZED, NOT_LOGGED_IN)
    }

    /// Dioptra's validation error for one field, in a sentence.
    pub fn invalid_field(field: &str, sentence: &str) -> Self {
        ApiError::Fields {
            errors: [(field.to_owned(), json!([sentence]))].into_iter().collect(),
            message: format!("{INPUT_INVALID}: {field}: {sentence}"),
        }
    }

    pub fn fields(field_errors: &FieldErrors) -> Self {
        let errors =
            field_errors.iter().map(|(field, message)| (field_name(field).to_owned(), json!([message]))).collect();
        let summary: Vec<String> =
            field_errors.iter().map(|(field, m)| format!("{}: {m}", field_name(field))).collect();
        ApiError::Fields { errors, message: format!("{INPUT_INVALID}: {}", summary.join("; ")) }
    }

    pub fn search(query: &str, reason: &str) -> Self {
        Self::domain(
            StatusCode::UNPROCESSABLE_ENTITY,
            "SearchParseError",
            "The provided search query could not be parsed.",
            json!({"query": query, "reason": reason}),
        )
    }

    /// Dioptra's 404 for a group id (unknown, deleted, or private to others alike).
    pub fn group_not_found(group_id: i64) -> Self {
        Self::domain(
            StatusCode::NOT_FOUND,
            "EntityDoesNotExistError",
            &format!("Failed to locate Group with group_id having value ({group_id})."),
            json!({"entity_type": "group", "group_id": group_id}),
        )
    }

    /// The core's error for a request about group `group_id`, the 404 naming it.
    pub fn for_group(error: AccountError, group_id: i64) -> Self {
        match error {
            AccountError::GroupNotFound => Self::group_not_found(group_id),
            error => error.into(),
        }
    }

    pub fn user_not_found(user_id: impl std::fmt::Display) -> Self {
        Self::domain(
            StatusCode::NOT_FOUND,
            "UserDoesNotExistError",
            &format!("The user with user_id having value ({user_id}) is not available."),
            json!({}),
        )
    }

    /// Maps the core's error to Dioptra's error for the same situation.
    pub fn from_account(error: AccountError) -> Self {
        match error {
            AccountError::Invalid(fields) => Self::fields(&fields),
            // Callers that know the conflicting value give the fuller EntityExistsError body.
            AccountError::Taken(fields) => Self::domain(
                StatusCode::CONFLICT,
                "EntityExistsError",
                &fields.iter().map(|(_, m)| m.to_owned()).collect::<Vec<_>>().join("; "),
                json!({"entity_type": "user"}),
            ),
            AccountError::InvalidCredentials => Self::domain(
                StatusCode::UNAUTHORIZED,
                "UserAuthenticationError",
                "Invalid username or password.",
                json!({}),
            ),
            AccountError::Unauthenticated => Self::not_logged_in(),
            AccountError::WrongPassword => Self::domain(
                StatusCode::UNAUTHORIZED,
                "UserPasswordError",
                "Password authentication failed.",
                json!({}),
            ),
            AccountError::PasswordExpired => {
                Self::domain(StatusCode::UNAUTHORIZED, "UserPasswordExpiredError", "Password expired.", json!({}))
            }
            AccountError::WrongCurrentPassword => {
                Self::domain(StatusCode::FORBIDDEN, "UserPasswordChangeError", "Invalid Current Password.", json!({}))
            }
            AccountError::PasswordUnchanged => Self::domain(
                StatusCode::FORBIDDEN,
                "UserPasswordChangeError",
                "New password matches old password.",
                json!({}),
            ),
            AccountError::UserNotFound => Self::user_not_found("unknown"),
            AccountError::GroupNotFound => {
                Self::domain(StatusCode::NOT_FOUND, "EntityDoesNotExistError", "Failed to locate Group.", json!({}))
            }
            AccountError::Group(refusal) => Self::from_group_refusal(refusal),
            AccountError::SessionNotFound => {
                Self::domain(StatusCode::NOT_FOUND, "EntityDoesNotExistError", "Failed to locate Session.", json!({}))
            }
            AccountError::SignupClosed => Self::plain(StatusCode::FORBIDDEN, &error.to_string()),
            AccountError::TooManyAttempts { retry_after_secs } => ApiError::Throttled {
                retry_after_secs,
                inner: Box::new(Self::domain(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TooManyAttemptsError",
                    &error.to_string(),
                    json!({"retry_after": retry_after_secs}),
                )),
            },
            AccountError::BadRequest(reason) => Self::plain(StatusCode::BAD_REQUEST, &format!("{BAD_BODY} ({reason})")),
            AccountError::Passkey(reason) => Self::plain(StatusCode::BAD_REQUEST, &reason),
            AccountError::Busy { retry_after_secs } => ApiError::Throttled {
                retry_after_secs,
                inner: Box::new(Self::plain(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &format!("Service Unavailable - {error}"),
                )),
            },
            AccountError::ListingsBusy => ApiError::Throttled {
                retry_after_secs: 1,
                inner: Box::new(Self::plain(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &format!("Service Unavailable - {error}"),
                )),
            },
            AccountError::Unavailable | AccountError::TooSlow => {
                Self::plain(StatusCode::SERVICE_UNAVAILABLE, &format!("Service Unavailable - {error}"))
            }
            AccountError::Internal | AccountError::Transport => {
                Self::plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
            }
            AccountError::AccountDisabled => {
                Self::domain(StatusCode::FORBIDDEN, "UserDisabledError", &error.to_string(), json!({}))
            }
            AccountError::NotAdministrator => Self::domain(
                StatusCode::FORBIDDEN,
                "UserPermissionsError",
                &error.to_string(),
                json!({"permission": "administrator"}),
            ),
            AccountError::ConfirmationNeeded => Self::domain(
                StatusCode::FORBIDDEN,
                "ConfirmationNeededError",
                &format!("{error} POST the password to /api/v1/admin/confirm first."),
                json!({"confirm": "/api/v1/admin/confirm"}),
            ),
            AccountError::AdminRefused(sentence) => {
                Self::domain(StatusCode::CONFLICT, "AdministrationError", &sentence, json!({}))
            }
            AccountError::ResetLinkInvalid | AccountError::ApplicationPasswordNotFound => {
                Self::domain(StatusCode::NOT_FOUND, "EntityDoesNotExistError", &error.to_string(), json!({}))
            }
            AccountError::UseApplicationPassword | AccountError::WrongCode | AccountError::LoginTimedOut => {
                Self::domain(StatusCode::UNAUTHORIZED, "UserAuthenticationError", &error.to_string(), json!({}))
            }
            AccountError::ApplicationSession => Self::domain(
                StatusCode::FORBIDDEN,
                "UserPermissionsError",
                &error.to_string(),
                json!({"permission": "password session"}),
            ),
        }
    }
}

impl ApiError {
    /// Dioptra's classes and bodies for the refusals of group rules.
    fn from_group_refusal(refusal: GroupRefusal) -> Self {
        let status = StatusCode::from_u16(refusal.status_code()).unwrap_or(StatusCode::BAD_REQUEST);
        let sentence = refusal.to_string();
        match refusal {
            GroupRefusal::NotPermitted { group_id, permission } => Self::domain(
                status,
                "UserPermissionsError",
                &sentence,
                json!({"permission": permission, "group_id": group_id}),
            ),
            GroupRefusal::NameTaken { name } => Self::domain(
                status,
                "EntityExistsError",
                &sentence,
                json!({"entity_type": "group", "entity_attributes": {"name": name}}),
            ),
            GroupRefusal::AlreadyMember { group_id, user_id, .. } => Self::domain(
                status,
                "EntityExistsError",
                &sentence,
                json!({"entity_type": "group_member", "entity_attributes": {"group_id": group_id, "user_id": user_id}}),
            ),
            GroupRefusal::NotAMember { group_id, user_id } => Self::domain(
                status,
                "EntityDoesNotExistError",
                &sentence,
                json!({"entity_type": "group_member", "group_id": group_id, "user_id": user_id}),
            ),
            GroupRefusal::Flags { flag, sentence } => ApiError::invalid_field(&flag, &sentence),
            GroupRefusal::Rule { class, .. } => Self::domain(status, class.name(), &sentence, json!({})),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        Self::from_account(error)
    }
}

/// The API's name for a field (camelCase, as in Dioptra's JSON).
pub fn field_name(field: Field) -> &'static str {
    match field {
        Field::Username => "username",
        Field::Email => "email",
        Field::Password => "password",
        Field::ConfirmPassword => "confirmPassword",
        Field::OldPassword => "oldPassword",
        Field::NewPassword => "newPassword",
        Field::ConfirmNewPassword => "confirmNewPassword",
        Field::GroupName | Field::CredentialName => "name",
        Field::Code => "code",
        Field::RecoveryCode => "recoveryCode",
    }
}

/// The body of a domain error, waiting for `complete_error_bodies` to add the request path.
#[derive(Clone)]
struct PendingDomainBody(Map<String, Value>);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Domain { status, error, message, detail } => {
                let mut body = Map::new();
                body.insert("error".into(), json!(error));
                body.insert("message".into(), json!(message));
                body.insert("detail".into(), detail);
                let mut response = (status, Json(Value::Object(body.clone()))).into_response();
                response.extensions_mut().insert(PendingDomainBody(body));
                response
            }
            ApiError::Fields { errors, message } => {
                (StatusCode::BAD_REQUEST, Json(json!({"errors": errors, "message": message}))).into_response()
            }
            ApiError::Plain { status, message } => (status, Json(json!({"message": message}))).into_response(),
            ApiError::Throttled { retry_after_secs, inner } => {
                let mut response = inner.into_response();
                response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(retry_after_secs));
                response
            }
        }
    }
}

/// Adds `originating_path` (the path and query, always with a `?`, as Dioptra writes it) to
/// domain error bodies; only the middleware sees the request and the response together.
pub async fn complete_error_bodies(request: Request, next: Next) -> Response {
    let uri =
        request.extensions().get::<axum::extract::OriginalUri>().map_or_else(|| request.uri().clone(), |u| u.0.clone());
    let originating_path = format!("{}?{}", uri.path(), uri.query().unwrap_or(""));
    let mut response = next.run(request).await;
    if let Some(PendingDomainBody(mut body)) = response.extensions_mut().remove::<PendingDomainBody>() {
        body.insert("originating_path".into(), json!(originating_path));
        // Keep the headers (`Retry-After`, cookies); only the body changes.
        let (mut parts, _) = response.into_parts();
        parts.headers.remove(header::CONTENT_LENGTH);
        let bytes = serde_json::to_vec(&Value::Object(body)).unwrap_or_default();
        response = Response::from_parts(parts, axum::body::Body::from(bytes));
    }
    if !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    }
    response
}

pub async fn not_found() -> ApiError {
    ApiError::plain(StatusCode::NOT_FOUND, NOT_FOUND)
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::plain(StatusCode::METHOD_NOT_ALLOWED, "The method is not allowed for the requested URL.")
}
