//! The pages, rendered on the server for each request, one file per page. They read the session
//! directly (no loading states: the server knows who is asking) and hand the islands what they
//! need as props. Server-only: the browser never renders a page, it only hydrates the islands in
//! one, so none of this is compiled into the WASM.
//!
//! Here: the document around every page (`shell`), the routes (`App`), and what every page shares:
//! the top bar and the error a form post left in the URL.

mod account;
mod admin;
mod front;
mod group;

pub(crate) use group::found_accounts;
mod groups;
mod login_code;
mod not_found;
mod passkey_sign_in;
mod register;
mod renew_password;
mod reset_password;
mod users;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
    hooks::use_query_map,
};

/// Where a login whose password was right asks for the second factor.
pub const LOGIN_CODE_PATH: &str = "/login/code";
/// Where the authenticator app's set-up shows its QR code.
pub const AUTHENTICATOR_PATH: &str = "/account/authenticator";
/// Where new recovery codes are shown, once.
pub const RECOVERY_CODES_PATH: &str = "/account/recovery-codes";

use self::{
    account::{AccountPage, AuthenticatorPage, RecoveryCodesPage},
    admin::{AdminAccountsPage, AdminActPage, AdminAuditPage, AdminOverviewPage, AdminSettingsPage},
    front::Front,
    group::GroupPage,
    groups::GroupsPage,
    login_code::LoginCodePage,
    not_found::NotFound,
    register::RegisterPage,
    renew_password::RenewPasswordPage,
    reset_password::ResetPasswordPage,
    users::UsersPage,
};
use crate::{PRODUCT_NAME, error::AccountError, islands::UserMenu};

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    crate::ssr::set_page_headers();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <HashedStylesheet options=options.clone()/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The routes: one page per address, each rendered whole on the server.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| format!("{page} · {PRODUCT_NAME}")/>
        <Router>
            <TopBar/>
            <main class="page">
                <Routes fallback=NotFound>
                    // Async: the whole page is rendered before it is sent, so it needs no script to
                    // fill in streamed parts and works with JavaScript turned off.
                    <Route path=StaticSegment("") view=Front ssr=SsrMode::Async/>
                    <Route path=StaticSegment("register") view=RegisterPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("password"), StaticSegment("renew"))
                        view=RenewPasswordPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("password"), StaticSegment("reset"))
                        view=ResetPasswordPage
                        ssr=SsrMode::Async
                    />
                    <Route path=(StaticSegment("login"), StaticSegment("code")) view=LoginCodePage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("account") view=AccountPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("account"), StaticSegment("authenticator"))
                        view=AuthenticatorPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("account"), StaticSegment("recovery-codes"))
                        view=RecoveryCodesPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("groups") view=GroupsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("groups"), ParamSegment("id")) view=GroupPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("users") view=UsersPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("admin") view=AdminOverviewPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("accounts"))
                        view=AdminAccountsPage
                        ssr=SsrMode::Async
                    />
                    <Route path=(StaticSegment("admin"), StaticSegment("act")) view=AdminActPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("audit")) view=AdminAuditPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("settings"))
                        view=AdminSettingsPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
        </Router>
    }
}

/// The bar across the top of every page: the product's name, and the signed-in user's links and
/// menu (or a way to sign in).
#[component]
fn TopBar() -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <img class="brand-mark" src="/favicon.svg" alt="" width="28" height="28"/>
                <span class="brand-name">"Dioptra"</span>
                <span class="brand-product">"Accounts"</span>
            </a>
            <nav class="topbar-actions" aria-label="Account">
                {match crate::ssr::signed_in().map(|s| (s.user.username, s.is_administrator)) {
                    Some((username, administrator)) => view! {
                        {administrator.then(|| view! { <a class="topbar-link" href="/admin">"Admin"</a> })}
                        <a class="topbar-link" href="/groups">"Groups"</a>
                        <a class="topbar-link" href="/users">"Users"</a>
                        <UserMenu username/>
                        // Without JavaScript the menu cannot open; offer its one action directly.
                        <noscript>
                            <button class="button button-primary noscript-logout" type="submit" form="logout-form">
                                "Log out"
                            </button>
                        </noscript>
                    }.into_any(),
                    None => view! { <a class="topbar-link" href="/">"Sign in"</a> }.into_any(),
                }}
            </nav>
        </header>
    }
}

/// The error a form post without JavaScript left in the URL (`?__err=...&__path=...`), if it
/// belongs to the server function at `path`.
/// Sends a visitor who is not signed in (or whose session ended) to the login screen. A page's
/// redirect needs its status as well: browsers follow a `Location` only on a 3xx.
fn send_to_login() {
    leptos_axum::redirect("/");
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::FOUND);
    }
}

fn error_from_url(path: &str) -> Option<AccountError> {
    use leptos::server_fn::error::ServerFnUrlError;
    let query = use_query_map();
    query.with_untracked(|q| {
        let err = q.get_str("__err").filter(|_| q.get_str("__path") == Some(path))?;
        Some(ServerFnUrlError::<AccountError>::decode_err(err))
    })
}

/// A yes/no table cell that reads as words to a screen reader.
#[component]
fn Flag(on: bool) -> impl IntoView {
    if on {
        view! { <span class="flag flag-on" role="img" aria-label="Yes">"✓"</span> }.into_any()
    } else {
        view! { <span class="flag flag-off" role="img" aria-label="No">"–"</span> }.into_any()
    }
}

/// The links to a listing's previous and next pages, where there are such pages.
#[component]
fn Pager(previous: Option<String>, next: Option<String>, label: &'static str) -> impl IntoView {
    view! {
        <nav class="pager" aria-label=label>
            {previous.map(|href| view! { <a href=href rel="prev">"Previous"</a> })}
            {next.map(|href| view! { <a href=href rel="next">"Next"</a> })}
        </nav>
    }
}
