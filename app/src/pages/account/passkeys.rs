//! The account page's passkeys: the list (name, added, last used), each with **Remove** (a plain
//! form), and **Add a passkey** with its optional **Passkey name**, which `public/passkeys.js`
//! runs through the browser's passkey dialog. Both ask for the password when the session's was
//! typed more than 10 minutes ago.

use leptos::{prelude::*, server_fn::ServerFn};

use super::{
    ConfirmPassword,
    second_factor::{errors_of, facts},
};
use crate::{
    domain::Field,
    presentation::date_in_words,
    server_fns::RemovePasskey,
    ssr::accounts::{MAX_PASSKEY_NAME_CHARS, MAX_PASSKEYS, PasskeyInfo},
};

#[component]
pub fn Passkeys() -> impl IntoView {
    view! {
        <h2 id="passkeys">"Passkeys"</h2>
        <Suspense>
            {Suspend::new(async move {
                let viewer = crate::ssr::signed_in()?;
                let accounts = crate::ssr::accounts();
                let origin = accounts.passkey_origin()?.to_owned();
                let passkeys = accounts.passkeys(viewer.user.user_id).await.unwrap_or_default();
                let (_, needs_password) = facts().await?;
                Some(view! { <PasskeyList passkeys needs_password origin/> })
            })}
        </Suspense>
    }
}

#[component]
fn PasskeyList(passkeys: Vec<PasskeyInfo>, needs_password: bool, origin: String) -> impl IntoView {
    let (remove_general, remove_error) = errors_of(RemovePasskey::PATH, &[Field::Password]);
    let needs_password = needs_password || remove_error.is_some();
    let full = i64::try_from(passkeys.len()).unwrap_or(i64::MAX) >= MAX_PASSKEYS;
    let rows = passkeys
        .into_iter()
        .map(|passkey| {
            let label = format!("Remove the passkey {}", passkey.name);
            let last_used = passkey.last_used_on.map_or_else(|| "never".to_owned(), date_in_words);
            let confirm_id = format!("passkey-remove-{}-password", passkey.passkey_id);
            view! {
                <li class="session">
                    <div class="session-facts">
                        <p class="session-device"><strong>{passkey.name}</strong></p>
                        <p class="hint">"added " {date_in_words(passkey.created_on)} " · last used " {last_used}</p>
                    </div>
                    <form class="form" method="post" action=RemovePasskey::PATH>
                        <input type="hidden" name="passkey_id" value=passkey.passkey_id.to_string()/>
                        {needs_password.then(|| view! { <ConfirmPassword id=confirm_id error=remove_error.clone()/> })}
                        <button class="button button-secondary" type="submit" aria-label=label>"Remove"</button>
                    </form>
                </li>
            }
        })
        .collect_view();
    view! {
        <p class="hint">
            "A passkey signs you in with your device's fingerprint, face or PIN instead of your password, and "
            "cannot be phished. It also serves as the second step after a password. Keep at least one other way "
            "in: a second passkey, the authenticator app, or your recovery codes."
        </p>
        {remove_general.map(|text| view! { <p class="notice notice-error" role="alert">{text}</p> })}
        <ul class="session-list" aria-label="Passkeys of this account">{rows}</ul>
        <div data-passkeys=origin>
            <p class="hint" data-passkey-needs-script>"Adding a passkey needs JavaScript, which is off in this browser."</p>
            {(!full).then(|| view! {
                <form class="form" data-passkey-add data-passkey-control hidden>
                    <div class="field">
                        <label for="passkey-name">"Passkey name"</label>
                        <input id="passkey-name" name="name" type="text" maxlength=MAX_PASSKEY_NAME_CHARS.to_string()
                            autocomplete="off" aria-describedby="passkey-name-hint"/>
                        <p class="hint" id="passkey-name-hint">"Optional, e.g. laptop: where the passkey is kept."</p>
                    </div>
                    {needs_password.then(|| view! { <ConfirmPassword id="passkey-add-password".to_owned() error=None/> })}
                    <button class="button button-primary" type="submit">"Add a passkey"</button>
                </form>
            })}
            {full.then(|| view! { <p class="hint">{format!("This account has {MAX_PASSKEYS} passkeys, the most it may have.")}</p> })}
            <p class="hint" aria-live="polite" data-passkey-status></p>
        </div>
        <script src="/passkeys.js" defer></script>
    }
}
