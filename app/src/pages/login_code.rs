//! `/login/code`: a login's second step, for an account with a second factor. The password was
//! right; the **Code** from the authenticator app, the account's passkey (**Sign in with a
//! passkey**), or under **Use a recovery code** a **Recovery code** starts the session. The
//! code forms are plain forms: they work without JavaScript.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;

use super::{error_from_url, passkey_sign_in::PasskeySignIn};
use crate::{domain::Field, error::AccountError, server_fns::VerifyLoginCode, ssr::accounts::SecondFactors};

/// The second factors of the login the request's challenge cookie names, while it waits.
async fn waiting() -> Option<SecondFactors> {
    let accounts = crate::ssr::accounts();
    let parts = use_context::<http::request::Parts>()?;
    let token = accounts.settings().cookies.login_challenge_from_headers(&parts.headers)?;
    accounts.waiting_login_factors(&token).await.ok().flatten()
}

#[component]
pub fn LoginCodePage() -> impl IntoView {
    let error = error_from_url(VerifyLoginCode::PATH);
    view! {
        <Title text="Enter your code"/>
        <Suspense>
            {Suspend::new(async move {
                let Some(factors) = waiting().await else {
                    return view! { <TimedOut/> }.into_any();
                };
                let fields = error.as_ref().and_then(AccountError::field_errors).cloned().unwrap_or_default();
                let general = error.as_ref().filter(|error| error.field_errors().is_none()).map(ToString::to_string);
                let code_error = fields.get(Field::Code).map(str::to_owned);
                let recovery_error = fields.get(Field::RecoveryCode).map(str::to_owned);
                // The recovery code's form opens by itself when it was the one that failed.
                let recovery_open = recovery_error.is_some();
                view! {
                    <section class="card" aria-labelledby="code-heading">
                        <h1 id="code-heading">"Enter your code"</h1>
                        <p class="card-lead">{lead(&factors)}</p>
                        {general.map(|text| view! { <p class="notice notice-error" role="alert">{text}</p> })}
                        {factors.totp_since.is_some().then(|| view! {
                            <form class="form" method="post" action=VerifyLoginCode::PATH>
                                <CodeField field=Field::Code label="Code" error=code_error
                                    hint="6 digits; a new one every 30 seconds." autocomplete="one-time-code" inputmode="numeric"/>
                                <button class="button button-primary" type="submit">"Verify"</button>
                            </form>
                        })}
                        {(factors.passkeys > 0).then(|| view! { <PasskeySignIn autofill=false/> })}
                        <details class="recovery" open=recovery_open>
                            <summary>"Use a recovery code"</summary>
                            <p class="hint">"Lost your phone? Each of the recovery codes you saved works once."</p>
                            <form class="form" method="post" action=VerifyLoginCode::PATH>
                                <CodeField field=Field::RecoveryCode label="Recovery code" error=recovery_error
                                    hint="As xxxx-xxxx-xxxx-xxxx." autocomplete="off" inputmode="text"/>
                                <button class="button button-secondary" type="submit">"Verify"</button>
                            </form>
                        </details>
                        <p class="card-footer"><a href="/">"Cancel"</a></p>
                    </section>
                }
                .into_any()
            })}
        </Suspense>
    }
}

/// What the second step asks for, as the account's factors allow.
fn lead(factors: &SecondFactors) -> &'static str {
    match (factors.totp_since.is_some(), factors.passkeys > 0) {
        (true, true) => "Your password was right. Enter the code your authenticator app shows, or use your passkey.",
        (true, false) => {
            "Your password was right. Open your authenticator app and enter the code it shows for this account."
        }
        _ => "Your password was right. Now use your passkey.",
    }
}

/// A field for a code, with its error from the last post and a hint.
#[component]
fn CodeField(
    field: Field,
    label: &'static str,
    error: Option<String>,
    hint: &'static str,
    autocomplete: &'static str,
    inputmode: &'static str,
) -> impl IntoView {
    let id = field.input_name();
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = if error.is_some() { format!("{hint_id} {error_id}") } else { hint_id.clone() };
    let class = if error.is_some() { "field field-invalid" } else { "field" };
    view! {
        <div class=class>
            <label for=id>{label}</label>
            <input id=id name=id type="text" required autocomplete=autocomplete inputmode=inputmode
                spellcheck="false" autocapitalize="off"
                aria-invalid=error.is_some().then_some("true") aria-describedby=described/>
            <p class="hint" id=hint_id>{hint}</p>
            {error.map(|message| view! { <p class="field-error" id=error_id>{message}</p> })}
        </div>
    }
}

/// No login is waiting: it timed out, had too many wrong codes, or was never started.
#[component]
fn TimedOut() -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="code-heading">
            <h1 id="code-heading">"Log in again"</h1>
            <p class="card-lead">
                "This login has timed out (it waits 5 minutes for the code) or had too many wrong codes. "
                "Log in again with your password."
            </p>
            <p><a class="button button-primary" href="/">"Log in"</a></p>
        </section>
    }
}
