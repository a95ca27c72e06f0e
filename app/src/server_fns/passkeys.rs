//! Passkeys' server functions: each ceremony's two halves, which `public/passkeys.js` calls
//! around the browser's `navigator.credentials` (a passkey cannot work without it), and removing
//! one, a plain form. The ceremony's options and the browser's answer cross as JSON text: the
//! WebAuthn types stay on the server, and the WASM never sees them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::client_info;
#[cfg(feature = "ssr")]
use crate::ssr;
use crate::{domain::TypedPassword, error::AccountError};

/// The first half of a ceremony, for the browser: its id, to send back with the answer, and the
/// options (JSON) for `navigator.credentials`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PasskeyOptions {
    pub ceremony: String,
    pub options: String,
}

#[cfg(feature = "ssr")]
impl From<ssr::accounts::PasskeyCeremony> for PasskeyOptions {
    fn from(ceremony: ssr::accounts::PasskeyCeremony) -> Self {
        Self { ceremony: ceremony.id.as_str().to_owned(), options: ceremony.options }
    }
}

/// Starts signing in with a passkey (on the login screen, or as a login's second step).
#[server(endpoint = "passkey/sign-in/start")]
pub async fn start_passkey_sign_in() -> Result<PasskeyOptions, AccountError> {
    Ok(ssr::accounts().start_passkey_sign_in(&client_info()).await?.into())
}

/// Finishes signing in with a passkey: `credential` is the JSON of the browser's
/// `PublicKeyCredential` for ceremony `ceremony`. The session starts, a login waiting for its
/// second step ends, and the browser goes home.
#[server(endpoint = "passkey/sign-in/finish")]
pub async fn finish_passkey_sign_in(ceremony: String, credential: String) -> Result<(), AccountError> {
    let accounts = ssr::accounts();
    let logged_in = accounts.finish_passkey_sign_in(&ceremony, &credential, &client_info()).await?;
    ssr::append_response_header(http::header::SET_COOKIE, &accounts.settings().cookies.clear_login_challenge());
    super::land(&accounts, ssr::accounts::SignInStep::SignedIn(logged_in));
    Ok(())
}

/// Starts adding a passkey named `name` (optional) to the signed-in account, first confirming
/// `password` when the session's was not typed within the last minutes.
#[server(endpoint = "account/passkeys/start")]
pub async fn start_adding_passkey(
    name: Option<String>,
    password: Option<TypedPassword>,
) -> Result<PasskeyOptions, AccountError> {
    let mut signed_in = ssr::signed_in().ok_or(AccountError::Unauthenticated)?;
    let accounts = ssr::accounts();
    super::confirm_fresh(&accounts, &mut signed_in, password).await?;
    let name = name.unwrap_or_default();
    Ok(accounts.start_adding_passkey(&signed_in, &name, &client_info()).await?.into())
}

/// Finishes adding a passkey with the browser's answer; with the account's first second factor,
/// goes to the page that shows its new recovery codes once.
#[server(endpoint = "account/passkeys/finish")]
pub async fn finish_adding_passkey(ceremony: String, credential: String) -> Result<(), AccountError> {
    let signed_in = ssr::signed_in().ok_or(AccountError::Unauthenticated)?;
    let accounts = ssr::accounts();
    match accounts.finish_adding_passkey(&signed_in, &ceremony, &credential, &client_info()).await? {
        Some(codes) => {
            let cookie = accounts.settings().cookies.set_new_recovery_codes(&codes);
            ssr::append_response_header(http::header::SET_COOKIE, &cookie);
            leptos_axum::redirect(crate::pages::RECOVERY_CODES_PATH);
        }
        None => leptos_axum::redirect("/account?saved=passkey#second-factor"),
    }
    Ok(())
}

/// Removes one of the signed-in account's passkeys, first confirming `password` when the
/// session's was not typed within the last minutes.
#[server(endpoint = "account/passkeys/remove")]
pub async fn remove_passkey(passkey_id: i64, password: Option<TypedPassword>) -> Result<(), AccountError> {
    let mut signed_in = ssr::signed_in().ok_or(AccountError::Unauthenticated)?;
    let accounts = ssr::accounts();
    super::confirm_fresh(&accounts, &mut signed_in, password).await?;
    accounts.remove_passkey(&signed_in, passkey_id, &client_info()).await?;
    leptos_axum::redirect("/account?saved=passkey-removed#second-factor");
    Ok(())
}
