//! The account page's application passwords: the form that makes one (asking for the password
//! when the session's was typed more than 10 minutes ago), the one just made (shown once, with
//! Copy), and the list with a **Revoke** button each. Plain forms, no island.

use leptos::{prelude::*, server_fn::ServerFn};

use super::{super::error_from_url, ConfirmPassword};
use crate::{
    domain::Field,
    presentation::date_in_words,
    server_fns::{CreateApplicationPassword, RevokeApplicationPassword},
    ssr::accounts::{
        ApplicationPasswordExpiry, ApplicationPasswordInfo, MAX_APPLICATION_PASSWORD_NAME_CHARS, SignedIn,
        confirmed_recently,
    },
};

/// The application password the create form's answer left in its cookie, if it is one of
/// `viewer`'s made in the last few minutes (a cookie planted by someone else shows nothing).
/// The cookie is cleared either way: the secret is shown on this page once.
async fn carried_secret(viewer: &SignedIn) -> Option<String> {
    use crate::ssr::{clock::now_micros, session::SHOWN_ONCE_COOKIE_SECS};
    let accounts = crate::ssr::accounts();
    let cookies = accounts.settings().cookies;
    let parts = use_context::<http::request::Parts>()?;
    if !cookies.has_new_application_password(&parts.headers) {
        return None;
    }
    crate::ssr::append_response_header(http::header::SET_COOKIE, &cookies.clear_new_application_password());
    let (id, secret) = cookies.new_application_password_from_headers(&parts.headers)?;
    let since = now_micros().minus(std::time::Duration::from_secs(SHOWN_ONCE_COOKIE_SECS.unsigned_abs()));
    let made = accounts.is_new_application_password(viewer.user.user_id, id, &secret, since).await.unwrap_or(false);
    made.then(|| secret.shown())
}

/// What the section shows: the secret just made, the list, and whether the form must ask for
/// the password.
struct Section {
    new_secret: Option<String>,
    listed: Vec<ApplicationPasswordInfo>,
    needs_password: bool,
}

async fn section() -> Option<Section> {
    let viewer = crate::ssr::signed_in()?;
    let new_secret = carried_secret(&viewer).await;
    let listed = crate::ssr::accounts().application_passwords_of(viewer.user.user_id).await.unwrap_or_default();
    Some(Section { new_secret, listed, needs_password: !confirmed_recently(&viewer) })
}

/// The account page's section on application passwords.
#[component]
pub fn ApplicationPasswords() -> impl IntoView {
    view! {
        <h2 id="application-passwords">"Application passwords"</h2>
        <p class="hint">
            "For scripts, such as Dioptra's Python client: they log in with your username and an application password "
            "instead of your password. Such a login can use the REST API only (not these pages), and cannot change "
            "your password, name or email or delete the account. Revoking one ends its logins. Changing your "
            "password keeps them; a reset link, or an administrator disabling the account or expiring its password, "
            "ends them all."
        </p>
        <Suspense>
            {Suspend::new(async move {
                section().await.map(|Section { new_secret, listed, needs_password }| view! {
                    {new_secret.map(|secret| view! { <NewSecret secret/> })}
                    <Listed listed/>
                    <CreateForm needs_password/>
                })
            })}
        </Suspense>
    }
}

/// The application password just made, shown only now, with its Copy button.
#[component]
fn NewSecret(secret: String) -> impl IntoView {
    view! {
        <div class="notice notice-success shown-once" role="status">
            <p>"Your new application password is ready. Copy it now: it is shown only once."</p>
            <label for="application-password">"Application password"</label>
            <div class="copy-row">
                <input id="application-password" type="text" readonly value=secret
                    aria-describedby="application-password-help" autocomplete="off" spellcheck="false"/>
                <button class="button button-secondary" type="button" data-copy="application-password"
                    data-copy-status="application-password-copied" hidden>"Copy"</button>
            </div>
            <p class="hint" id="application-password-help">
                "Give it to your script in place of your password, with your username. "
                <span id="application-password-copied" role="status"></span>
            </p>
        </div>
    }
}

/// The form that makes an application password: a name, an expiry, and the password when the
/// session's is not fresh.
#[component]
fn CreateForm(needs_password: bool) -> impl IntoView {
    let error = error_from_url(CreateApplicationPassword::PATH);
    let field_error =
        |field: Field| error.as_ref().and_then(|e| e.field_errors()).and_then(|f| f.get(field)).map(str::to_owned);
    let name_error = field_error(Field::CredentialName);
    let password_error = field_error(Field::Password);
    let other_error =
        error.as_ref().filter(|_| name_error.is_none() && password_error.is_none()).map(ToString::to_string);
    let needs_password = needs_password || password_error.is_some();
    let name_class = if name_error.is_some() { "field field-invalid" } else { "field" };
    view! {
        {other_error.map(|text| view! { <p class="notice notice-error" role="alert">{text}</p> })}
        <form class="form" method="post" action=CreateApplicationPassword::PATH>
            <div class=name_class>
                <label for="application-password-name">"Name"</label>
                <input id="application-password-name" name="name" type="text" required
                    maxlength=MAX_APPLICATION_PASSWORD_NAME_CHARS.to_string() placeholder="notebook"
                    aria-invalid=name_error.is_some().then_some("true")
                    aria-describedby="application-password-name-error"/>
                <p class="field-error" id="application-password-name-error">{name_error}</p>
            </div>
            <div class="field">
                <label for="application-password-expires">"Expires"</label>
                <select id="application-password-expires" name="expires">
                    {ApplicationPasswordExpiry::CHOICES.into_iter().map(|(value, words)| view! {
                        <option value=value>{words}</option>
                    }).collect_view()}
                </select>
            </div>
            {needs_password.then(|| view! { <ConfirmPassword id="application-password-confirm" error=password_error/> })}
            <button class="button button-primary" type="submit">"Create an application password"</button>
        </form>
    }
}

/// The account's application passwords, each with a Revoke button.
#[component]
fn Listed(listed: Vec<ApplicationPasswordInfo>) -> impl IntoView {
    let error = error_from_url(RevokeApplicationPassword::PATH);
    if listed.is_empty() {
        return view! {
            {error.map(|e| view! { <p class="notice notice-error" role="alert">{e.to_string()}</p> })}
            <p class="hint">"This account has no application passwords."</p>
        }
        .into_any();
    }
    view! {
        {error.map(|e| view! { <p class="notice notice-error" role="alert">{e.to_string()}</p> })}
        <ul class="session-list">
            {listed.into_iter().map(|listed| {
                // Not "… application password …": the new one's field alone is labelled so.
                let label = format!("Revoke {}", listed.name);
                let last_used = listed.last_used_on.map_or_else(|| "never used".to_owned(), |at| format!("last used {}", date_in_words(at)));
                let expires = listed.expires_on.map_or_else(|| "never expires".to_owned(), |at| format!("expires {}", date_in_words(at)));
                view! {
                    <li class="session">
                        <div class="session-facts">
                            <p class="session-device"><strong>{listed.name}</strong></p>
                            <p class="hint">
                                "made " {date_in_words(listed.created_on)} " · " {last_used} " · " {expires}
                            </p>
                        </div>
                        <form method="post" action=RevokeApplicationPassword::PATH>
                            <input type="hidden" name="application_password_id" value=listed.application_password_id.to_string()/>
                            <button class="button button-secondary" type="submit" aria-label=label>"Revoke"</button>
                        </form>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
