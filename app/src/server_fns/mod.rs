//! The server functions behind the pages' forms. Each is thin: parse through the accounts core,
//! set or clear the cookie, and redirect. They answer both the islands (fetch, JSON errors) and
//! plain form posts without JavaScript (a redirect, with any error carried in the URL).
//!
//! This file: the account's own forms; `application_passwords.rs`: the account page's
//! application passwords; `second_factor.rs`: the login's second step and the authenticator
//! app's forms; `groups.rs`: the group pages' forms; `admin.rs`: the console's.

mod admin;
mod application_passwords;
mod groups;
mod passkeys;
mod second_factor;

pub use admin::*;
pub use application_passwords::*;
pub use groups::*;
use leptos::prelude::*;
pub use passkeys::*;
pub use second_factor::*;

#[cfg(feature = "ssr")]
use crate::ssr;
use crate::{domain::TypedPassword, error::AccountError};

/// Creates an account, then sends the browser to the login page, which confirms it by name.
#[server(endpoint = "register")]
pub async fn register(
    username: String,
    email: String,
    password: TypedPassword,
    confirm_password: TypedPassword,
) -> Result<(), AccountError> {
    let form = crate::domain::RegisterForm { username, email, password, confirm_password };
    let user = ssr::accounts().register(&form, &client_info()).await?;
    let query = form_urlencoded::Serializer::new(String::new()).append_pair("registered", &user.username).finish();
    leptos_axum::redirect(&format!("/?{query}"));
    Ok(())
}

/// Starts a session and sends the browser home, or for an account with a second factor to the
/// page that asks for its code; with a correct password that has expired, sends it to choose a
/// new one instead. A browser that showed no device cookie of the account gets one, so that it
/// can still log in while the account is under attack.
#[server(endpoint = "login")]
pub async fn log_in(username: String, password: TypedPassword) -> Result<(), AccountError> {
    let accounts = ssr::accounts();
    let client = client_info();
    let form = crate::domain::LoginForm { username, password };
    match accounts.log_in(&form, ssr::accounts::LoginChannel::Pages, &client).await {
        Ok(step) => land(&accounts, step),
        Err(AccountError::PasswordExpired) => {
            let query =
                form_urlencoded::Serializer::new(String::new()).append_pair("username", form.username.trim()).finish();
            leptos_axum::redirect(&format!("/password/renew?{query}"));
        }
        Err(error) => return Err(error),
    }
    Ok(())
}

/// Renews an expired password (or any, given the current one) and logs in with the new one
/// (through the second factor, for an account that has one).
#[server(endpoint = "password/renew")]
pub async fn renew_password(
    username: String,
    old_password: TypedPassword,
    new_password: TypedPassword,
    confirm_new_password: TypedPassword,
) -> Result<(), AccountError> {
    let accounts = ssr::accounts();
    let form = crate::domain::PasswordChangeForm { old_password, new_password, confirm_new_password };
    let step = accounts.renew_password(&username, form, &client_info()).await?;
    land(&accounts, step);
    Ok(())
}

/// Where a login with the right password goes: home with the new session's cookie (and a device
/// cookie), or to the second factor's page with the login challenge's cookie.
#[cfg(feature = "ssr")]
fn land(accounts: &ssr::accounts::Accounts, step: ssr::accounts::SignInStep) {
    let settings = accounts.settings();
    match step {
        ssr::accounts::SignInStep::SignedIn(logged_in) => {
            ssr::append_response_header(http::header::SET_COOKIE, &settings.session_cookie(&logged_in.signed_in.token));
            if let Some(device) = &logged_in.new_device {
                ssr::append_response_header(http::header::SET_COOKIE, &settings.device_cookie(device));
            }
            leptos_axum::redirect("/");
        }
        ssr::accounts::SignInStep::SecondFactor(challenge) => {
            ssr::append_response_header(http::header::SET_COOKIE, &settings.cookies.set_login_challenge(&challenge));
            leptos_axum::redirect(crate::pages::LOGIN_CODE_PATH);
        }
    }
}

/// Checks that the signed-in account's password was typed on this session within 10 minutes,
/// or is `password` (which then counts as typed now): what adding a credential needs.
#[cfg(feature = "ssr")]
async fn confirm_fresh(
    accounts: &ssr::accounts::Accounts,
    signed_in: &mut ssr::accounts::SignedIn,
    password: Option<TypedPassword>,
) -> Result<(), AccountError> {
    match password.filter(|typed| !typed.is_empty()) {
        Some(password) => {
            accounts.confirm_own_password(signed_in, password, &client_info()).await?;
            signed_in.confirmed_on = ssr::clock::now_micros();
            Ok(())
        }
        None if ssr::accounts::confirmed_recently(signed_in) => Ok(()),
        None => Err(AccountError::Invalid(crate::domain::FieldErrors::single(
            crate::domain::Field::Password,
            "Enter your password to confirm.",
        ))),
    }
}

