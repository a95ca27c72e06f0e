//! `/admin/…`: the administrators' console. Only administrators (managers of `public`) see it;
//! anyone else gets the not-found page there, with no hint that it exists. Server-rendered
//! pages with plain forms and GET links: no island, nothing added to the WASM.
//!
//! `overview.rs` the counts and the week's chart (`chart.rs`), `accounts.rs` the accounts table,
//! `audit.rs` the audit trail with its filters and downloads, `settings.rs` the shared settings,
//! `act.rs` the page that confirms an act (and asks for the password when the session's is not
//! fresh).

mod accounts;
mod act;
mod audit;
mod chart;
mod overview;
mod settings;

pub use accounts::AdminAccountsPage;
pub use act::AdminActPage;
pub use audit::AdminAuditPage;
pub use overview::AdminOverviewPage;
pub use settings::AdminSettingsPage;

use leptos::prelude::*;

use crate::ssr::accounts::SignedIn;

/// The signed-in administrator, or `None` for anyone else (who is shown the not-found page).
fn administrator() -> Option<SignedIn> {
    crate::ssr::signed_in().filter(|signed_in| signed_in.is_administrator)
}

/// The console's sections, the current one marked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Overview,
    Accounts,
    Audit,
    Settings,
}

#[component]
fn AdminNav(current: Section) -> impl IntoView {
    let link = move |section: Section, href: &'static str, label: &'static str| {
        let here = (section == current).then_some("page");
        view! { <a class="section-link" href=href aria-current=here>{label}</a> }
    };
    view! {
        // The console's small script: local times, Copy buttons (`public/console.js`).
        <script src="/console.js" defer></script>
        <nav class="section-nav" aria-label="Administration">
            {link(Section::Overview, "/admin", "Overview")}
            {link(Section::Accounts, "/admin/accounts", "Accounts")}
            {link(Section::Audit, "/admin/audit", "Audit trail")}
            {link(Section::Settings, "/admin/settings", "Settings")}
        </nav>
    }
}
