//! Dioptra's REST API v1 (`/api/v1`): users, auth and groups, wire-compatible with Dioptra's
//! Python client. The handlers translate between Dioptra's JSON and the accounts core; every
//! rule lives in the core, shared with the pages.

mod auth;
mod errors;
mod groups;
mod input;
mod openapi;
mod sessions;
mod shapes;
mod users;

use app::ssr::AppState;
use axum::{
    Router,
    extract::DefaultBodyLimit,
    middleware,
    routing::{get, post},
};

pub use shapes::HealthBody;

/// The most bytes a request body may have, on every route: the forms and this API send a few
/// short strings.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    let collection_methods = || get(users::list).post(users::create);
    let group_collection = || get(groups::list).post(groups::create);
    Router::new()
        // Dioptra's routes end in a slash and redirect the slash-less form; both are served here.
        .route("/users", collection_methods())
        .route("/users/", collection_methods())
        .route("/users/current", get(users::current).put(users::modify_current).delete(users::delete_current))
        .route("/users/current/password", post(users::change_current_password))
        .route("/users/current/sessions", get(sessions::list))
        .route("/users/current/sessions/{id}", axum::routing::delete(sessions::revoke))
        .route("/users/{id}", get(users::by_id))
        .route("/users/{id}/password", post(users::change_password_by_id))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/groups", group_collection())
        .route("/groups/", group_collection())
        .route("/groups/{id}", get(groups::by_id).put(groups::modify).delete(groups::delete))
        .route("/openapi.json", get(openapi::document))
        .fallback(errors::not_found)
        .method_not_allowed_fallback(errors::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(errors::complete_error_bodies))
}
