//! `/admin`: what is happening at a glance: accounts, open sessions, the last day's signups,
//! logins, failures and throttled attempts, and the week's chart.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{AdminNav, Section, administrator, chart::ActivityChart};
use crate::pages::not_found::NotFound;

#[component]
pub fn AdminOverviewPage() -> impl IntoView {
    view! {
        <Title text="Administration"/>
        <Suspense>
            {Suspend::new(async move {
                if administrator().is_none() {
                    return view! { <NotFound/> }.into_any();
                }
                let overview = match crate::ssr::accounts().overview().await {
                    Ok(overview) => overview,
                    Err(error) => {
                        return view! {
                            <section class="card card-table" aria-labelledby="admin-heading">
                                <h1 id="admin-heading">"Administration"</h1>
                                <AdminNav current=Section::Overview/>
                                <p class="notice notice-error" role="alert">{error.to_string()}</p>
                            </section>
                        }.into_any();
                    }
                };
                let stat = |label: &'static str, value: i64| view! {
                    <div class="stat"><dt>{label}</dt><dd>{value.to_string()}</dd></div>
                }.into_any();
                let day = overview.last_day;
                view! {
                    <section class="card card-table" aria-labelledby="admin-heading">
                        <h1 id="admin-heading">"Administration"</h1>
                        <AdminNav current=Section::Overview/>
                        <h2>"Accounts and sessions"</h2>
                        <dl class="stats">
                            {stat("Live accounts", overview.live_accounts)}
                            {stat("Disabled accounts", overview.disabled_accounts)}
                            {stat("Deleted accounts", overview.deleted_accounts)}
                            {stat("Sessions open now", overview.open_sessions)}
                        </dl>
                        <h2>"The last 24 hours"</h2>
                        <dl class="stats">
                            {stat("Signups", overview.signups)}
                            {stat("Logins", day.logins)}
                            {stat("Failed logins", day.failures)}
                            {stat("Throttled attempts", day.throttled)}
                        </dl>
                        <h2>"The last 7 days"</h2>
                        <ActivityChart hours=overview.hours/>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
