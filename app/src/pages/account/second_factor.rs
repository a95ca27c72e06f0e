//! The account page's section on the second factor: which factors are on; set up an
//! authenticator app (asking for the password when the session's was typed more than 10 minutes
//! ago), or, when it is on, since when and **Turn off** (with a current code or a recovery code);
//! with any second factor, how many recovery codes are left and **New recovery codes** (with the
//! app's current code, or for passkeys alone the password). Passkeys have their own section
//! (`passkeys.rs`). Plain forms, no island.

use leptos::{prelude::*, server_fn::ServerFn};

use super::{super::error_from_url, ConfirmPassword};
use crate::{
    domain::Field,
    error::AccountError,
    presentation::date_in_words,
    server_fns::{NewRecoveryCodes, StartAuthenticatorSetup, TurnOffAuthenticator},
    ssr::accounts::{SecondFactors, confirmed_recently},
};

/// The section's facts: the factors on, and whether a form must ask for the password.
pub(super) async fn facts() -> Option<(SecondFactors, bool)> {
    let viewer = crate::ssr::signed_in()?;
    let factors = crate::ssr::accounts().second_factors(viewer.user.user_id).await.unwrap_or_default();
    Some((factors, !confirmed_recently(&viewer)))
}

/// The message of the last post to `path`, and its field error (on `fields`), if it left any.
pub(super) fn errors_of(path: &str, fields: &[Field]) -> (Option<String>, Option<String>) {
    let error = error_from_url(path);
    let field = error
        .as_ref()
        .and_then(AccountError::field_errors)
        .and_then(|errors| fields.iter().find_map(|field| errors.get(*field)))
        .map(str::to_owned);
    let general = error.filter(|_| field.is_none()).map(|error| error.to_string());
    (general, field)
}

#[component]
pub fn SecondFactorSection() -> impl IntoView {
    view! {
        <h2 id="second-factor">"Two-step login"</h2>
        <Suspense>
            {Suspend::new(async move {
                facts().await.map(|(factors, needs_password)| {
                    let summary = summary(&factors);
                    let app = match factors.totp_since {
                        None => view! { <SetUp needs_password/> }.into_any(),
                        Some(since) => view! { <On since=date_in_words(since)/> }.into_any(),
                    };
                    let codes = factors.any().then(|| view! {
                        <RecoveryCodes codes_left=factors.recovery_codes_left
                            by_app=factors.totp_since.is_some() needs_password/>
                    });
                    view! { <p>{summary}</p> {app} {codes} }
                })
            })}
        </Suspense>
    }
}

/// Which second factors are on, in a sentence.
fn summary(factors: &SecondFactors) -> String {
    let mut on = Vec::new();
    if factors.totp_since.is_some() {
        on.push("an authenticator app".to_owned());
    }
    match factors.passkeys {
        0 => {}
        1 => on.push("1 passkey".to_owned()),
        n => on.push(format!("{n} passkeys")),
    }
    let asks_for = if on.len() > 1 { "one of them" } else { "it" };
    match on.join(" and ") {
        on if on.is_empty() => "Off: logging in takes your password alone.".to_owned(),
        on => format!("On, with {on}: logging in with your password also asks for {asks_for}."),
    }
}

/// No authenticator app yet: what it is for, and the button that starts the set-up.
#[component]
fn SetUp(needs_password: bool) -> impl IntoView {
    let (general, password_error) = errors_of(StartAuthenticatorSetup::PATH, &[Field::Password]);
    let needs_password = needs_password || password_error.is_some();
    view! {
        <h3>"Authenticator app"</h3>
        <p class="hint">
            "With an authenticator app (such as Google Authenticator, Microsoft Authenticator, 1Password or "
            "Aegis), logging in also asks for the 6-digit code the app shows, so a stolen password alone no longer "
            "opens your account. Scripts then log in with an application password."
        </p>
        {general.map(|text| view! { <p class="notice notice-error" role="alert">{text}</p> })}
        <form class="form" method="post" action=StartAuthenticatorSetup::PATH>
            {needs_password.then(|| view! { <ConfirmPassword id="authenticator-confirm" error=password_error/> })}
            <button class="button button-primary" type="submit">"Set up an authenticator app"</button>
        </form>
    }
}

/// The authenticator app is on: since when, and the form that turns it off (with a code: a
/// session alone cannot).
#[component]
fn On(since: String) -> impl IntoView {
    let (off_general, off_error) = errors_of(TurnOffAuthenticator::PATH, &[Field::Code, Field::RecoveryCode]);
    view! {
        <h3>"Authenticator app"</h3>
        <p><span class="badge">"On"</span> " Since " {since} "."</p>
        {off_general.map(|text| view! { <p class="notice notice-error" role="alert">{text}</p> })}
        <form class="form" method="post" action=TurnOffAuthenticator::PATH>
            <CodeField id="authenticator-off-code" label="Code" error=off_error
                hint="The app's current code, or one of your recovery codes."/>
            <button class="button button-secondary" type="submit">"Turn off"</button>
        </form>
    }
}

/// The recovery codes left, and the form that makes new ones: with the app's current code, or
/// (passkeys alone) the password when the session's is not fresh.
#[component]
fn RecoveryCodes(codes_left: i64, by_app: bool, needs_password: bool) -> impl IntoView {
    let (general, error) = errors_of(NewRecoveryCodes::PATH, &[Field::Code, Field::Password]);
    let codes = match codes_left {
        0 => "No recovery codes are left: make new ones now.".to_owned(),
        1 => "1 recovery code is left.".to_owned(),
        n => format!("{n} recovery codes are left."),
    };
    let field = if by_app {
        view! {
            <CodeField id="recovery-codes-code" label="Current code" error
                hint="New recovery codes replace the old ones, used or not. Enter the app's current code."/>
        }
        .into_any()
    } else {
        let needs_password = needs_password || error.is_some();
        needs_password.then(|| view! { <ConfirmPassword id="recovery-codes-password" error/> }).into_any()
    };
    view! {
        <h3>"Recovery codes"</h3>
        <p class="hint">{codes} " Each works once in place of your second factor, if you lose it."</p>
        {general.map(|text| view! { <p class="notice notice-error" role="alert">{text}</p> })}
        <form class="form" method="post" action=NewRecoveryCodes::PATH>
            {field}
            <button class="button button-secondary" type="submit">"New recovery codes"</button>
        </form>
    }
}

/// A field for a code from the app, with its hint and the error of the last post.
#[component]
fn CodeField(id: &'static str, label: &'static str, error: Option<String>, hint: &'static str) -> impl IntoView {
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    let class = if error.is_some() { "field field-invalid" } else { "field" };
    view! {
        <div class=class>
            <label for=id>{label}</label>
            <input id=id name="code" type="text" required autocomplete="one-time-code" spellcheck="false"
                aria-describedby=format!("{hint_id} {error_id}") aria-invalid=error.is_some().then_some("true")/>
            <p class="hint" id=hint_id>{hint}</p>
            <p class="field-error" id=error_id>{error}</p>
        </div>
    }
}