/// Sets a new password through a reset link (its `token`, kept like a password), which it uses
/// up, and sends the browser to the login page to log in with it. Every session of the account
/// has ended.
#[server(endpoint = "password/reset")]
pub async fn reset_password(
    token: TypedPassword,
    new_password: TypedPassword,
    confirm_new_password: TypedPassword,
) -> Result<(), AccountError> {
    let form = crate::domain::PasswordResetForm { token, new_password, confirm_new_password };
    ssr::accounts().reset_password(form, &client_info()).await?;
    // No name in the address: it would stay in the history, and anyone could make up one.
    leptos_axum::redirect("/?reset=1");
    Ok(())
}

/// Ends this browser's session and returns to the login screen. Without a session it just
/// returns there: the visitor wanted to be logged out, and is.
#[server(endpoint = "logout")]
pub async fn log_out() -> Result<(), AccountError> {
    let accounts = ssr::accounts();
    if let Some(signed_in) = ssr::signed_in() {
        accounts.log_out(&signed_in, &client_info()).await?;
    }
    forget_session_cookies(&accounts);
    leptos_axum::redirect("/");
    Ok(())
}

/// Makes the browser forget its session, and any reset link it carries to the console (an
/// administrator who logs out leaves nothing for the next person at the browser).
#[cfg(feature = "ssr")]
fn forget_session_cookies(accounts: &ssr::accounts::Accounts) {
    let cookies = accounts.settings().cookies;
    ssr::append_response_header(http::header::SET_COOKIE, &cookies.clear());
    ssr::append_response_header(http::header::SET_COOKIE, &cookies.clear_reset_link());
    ssr::append_response_header(http::header::SET_COOKIE, &cookies.clear_login_challenge());
}

#[cfg(feature = "ssr")]
pub(crate) fn client_info() -> ssr::accounts::ClientInfo {
    use_context::<http::request::Parts>()
        .map(|parts| ssr::accounts::ClientInfo::of_request(&parts.headers, &parts.extensions))
        .unwrap_or_default()
}

/// Changes the signed-in user's username and email address.
#[server(endpoint = "account/profile")]
pub async fn update_profile(username: String, email: String) -> Result<(), AccountError> {
    let signed_in = ssr::signed_in().ok_or(AccountError::Unauthenticated)?;
    let form = crate::domain::ProfileForm { username, email };
    ssr::accounts().modify(signed_in.user.user_id, &form).await?;
    leptos_axum::redirect("/account?saved=profile");
    Ok(())
}

/// Changes the signed-in user's password. Every other session ends; this browser stays signed
/// in under a new cookie.
#[server(endpoint = "account/password")]
pub async fn change_password(
    old_password: TypedPassword,
    new_password: TypedPassword,
    confirm_new_password: TypedPassword,
) -> Result<(), AccountError> {
    let signed_in = ssr::signed_in().ok_or(AccountError::Unauthenticated)?;
    let accounts = ssr::accounts();
    let form = crate::domain::PasswordChangeForm { old_password, new_password, confirm_new_password };
    let changed =
        accounts.change_password(signed_in.user.user_id, form, Some(&signed_in.token), &client_info()).await?;
    let settings = accounts.settings();
    if let Some(token) = &changed.fresh_token {
        ssr::append_response_header(http::header::SET_COOKIE, &settings.session_cookie(token));
    }
    ssr::append_response_header(http::header::SET_COOKIE, &settings.device_cookie(&changed.new_device));
    leptos_axum::redirect("/account?saved=password");
    Ok(())
}

/// Ends every session of the signed-in user, on every device, this one included.
#[server(endpoint = "account/logout-everywhere")]
pub async fn log_out_everywhere() -> Result<(), AccountError> {
    let accounts = ssr::accounts();
    if let Some(signed_in) = ssr::signed_in() {
        accounts.log_out_everywhere(&signed_in.user, &client_info()).await?;
    }
    forget_session_cookies(&accounts);
    leptos_axum::redirect("/");
    Ok(())
}

/// Deletes the signed-in user's account after checking its password.
#[server(endpoint = "account/delete")]
pub async fn delete_account(password: TypedPassword) -> Result<(), AccountError> {
    let signed_in = ssr::signed_in().ok_or(AccountError::Unauthenticated)?;
    let accounts = ssr::accounts();
    if password.is_empty() {
        let errors = crate::domain::FieldErrors::single(crate::domain::Field::Password, crate::domain::REQUIRED);
        return Err(AccountError::Invalid(errors));
    }
    accounts.delete(&signed_in.user, password, &client_info()).await?;
    forget_session_cookies(&accounts);
    let query =
        form_urlencoded::Serializer::new(String::new()).append_pair("deleted", &signed_in.user.username).finish();
    leptos_axum::redirect(&format!("/?{query}"));
    Ok(())
}

/// Ends one of the signed-in user's sessions (listed on the account page) and returns there.
#[server(endpoint = "account/revoke-session")]
pub async fn revoke_session(session_id: String) -> Result<(), AccountError> {
    let signed_in = ssr::signed_in().ok_or(AccountError::Unauthenticated)?;
    ssr::accounts().revoke_session(&signed_in.user, &session_id, &client_info()).await?;
    leptos_axum::redirect("/account?saved=session#sessions");
    Ok(())
}
