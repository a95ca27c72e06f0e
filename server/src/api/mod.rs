//! Dioptra's REST API v1 (`/api/v1`): users, auth and groups, wire-compatible with Dioptra's
//! Python client, and `/health`. The handlers translate between Dioptra's JSON and the accounts
//! core; every rule lives in the core, shared with the pages.
//!
//! The routes are listed once, in [`router`]: each `routes!` entry both routes the handlers with
//! axum and adds their `#[utoipa::path]` description to the OpenAPI document, so the document
//! cannot list an operation that is not served, nor miss one that is.

mod admin;
mod audit;
mod auth;
mod errors;
mod groups;
mod health;
mod input;
mod json_object;
mod members;
mod openapi;
mod sessions;
mod settings;
pub(crate) mod shapes;
mod users;

use app::ssr::AppState;
use axum::{Router, extract::DefaultBodyLimit, middleware};
use utoipa::OpenApi;
use utoipa_axum::{
    router::{OpenApiRouter, UtoipaMethodRouter},
    routes,
};

/// The most bytes a request body may have, on every route: the forms and this API send a few
/// short strings.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

/// Where Dioptra's REST API v1 lives; the handlers' paths are relative to it.
const V1: &str = "/api/v1";

/// `/health` and everything under `/api/v1`, with the OpenAPI document at
/// `/api/v1/openapi.json`. To be merged into the application's router.
pub fn router() -> Router<AppState> {
    let (root, document) =
        OpenApiRouter::with_openapi(openapi::ApiDoc::openapi()).routes(routes!(health::health)).split_for_parts();
    let (v1, v1_document) = v1_operations().split_for_parts();
    let document = document.nest(V1, v1_document);
    // Added after the document is complete, and not in it, like Dioptra's own document route.
    let v1 = v1
        .route("/openapi.json", openapi::serve(&document))
        .fallback(errors::not_found)
        .method_not_allowed_fallback(errors::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(errors::complete_error_bodies));
    root.nest(V1, v1)
}

/// Every operation of `/api/v1`: the one route list for both axum and the document.
fn v1_operations() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with_trailing_slash_too(routes!(users::list, users::create))
        .routes(routes!(users::current, users::modify_current, users::delete_current))
        .routes(routes!(users::change_current_password))
        .routes(routes!(sessions::list))
        .routes(routes!(sessions::revoke))
        .routes(routes!(users::by_id))
        .routes(routes!(users::change_password_by_id))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes_with_trailing_slash_too(routes!(groups::list, groups::create))
        .routes_with_trailing_slash_too(routes!(groups::by_id, groups::modify, groups::delete))
        .routes_with_trailing_slash_too(routes!(members::list, members::add))
        .routes_with_trailing_slash_too(routes!(members::by_id, members::modify, members::remove))
        .routes(routes!(admin::confirm))
        .routes(routes!(admin::overview))
        .routes(routes!(admin::users))
        .routes(routes!(admin::act))
        .routes(routes!(settings::read, settings::change))
        .routes(routes!(audit::trail))
        .routes(routes!(audit::export))
}

trait TrailingSlash {
    /// Like `routes`, and also serves the same handlers at the path with a trailing slash,
    /// undocumented. Dioptra's collection routes end in a slash and redirect the slash-less
    /// form; both are served here, the document naming the slash-less one.
    fn routes_with_trailing_slash_too(self, operations: UtoipaMethodRouter<AppState>) -> Self;
}

impl TrailingSlash for OpenApiRouter<AppState> {
    fn routes_with_trailing_slash_too(self, operations: UtoipaMethodRouter<AppState>) -> Self {
        let (_, paths, handlers) = &operations;
        let mut documented = paths.paths.keys();
        let path = documented.next().expect("one routes! entry is one path");
        assert!(documented.next().is_none(), "one routes! entry is one path");
        let slashed = format!("{path}/");
        let handlers = handlers.clone();
        self.routes(operations).route(&slashed, handlers)
    }
}
