//! The OpenAPI 3 document of the REST API, generated from the handlers' annotations and the
//! types in `shapes.rs`, served at `/api/v1/openapi.json`.

use axum::Json;
use utoipa::OpenApi;

use super::{auth, groups, sessions, shapes, users};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Dioptra Accounts REST API",
        description = "Users, authentication and groups of a Dioptra deployment, compatible with \
            Dioptra's REST API v1 and its Python client (`dioptra.client`). Sessions are cookies: \
            log in with `POST /api/v1/auth/login` and send the cookie it sets."
    ),
    paths(
        users::create, users::list, users::by_id, users::current, users::modify_current, users::delete_current,
        users::change_current_password, users::change_password_by_id,
        sessions::list, sessions::revoke,
        auth::login, auth::logout,
        groups::list, groups::by_id, groups::create, groups::modify, groups::delete,
        crate::startup::health,
    ),
    components(schemas(
        shapes::UserBody, shapes::CurrentUserBody, shapes::GroupBody, shapes::GroupRef, shapes::UserRef,
        shapes::MemberBody, shapes::Permissions, shapes::StatusBody, shapes::DeletedBody, shapes::LoginBody,
        shapes::LogoutBody, shapes::HealthBody, shapes::SignupRequest, shapes::ModifyUserRequest,
        shapes::PasswordChangeRequest, shapes::PasswordRequest, shapes::LoginRequest, shapes::DomainErrorBody,
        shapes::ValidationErrorBody, shapes::MessageBody, shapes::SessionsBody, shapes::SessionBody,
        shapes::BadBodyBody, shapes::NotFoundBody,
    )),
    tags(
        (name = "users", description = "Accounts: signup, profile, password, deletion"),
        (name = "auth", description = "Sessions: login and logout"),
        (name = "sessions", description = "A user's own sessions: where they are logged in, and ending any of them (not in Dioptra)"),
        (name = "groups", description = "The default `public` group; no others can be created"),
        (name = "health", description = "Liveness"),
    )
)]
struct ApiDoc;

/// `GET /api/v1/openapi.json`
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
