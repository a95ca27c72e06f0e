//! The account page's application password forms: create one (with the password when the
//! session's is not fresh) and revoke one. Plain HTML forms, so they work without JavaScript.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::client_info;
#[cfg(feature = "ssr")]
use crate::ssr;
use crate::{domain::TypedPassword, error::AccountError};

/// Makes an application password named `name`, working for `expires` (`never`, `30`, `90` or
/// `365` days), first confirming `password` when one is given. The account page then shows it
/// once: it travels there in a short-lived cookie, never in an address.
#[server(endpoint = "account/application-passwords/create")]
pub async fn create_application_password(
    name: String,
    expires: Option<String>,
    password: Option<TypedPassword>,
) -> Result<(), AccountError> {
    use ssr::accounts::ApplicationPasswordExpiry;
    let mut signed_in = ssr::signed_in().ok_or(AccountError::Unauthenticated)?;
    let accounts = ssr::accounts();
    let expiry = ApplicationPasswordExpiry::parse(expires.as_deref().unwrap_or_default())
        .ok_or_else(|| AccountError::BadRequest("no such expiry".into()))?;
    let client = client_info();
    super::confirm_fresh(&accounts, &mut signed_in, password).await?;
    let created = accounts.create_application_password(&signed_in, &name, expiry, &client).await?;
    let cookie =
        accounts.settings().cookies.set_new_application_password(created.application_password_id, &created.secret);
    ssr::append_response_header(http::header::SET_COOKIE, &cookie);
    leptos_axum::redirect("/account?saved=application-password#application-passwords");
    Ok(())
}

/// Revokes one of the signed-in account's application passwords; its sessions end.
#[server(endpoint = "account/application-passwords/revoke")]
pub async fn revoke_application_password(application_password_id: i64) -> Result<(), AccountError> {
    let signed_in = ssr::signed_in().ok_or(AccountError::Unauthenticated)?;
    ssr::accounts().revoke_application_password(&signed_in, application_password_id, &client_info()).await?;
    leptos_axum::redirect("/account?saved=application-password-revoked#application-passwords");
    Ok(())
}
