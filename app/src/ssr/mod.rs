//! Everything that runs only on the server: the database, password hashing, sessions, and the
//! accounts core built from them. Nothing outside this module touches sqlx, argon2 or tokens.

pub mod accounts;
pub mod allocator;
pub mod clean_up;
pub mod clock;
pub mod common_passwords;
pub mod db;
pub mod failure;
pub mod guard;
pub mod password;
pub mod request_slot;
pub mod session;
pub mod typable_secret;
pub mod upgrades;

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::*;

use accounts::{Accounts, SignedIn};

/// What every handler, page and server function can reach.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub accounts: Arc<Accounts>,
}

/// Lets leptos_axum's handlers take their options out of the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The session of the request being handled, as the server's session layer found it.
pub fn signed_in() -> Option<SignedIn> {
    let signed_in = use_context::<http::request::Parts>()?.extensions.get::<SignedIn>().cloned()?;
    // A session started with an application password is for the REST API only: to the pages
    // and their forms it is no session at all.
    signed_in.application_password_id.is_none().then_some(signed_in)
}

/// The accounts core of the running server.
pub fn accounts() -> Arc<Accounts> {
    expect_context::<AppState>().accounts
}

/// Adds a header to the response of the current server function or page.
pub fn append_response_header(name: http::HeaderName, value: &str) {
    if let (Some(options), Ok(value)) = (use_context::<leptos_axum::ResponseOptions>(), value.parse()) {
        options.append_header(name, value);
    }
}

/// Headers for an HTML page: a Content-Security-Policy that lets the page run only its own
/// scripts (the hydration script by its per-response nonce) and WASM and nothing else, no
/// framing, and no caching of pages that show account data.
pub fn set_page_headers() {
    let Some(options) = use_context::<leptos_axum::ResponseOptions>() else { return };
    let nonce = leptos::nonce::use_nonce().map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src 'self'{nonce} 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = policy.parse() {
        options.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
    options.insert_header(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
}

/// The deployment's address as the browser reached it, for links handed to someone else (see
/// [`Accounts::origin_for`]).
pub fn site_origin() -> String {
    let parts = use_context::<http::request::Parts>();
    let header = |name| parts.as_ref().and_then(|parts| parts.headers.get(name)?.to_str().ok().map(str::to_owned));
    accounts().origin_for(header(http::header::ORIGIN).as_deref(), header(http::header::HOST).as_deref())
}
