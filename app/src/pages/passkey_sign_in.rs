//! **Sign in with a passkey**: the button the login screen and a login's second step share.
//! `public/passkeys.js` shows it where the browser can use passkeys at this address, and runs
//! the browser's dialog; on the login screen it also offers saved passkeys as the username
//! field's autofill. Without JavaScript a passkey cannot work, and the block says so.

use leptos::prelude::*;

/// The passkey sign-in block, when this server serves passkeys (`autofill`: also offer them in
/// the username field).
#[component]
pub fn PasskeySignIn(autofill: bool) -> impl IntoView {
    let origin = crate::ssr::accounts().passkey_origin().map(str::to_owned);
    origin.map(|origin| {
        view! {
            <div class="passkey-sign-in" data-passkeys=origin>
                <button class="button button-secondary" type="button" data-passkey-sign-in
                    data-autofill=autofill.then_some("") data-passkey-control hidden>
                    "Sign in with a passkey"
                </button>
                <p class="hint" data-passkey-needs-script>"Signing in with a passkey needs JavaScript."</p>
                <p class="hint" aria-live="polite" data-passkey-status></p>
            </div>
            <script src="/passkeys.js" defer></script>
        }
    })
}
