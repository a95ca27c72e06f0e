//! The OpenAPI 3 document of the REST API, served at `/api/v1/openapi.json`: its fixed parts
//! here (info, tags, the shapes of `shapes.rs`), its operations from the route list in `mod.rs`
//! and the handlers' `#[utoipa::path]` annotations.

use app::ssr::AppState;
use axum::{
    body::Bytes,
    http::header,
    routing::{MethodRouter, get},
};
use utoipa::OpenApi;

use super::shapes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Dioptra Accounts REST API",
        description = "Users, authentication and groups of a Dioptra deployment, compatible with \
            Dioptra's REST API v1 and its Python client (`dioptra.client`). Sessions are cookies: \
            log in with `POST /api/v1/auth/login` and send the cookie it sets."
    ),
    components(schemas(
        shapes::UserBody, shapes::CurrentUserBody, shapes::GroupBody, shapes::GroupRef, shapes::UserRef,
        shapes::MemberBody, shapes::Permissions, shapes::StatusBody, shapes::DeletedBody, shapes::LoginBody,
        shapes::LogoutBody, shapes::HealthBody, shapes::SignupRequest, shapes::ModifyUserRequest,
        shapes::PasswordChangeRequest, shapes::PasswordRequest, shapes::LoginRequest, shapes::DomainErrorBody,
        shapes::ValidationErrorBody, shapes::MessageBody, shapes::SessionsBody, shapes::SessionBody,
        shapes::BadBodyBody, shapes::BadGroupRequestBody, shapes::NotFoundBody, shapes::CreateGroupRequest, shapes::RenameGroupRequest,
        shapes::AddMemberRequest, shapes::ChangeMemberRequest,
    )),
    tags(
        (name = "users", description = "Accounts: signup, profile, password, deletion"),
        (name = "auth", description = "Sessions: login and logout"),
        (name = "sessions", description = "A user's own sessions: where they are logged in, and ending any of them (not in Dioptra)"),
        (name = "groups", description = "Groups: the default `public` one every account belongs to, and \
            groups of their own that accounts create, public or private"),
        (name = "members", description = "A group's members and what each may do in it: admins add, change \
            and remove members; the owner manages admins and hands ownership on"),
        (name = "admin", description = "The administrators' console (not in Dioptra): accounts with their \
            status, the overview, and acts on accounts, which need the password confirmed within 10 minutes"),
        (name = "health", description = "Liveness"),
    )
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`: `document`, serialized once, as it never changes.
pub fn serve(document: &utoipa::openapi::OpenApi) -> MethodRouter<AppState> {
    let json = Bytes::from(serde_json::to_vec(document).expect("the OpenAPI document serializes"));
    get(move || {
        let json = json.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], json) }
    })
}
