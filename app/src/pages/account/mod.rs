//! `/account`: the signed-in user's details, the forms that change them, the list of their
//! sessions (each with a button that ends it), the second factor (`second_factor.rs`, with the
//! authenticator app's set-up pages in `authenticator.rs`), their passkeys (`passkeys.rs`), their
//! application passwords
//! (`application_passwords.rs`), and account deletion.

mod application_passwords;
mod authenticator;
mod passkeys;
mod second_factor;

pub use self::authenticator::{AuthenticatorPage, RecoveryCodesPage};

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use self::{application_passwords::ApplicationPasswords, passkeys::Passkeys, second_factor::SecondFactorSection};
use super::error_from_url;
use crate::{
    islands::{ChangePasswordForm, DeleteAccountForm, ProfileForm},
    presentation::{date_in_words, describe_user_agent, in_words},
    server_fns::{ChangePassword, DeleteAccount, LogOutEverywhere, RevokeSession, UpdateProfile},
};

/// What the account page shows of the signed-in user.
#[derive(Clone, Debug)]
struct AccountView {
    username: String,
    email: String,
    password_expires: Option<String>,
    /// The password has expired (an account with a second factor logs in regardless, and
    /// chooses a new one here).
    password_expired: bool,
    min_password_chars: usize,
    /// How long sessions last, in words.
    session_policy: String,
}

fn account_view() -> Option<AccountView> {
    let user = crate::ssr::signed_in()?.user;
    let accounts = crate::ssr::accounts();
    let settings = accounts.settings();
    let session_policy = format!(
        "A session ends after {} without use, or {} after login.",
        in_words(settings.session_idle_timeout),
        in_words(settings.session_lifetime)
    );
    Some(AccountView {
        username: user.username,
        email: user.email,
        password_expires: user.password_expires_on.map(date_in_words),
        password_expired: user.password_expires_on.is_some_and(|expiry| expiry <= crate::ssr::clock::now_micros()),
        min_password_chars: accounts.password_policy().min_chars,
        session_policy,
    })
}

/// `/account`: the signed-in user's details, and everything they can do to their account.
#[component]
pub fn AccountPage() -> impl IntoView {
    let Some(account) = account_view() else {
        super::send_to_login();
        return view! { <Title text="Account"/> }.into_any();
    };
    let saved = use_query_map().with_untracked(|q| q.get("saved"));
    // Sent here by the deployment's rule on second factors (`server/src/middleware/`).
    let setup_required = use_query_map().with_untracked(|q| q.get("setup")).as_deref() == Some("second-factor");
    let notice = match saved.as_deref() {
        Some("profile") => Some("Your account details were saved."),
        Some("password") => Some("Password Change Success"),
        Some("session") => Some("The session was ended."),
        Some("application-password-revoked") => Some("The application password was revoked; its logins have ended."),
        Some("authenticator") => Some("The authenticator app is on: logging in now asks for its code."),
        Some("authenticator-off") => Some("The authenticator app is off."),
        Some("passkey") => {
            Some("The passkey was added: it signs you in, and serves as the second step after a password.")
        }
        Some("passkey-removed") => Some("The passkey was removed."),
        _ => None,
    };
    let AccountView { username, email, password_expires, password_expired, min_password_chars, session_policy } =
        account;
    view! {
        <Title text="Account"/>
        <section class="card card-wide" aria-labelledby="account-heading">
            <h1 id="account-heading">"Account"</h1>
            <p class="card-lead">"You are logged in as " <strong>{username.clone()}</strong> "."</p>
            {notice.map(|text| view! { <p class="notice notice-success" role="status">{text}</p> })}
            {setup_required.then(|| view! {
                <p class="notice notice-error" role="alert">
                    "This deployment requires a second factor of your account. Set up an authenticator app or add "
                    "a passkey below "<a href="#second-factor">"(Two-step login)"</a>" before anything else."
                </p>
            })}
            <dl class="facts">
                <dt>"Username"</dt>
                <dd>{username.clone()}</dd>
                <dt>"Email"</dt>
                <dd>{email.clone()}</dd>
                <dt>"Password expires"</dt>
                <dd>{password_expires.unwrap_or_else(|| "Never".into())}</dd>
            </dl>

            <h2>"Account details"</h2>
            <ProfileForm username=username.clone() email=email.clone() initial_error=error_from_url(UpdateProfile::PATH)/>

            <h2>"Change password"</h2>
            {password_expired.then(|| view! {
                <p class="notice notice-error" role="alert">"Your password has expired. Please choose a new one now."</p>
            })}
            <p class="hint">"To change your password, enter your current and new password. Your other sessions end; this one stays signed in."</p>
            <ChangePasswordForm username email min_password_chars initial_error=error_from_url(ChangePassword::PATH)/>

            <h2 id="sessions">"Sessions"</h2>
            <p class="hint">"Where this account is logged in. " {session_policy}</p>
            {error_from_url(RevokeSession::PATH).map(|error| view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> })}
            <SessionList/>
            <p class="hint">"Ends every session of this account on every device, this one included."</p>
            <form method="post" action=LogOutEverywhere::PATH>
                <button class="button button-secondary" type="submit">"Log out from all devices"</button>
            </form>

            <SecondFactorSection/>
            <Passkeys/>

            <ApplicationPasswords/>
            // The page's few lines of plain script: the Copy button of a new application password.
            <script src="/console.js" defer></script>

            <h2>"Delete account"</h2>
            <p class="hint">
                "To delete your account, enter your password and press the delete button. You are logged out everywhere; your username and email address stay reserved and cannot be registered again."
            </p>
            <DeleteAccountForm initial_error=error_from_url(DeleteAccount::PATH)/>
        </section>
    }.into_any()
}

