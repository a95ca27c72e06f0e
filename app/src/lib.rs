//! Dioptra Accounts, the part shared by the server and the browser.
//!
//! Pages are rendered on the server only; the interactive parts (the forms and the user menu)
//! are islands, the only components compiled into the browser's WASM and hydrated there.
//! Reading order: `domain` (the rules), `error`, `server_fns`, `islands`, `pages`, then `App`.

pub mod domain;
pub mod error;
pub mod islands;
pub mod pages;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

pub const PRODUCT_NAME: &str = "Dioptra Accounts";

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    ssr::set_page_headers();
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

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| format!("{page} · {PRODUCT_NAME}")/>
        <Router>
            <pages::TopBar/>
            <main class="page">
                <Routes fallback=pages::NotFound>
                    // Async: the whole page is rendered before it is sent, so it needs no script to
                    // fill in streamed parts and works with JavaScript turned off.
                    <Route path=StaticSegment("") view=pages::Front ssr=SsrMode::Async/>
                    <Route path=StaticSegment("register") view=pages::RegisterPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("account") view=pages::AccountPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("groups") view=pages::GroupsPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("users") view=pages::UsersPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
