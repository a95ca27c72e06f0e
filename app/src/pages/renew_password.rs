//! `/password/renew`: where a login with a correct but expired password leads, to choose a new
//! one (and be logged in with it).

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::error_from_url;
use crate::{islands::RenewPasswordForm, server_fns::RenewPassword};

#[component]
pub fn RenewPasswordPage() -> impl IntoView {
    let min_password_chars = crate::ssr::accounts().password_policy().min_chars;
    let username = use_query_map().with_untracked(|query| query.get("username")).unwrap_or_default();
    let initial_error = error_from_url(RenewPassword::PATH);
    view! {
        <Title text="Choose a new password"/>
        <section class="card" aria-labelledby="renew-heading">
            <h1 id="renew-heading">"Choose a new password"</h1>
            <p class="card-lead" role="status">
                "Your password has expired. Enter it once more, then choose a new one to log in."
            </p>
            <RenewPasswordForm username min_password_chars initial_error/>
            <p class="card-footer">"Go back to the " <a href="/">"Login"</a> " page."</p>
        </section>
    }
}
