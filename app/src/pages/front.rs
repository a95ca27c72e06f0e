//! `/`: the login screen for a visitor, the home page (their groups) for a signed-in user.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::error_from_url;
use crate::{
    islands::LoginForm,
    presentation::{Permission, PermissionFlags},
    server_fns::LogIn,
};

/// What the home page needs to know about the signed-in user.
#[derive(Clone, Debug)]
struct Viewer {
    username: String,
    memberships: Vec<MembershipSummary>,
}

#[derive(Clone, Debug)]
struct MembershipSummary {
    group_name: String,
    permissions: Vec<&'static str>,
}

async fn viewer() -> Option<Viewer> {
    let signed_in = crate::ssr::signed_in()?;
    let memberships = crate::ssr::accounts().memberships(signed_in.user.user_id).await.unwrap_or_default();
    let memberships = memberships
        .into_iter()
        .map(|m| {
            let permissions = PermissionFlags::from(&m).granted().map(Permission::lowercase_label).collect();
            MembershipSummary { group_name: m.group_name, permissions }
        })
        .collect();
    Some(Viewer { username: signed_in.user.username, memberships })
}

/// `/`: the login screen for a visitor, the home page for a signed-in user.
#[component]
pub fn Front() -> impl IntoView {
    view! {
        <Suspense>
            {Suspend::new(async move {
                match viewer().await {
                    Some(viewer) => view! { <HomePage viewer/> }.into_any(),
                    None => view! { <LoginPage/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let registered = query.with_untracked(|q| q.get("registered"));
    let deleted = query.with_untracked(|q| q.get("deleted"));
    let reset = query.with_untracked(|q| q.get("reset"));
    let initial_error = error_from_url(LogIn::PATH);
    view! {
        <Title text="Login"/>
        <section class="card" aria-labelledby="login-heading">
            <h1 id="login-heading">"Login"</h1>
            <p class="card-lead">"Sign in to access Dioptra."</p>
            {registered.map(|name| view! {
                <p class="notice notice-success" role="status">
                    {format!("Successfully created user '{name}'.")}
                </p>
            })}
            {deleted.map(|name| view! {
                <p class="notice notice-success" role="status">
                    {format!("Successfully deleted user '{name}'.")}
                </p>
            })}
            {reset.map(|_| view! {
                <p class="notice notice-success" role="status">"Your new password is set. Log in with it."</p>
            })}
            <LoginForm initial_error/>
            <super::passkey_sign_in::PasskeySignIn autofill=true/>
            <p class="card-footer">
                "Don't have an account yet? " <a href="/register">"Signup"</a>
            </p>
        </section>
    }
}

#[component]
fn HomePage(viewer: Viewer) -> impl IntoView {
    let Viewer { username, memberships } = viewer;
    view! {
        <Title text="Home"/>
        <section class="card card-wide" aria-labelledby="home-heading">
            <h1 id="home-heading">{format!("Welcome, {username}")}</h1>
            <p class="card-lead">"You are signed in to Dioptra."</p>
            <h2>"Your groups"</h2>
            <ul class="group-list">
                {memberships.into_iter().map(|m| view! {
                    <li class="group">
                        <span class="group-name">{m.group_name}</span>
                        <ul class="badges" aria-label="Permissions">
                            {m.permissions.into_iter().map(|p| view! { <li class="badge">{p}</li> }).collect_view()}
                        </ul>
                    </li>
                }).collect_view()}
            </ul>
            <p class="hint">
                "Everyone belongs to the default public group. Groups, in the bar above, lists yours and "
                "creates new ones."
            </p>
        </section>
    }
}
