//! The console's one form: an administrative act on an account, posted from the page that asks
//! to confirm it (`/admin/act`), with the administrator's password when the session's is not
//! fresh. A plain HTML form, so it works the same with JavaScript or without.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::client_info;
#[cfg(feature = "ssr")]
use crate::ssr;
use crate::{domain::TypedPassword, error::AccountError};

/// Where the accounts table goes back to after an act: `back` when it is a page of the table,
/// the table's first page otherwise (never another site).
#[cfg(feature = "ssr")]
pub(crate) fn accounts_page(back: &str) -> &str {
    let own = back == "/admin/accounts" || back.starts_with("/admin/accounts?");
    // Visible ASCII only: the address goes into a `Location` header as it is.
    let plain = back.bytes().all(|byte| byte.is_ascii_graphic());
    if own && plain && !back.contains('#') { back } else { "/admin/accounts" }
}

/// Does `act` (`disable`, `enable`, `expire-password`, `end-sessions`, `reset-link`,
/// `make-admin`, `remove-admin`, `delete`) to account `user_id`, first confirming `password`
/// when one is given, then goes back to the accounts table (`back`) saying what was done.
#[server(endpoint = "admin/act")]
pub async fn act_on_account(
    act: String,
    user_id: i64,
    back: String,
    password: Option<TypedPassword>,
) -> Result<(), AccountError> {
    let signed_in = ssr::signed_in().ok_or(AccountError::Unauthenticated)?;
    let accounts = ssr::accounts();
    let act = ssr::accounts::AdminAct::from_slug(&act).ok_or_else(|| AccountError::BadRequest("no such act".into()))?;
    let client = client_info();
    let acting = match password.filter(|typed| !typed.is_empty()) {
        Some(password) => accounts.confirm_administrator(&signed_in, password, &client).await?,
        None => accounts.fresh_administrator(&signed_in).await?,
    };
    let done = accounts.act_on(&acting, act, user_id, &client).await?;
    if let Some(link) = &done.reset_link {
        // To the accounts table, which shows it once: never in an address.
        let cookie = accounts.settings().cookies.set_reset_link(user_id, &link.token, &ssr::site_origin());
        ssr::append_response_header(http::header::SET_COOKIE, &cookie);
    }
    let back = accounts_page(&back);
    let separator = if back.contains('?') { '&' } else { '?' };
    // The account by id, not by name: a name in the address would stay in the history and logs.
    leptos_axum::redirect(&format!(
        "{back}{separator}done={}&user={user_id}&ended={}",
        act.slug(),
        done.sessions_ended
    ));
    Ok(())
}

/// Saves the shared settings (`signup_open`: `true` or `false`; `min_password_length`;
/// `require_second_factor`: `off`, `administrators` or `everyone`), first confirming `password`
/// when one is given, then shows the settings page again, saying how many changed. Only the
/// fields changed on the page (`…_was`: the values it showed) are saved, so a page left open does
/// not undo another administrator's change to another setting.
#[server(endpoint = "admin/settings")]
#[allow(clippy::too_many_arguments, reason = "one argument per field of the form")]
pub async fn save_settings(
    signup_open: Option<String>,
    signup_open_was: Option<String>,
    min_password_length: Option<String>,
    min_password_length_was: Option<String>,
    require_second_factor: Option<String>,
    require_second_factor_was: Option<String>,
    password: Option<TypedPassword>,
) -> Result<(), AccountError> {
    use ssr::accounts::{Setting, SettingsChange};
    let signed_in = ssr::signed_in().ok_or(AccountError::Unauthenticated)?;
    let accounts = ssr::accounts();
    let changed = |setting: Setting, value: Option<String>, was: Option<String>| {
        value.filter(|value| Some(value) != was.as_ref()).map(|value| (setting, value))
    };
    let values = [
        changed(Setting::SignupOpen, signup_open, signup_open_was),
        changed(Setting::MinPasswordLength, min_password_length, min_password_length_was),
        changed(Setting::RequireSecondFactor, require_second_factor, require_second_factor_was),
    ];
    let change = SettingsChange::parse(values.iter().flatten().map(|(setting, value)| (*setting, value.as_str())))
        .map_err(|(setting, sentence)| {
            let name = match setting {
                Setting::SignupOpen => "Signup",
                Setting::MinPasswordLength => "Minimum password length",
                Setting::RequireSecondFactor => "Second factor required of",
            };
            AccountError::AdminRefused(format!("{name}: {sentence}"))
        })?;
    let client = client_info();
    let acting = match password.filter(|typed| !typed.is_empty()) {
        Some(password) => accounts.confirm_administrator(&signed_in, password, &client).await?,
        None => accounts.fresh_administrator(&signed_in).await?,
    };
    let changed = accounts.change_settings(&acting, change, &client).await?;
    leptos_axum::redirect(&format!("/admin/settings?saved={}", changed.len()));
    Ok(())
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::accounts_page;

    #[test]
    fn only_pages_of_the_accounts_table_are_gone_back_to() {
        assert_eq!(accounts_page("/admin/accounts?search=al&index=20"), "/admin/accounts?search=al&index=20");
        assert_eq!(accounts_page("/admin/accounts"), "/admin/accounts");
        for elsewhere in ["https://evil.example/", "//evil.example/admin/accounts", "/admin/accountsx", "/account", ""]
        {
            assert_eq!(accounts_page(elsewhere), "/admin/accounts", "{elsewhere}");
        }
    }
}
