//! The second factor's forms: the login's second step (`/login/code`), and on the account page
//! setting up the authenticator app, turning it off, and new recovery codes. Plain HTML forms:
//! they work without JavaScript.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::client_info;
#[cfg(feature = "ssr")]
use crate::ssr;
use crate::{domain::TypedPassword, error::AccountError};

/// The answer a form gave: the app's code, or else a recovery code.
#[cfg(feature = "ssr")]
fn answer(code: Option<String>, recovery_code: Option<String>) -> ssr::accounts::SecondFactorAnswer {
    use ssr::accounts::SecondFactorAnswer;
    match recovery_code.filter(|typed| !typed.trim().is_empty()) {
        Some(recovery_code) => SecondFactorAnswer::RecoveryCode(recovery_code),
        None => SecondFactorAnswer::Code(code.unwrap_or_default()),
    }
}

/// The login's second step: the authenticator app's `code`, or a `recovery_code`, for the login
/// whose challenge the browser's cookie carries. Right, the session starts and the browser goes
/// home.
#[server(endpoint = "login/code")]
pub async fn verify_login_code(code: Option<String>, recovery_code: Option<String>) -> Result<(), AccountError> {
    let accounts = ssr::accounts();
    let cookies = accounts.settings().cookies;
    let challenge = use_context::<http::request::Parts>()
        .and_then(|parts| cookies.login_challenge_from_headers(&parts.headers))
        .ok_or(AccountError::LoginTimedOut)?;
    let logged_in = match accounts.verify_second_factor(&challenge, answer(code, recovery_code), &client_info()).await {
        Ok(logged_in) => logged_in,
        Err(AccountError::LoginTimedOut) => {
            ssr::append_response_header(http::header::SET_COOKIE, &cookies.clear_login_challenge());
            return Err(AccountError::LoginTimedOut);
        }
        Err(error) => return Err(error),
    };
    ssr::append_response_header(http::header::SET_COOKIE, &cookies.clear_login_challenge());
    super::land(&accounts, ssr::accounts::SignInStep::SignedIn(logged_in));
    Ok(())
}

/// Starts setting up an authenticator app (with the password when the session's is not fresh)
/// and goes to the page that shows its QR code.
#[server(endpoint = "account/authenticator/start")]
pub async fn start_authenticator_setup(password: Option<TypedPassword>) -> Result<(), AccountError> {
    let mut signed_in = ssr::signed_in().ok_or(AccountError::Unauthenticated)?;
    let accounts = ssr::accounts();
    super::confirm_fresh(&accounts, &mut signed_in, password).await?;
    accounts.start_totp_setup(&signed_in).await?;
    leptos_axum::redirect(crate::pages::AUTHENTICATOR_PATH);
    Ok(())
}

/// Turns the authenticator app on with its first `code`; with the account's first recovery
/// codes, goes to the page that shows them once.
#[server(endpoint = "account/authenticator/confirm")]
pub async fn confirm_authenticator(code: String) -> Result<(), AccountError> {
    let signed_in = ssr::signed_in().ok_or(AccountError::Unauthenticated)?;
    let accounts = ssr::accounts();
    match accounts.confirm_totp_setup(&signed_in, &code, &client_info()).await? {
        Some(codes) => {
            let cookie = accounts.settings().cookies.set_new_recovery_codes(&codes);
            ssr::append_response_header(http::header::SET_COOKIE, &cookie);
            leptos_axum::redirect(crate::pages::RECOVERY_CODES_PATH);
        }
        None => leptos_axum::redirect("/account?saved=authenticator#second-factor"),
    }
    Ok(())
}

/// Turns the authenticator app off, given its current code or a recovery code (`code`: six
/// digits are the app's, anything longer a recovery code).
#[server(endpoint = "account/authenticator/off")]
pub async fn turn_off_authenticator(code: String) -> Result<(), AccountError> {
    let signed_in = ssr::signed_in().ok_or(AccountError::Unauthenticated)?;
    let digits = code.chars().filter(|c| !c.is_whitespace()).count();
    let answer = if digits <= 6 { answer(Some(code), None) } else { answer(None, Some(code)) };
    ssr::accounts().turn_off_totp(&signed_in, answer, &client_info()).await?;
    leptos_axum::redirect("/account?saved=authenticator-off#second-factor");
    Ok(())
}

/// Makes new recovery codes (the old ones stop working), given the app's current `code` (an
/// account with passkeys alone: its `password`, when the session's is not fresh), and shows them
/// once.
#[server(endpoint = "account/recovery-codes/new")]
pub async fn new_recovery_codes(code: Option<String>, password: Option<TypedPassword>) -> Result<(), AccountError> {
    let mut signed_in = ssr::signed_in().ok_or(AccountError::Unauthenticated)?;
    let accounts = ssr::accounts();
    if password.as_ref().is_some_and(|typed| !typed.is_empty()) {
        super::confirm_fresh(&accounts, &mut signed_in, password).await?;
    }
    let code = code.unwrap_or_default();
    let codes = accounts.new_recovery_codes(&signed_in, &code, &client_info()).await?;
    ssr::append_response_header(http::header::SET_COOKIE, &accounts.settings().cookies.set_new_recovery_codes(&codes));
    leptos_axum::redirect(crate::pages::RECOVERY_CODES_PATH);
    Ok(())
}