/// One row of the account page's session list.
#[derive(Clone, Debug)]
struct SessionRow {
    id: String,
    current: bool,
    device: String,
    address: String,
    logged_in: String,
    last_seen: String,
    /// The application password the session was started with, if any.
    application_password: Option<String>,
}

async fn session_rows() -> Vec<SessionRow> {
    use crate::ssr::accounts::SessionInfo;
    let Some(signed_in) = crate::ssr::signed_in() else { return Vec::new() };
    let current_id = SessionInfo::id_of(&signed_in.token);
    let sessions = crate::ssr::accounts().sessions_of(signed_in.user.user_id).await.unwrap_or_default();
    sessions
        .into_iter()
        .map(|session| SessionRow {
            current: session.id() == current_id,
            id: session.id(),
            device: describe_user_agent(session.user_agent.as_deref()),
            address: session.client_address.unwrap_or_else(|| "unknown".into()),
            logged_in: session.created_on.to_minute_utc(),
            last_seen: session.last_seen_on.to_minute_utc(),
            application_password: session.application_password,
        })
        .collect()
}

/// The signed-in user's sessions, each with a button that ends it (a plain form: it works
/// without JavaScript and adds nothing to the WASM bundle).
#[component]
fn SessionList() -> impl IntoView {
    view! {
        <Suspense>
            {Suspend::new(async move {
                let rows = session_rows().await;
                view! {
                    <ul class="session-list" aria-label="Sessions of this account">
                        {rows.into_iter().map(|row| {
                            let label = format!("Log out the session of {} from {}", row.device, row.address);
                            view! {
                                <li class="session">
                                    <div class="session-facts">
                                        <p class="session-device">
                                            <strong>{row.device}</strong>
                                            {row.current.then(|| view! { " " <span class="badge">"This device"</span> })}
                                            {row.application_password.map(|name| view! {
                                                " " <span class="badge">"Application password: " {name}</span>
                                            })}
                                        </p>
                                        <p class="hint">
                                            {row.address} " · logged in " {row.logged_in} " · last active " {row.last_seen}
                                        </p>
                                    </div>
                                    <form method="post" action=RevokeSession::PATH>
                                        <input type="hidden" name="session_id" value=row.id/>
                                        <button class="button button-secondary" type="submit" aria-label=label>"Log out"</button>
                                    </form>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            })}
        </Suspense>
    }
}

/// The **Password** field a form of the account page shows when the session's password was
/// typed more than 10 minutes ago (making a credential needs it fresh), with the error of the
/// last post.
#[component]
fn ConfirmPassword(#[prop(into)] id: String, error: Option<String>) -> impl IntoView {
    let (hint_id, error_id) = (format!("{id}-help"), format!("{id}-error"));
    let class = if error.is_some() { "field field-invalid" } else { "field" };
    view! {
        <div class=class>
            <label for=id.clone()>"Password"</label>
            <input id=id name="password" type="password" required autocomplete="current-password"
                aria-invalid=error.is_some().then_some("true") aria-describedby=format!("{hint_id} {error_id}")/>
            <p class="hint" id=hint_id>"Your password was last typed more than 10 minutes ago: enter it to confirm."</p>
            <p class="field-error" id=error_id>{error}</p>
        </div>
    }
}
