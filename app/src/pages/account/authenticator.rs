//! The authenticator app's set-up pages. `/account/authenticator`: the QR code of the app's
//! `otpauth://` address (an SVG drawn here), the secret as text to type, and the **Code** that
//! turns it on. `/account/recovery-codes`: new recovery codes, shown once (from their
//! short-lived cookie) with **Copy** and **Download**. Plain forms, no island.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use qrcodegen::{QrCode, QrCodeEcc};

use super::super::{error_from_url, send_to_login};
use crate::{domain::Field, error::AccountError, server_fns::ConfirmAuthenticator};

/// The QR code of `text` as an SVG: dark modules on a light tile (scanners need that contrast,
/// in a dark theme too), with the standard quiet zone of four modules.
fn qr_svg(text: &str) -> Option<String> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    // One rectangle per horizontal run of dark modules.
    let mut path = String::new();
    for y in 0..size {
        let mut x = 0;
        while x < size {
            let start = x;
            while x < size && qr.get_module(x, y) {
                x += 1;
            }
            if x > start {
                path.push_str(&format!("M{},{}h{}v1h-{}z", start + 4, y + 4, x - start, x - start));
            }
            x += 1;
        }
    }
    let view = size + 8;
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {view} {view}" width="220" height="220" role="img" aria-labelledby="qr-title"><title id="qr-title">QR code for your authenticator app</title><rect width="{view}" height="{view}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
}

#[component]
pub fn AuthenticatorPage() -> impl IntoView {
    let error = error_from_url(ConfirmAuthenticator::PATH);
    view! {
        <Title text="Set up an authenticator app"/>
        <Suspense>
            {Suspend::new(async move {
                let Some(viewer) = crate::ssr::signed_in() else {
                    send_to_login();
                    return ().into_any();
                };
                let Ok(Some(setup)) = crate::ssr::accounts().totp_setup(&viewer).await else {
                    return view! {
                        <section class="card" aria-labelledby="setup-heading">
                            <h1 id="setup-heading">"Set up an authenticator app"</h1>
                            <p class="card-lead">"No set-up is waiting: start one from your account page."</p>
                            <p><a href="/account#second-factor">"Back to your account"</a></p>
                        </section>
                    }.into_any();
                };
                let code_error = error.as_ref().and_then(AccountError::field_errors)
                    .and_then(|fields| fields.get(Field::Code)).map(str::to_owned);
                let general = error.as_ref().filter(|_| code_error.is_none()).map(ToString::to_string);
                let class = if code_error.is_some() { "field field-invalid" } else { "field" };
                view! {
                    <section class="card" aria-labelledby="setup-heading">
                        <h1 id="setup-heading">"Set up an authenticator app"</h1>
                        <ol class="steps">
                            <li>"In your authenticator app, add an account and scan this code:"</li>
                        </ol>
                        <div class="qr" inner_html=qr_svg(&setup.url).unwrap_or_default()></div>
                        <p class="hint">"Cannot scan it? Type this key into the app instead (time-based, 6 digits):"</p>
                        <p><code class="secret" id="authenticator-secret">{setup.secret_text}</code></p>
                        <ol class="steps" start="2">
                            <li>"Enter the code the app now shows, to check that it is set up right."</li>
                        </ol>
                        {general.map(|text| view! { <p class="notice notice-error" role="alert">{text}</p> })}
                        <form class="form" method="post" action=ConfirmAuthenticator::PATH>
                            <div class=class>
                                <label for="code">"Code"</label>
                                <input id="code" name="code" type="text" required inputmode="numeric"
                                    autocomplete="one-time-code" spellcheck="false"
                                    aria-invalid=code_error.is_some().then_some("true") aria-describedby="code-error"/>
                                <p class="field-error" id="code-error">{code_error}</p>
                            </div>
                            <button class="button button-primary" type="submit">"Turn on"</button>
                        </form>
                        <p class="card-footer"><a href="/account#second-factor">"Cancel"</a></p>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

/// The recovery codes the last form's answer left in their cookie, if they are the viewer's and
/// unused: shown once, as the cookie is cleared either way.
async fn carried_codes() -> Option<Vec<String>> {
    let viewer = crate::ssr::signed_in()?;
    let accounts = crate::ssr::accounts();
    let cookies = accounts.settings().cookies;
    let parts = use_context::<http::request::Parts>()?;
    if !cookies.has_new_recovery_codes(&parts.headers) {
        return None;
    }
    crate::ssr::append_response_header(http::header::SET_COOKIE, &cookies.clear_new_recovery_codes());
    let codes = cookies.new_recovery_codes_from_headers(&parts.headers);
    accounts.has_recovery_codes(viewer.user.user_id, &codes).await.unwrap_or(false).then_some(codes)
}

#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    view! {
        <Title text="Recovery codes"/>
        <Suspense>
            {Suspend::new(async move {
                if crate::ssr::signed_in().is_none() {
                    send_to_login();
                    return ().into_any();
                }
                let Some(codes) = carried_codes().await else {
                    return view! {
                        <section class="card" aria-labelledby="codes-heading">
                            <h1 id="codes-heading">"Recovery codes"</h1>
                            <p class="card-lead">
                                "Recovery codes are shown only once. If yours are lost, make new ones on your account page: the old ones then stop working."
                            </p>
                            <p><a href="/account#second-factor">"Back to your account"</a></p>
                        </section>
                    }.into_any();
                };
                let text = codes.join("\n");
                let download = format!(
                    "data:text/plain;charset=utf-8,{}",
                    form_urlencoded::byte_serialize(format!("{} recovery codes\n\n{text}\n", crate::PRODUCT_NAME).as_bytes())
                        .collect::<String>()
                        .replace('+', "%20")
                );
                view! {
                    <section class="card" aria-labelledby="codes-heading">
                        <h1 id="codes-heading">"Your recovery codes"</h1>
                        <p class="notice notice-success" role="status">"The authenticator app is set up. Save these codes now: they are shown only once."</p>
                        <p class="card-lead">
                            "If you lose your phone, each of these codes logs you in once, in place of the app's code. "
                            "Keep them somewhere safe, apart from your password."
                        </p>
                        <ul class="recovery-codes" aria-label="Recovery codes">
                            {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
                        </ul>
                        <label class="visually-hidden" for="recovery-codes-text">"Recovery codes as text"</label>
                        <textarea id="recovery-codes-text" class="visually-hidden" readonly tabindex="-1">{text}</textarea>
                        <div class="copy-row">
                            <button class="button button-secondary" type="button" data-copy="recovery-codes-text"
                                data-copy-status="recovery-codes-copied" hidden>"Copy"</button>
                            <a class="button button-secondary" href=download download="recovery-codes.txt">"Download"</a>
                        </div>
                        <p class="hint"><span id="recovery-codes-copied" role="status"></span></p>
                        <p><a class="button button-primary" href="/account#second-factor">"Done"</a></p>
                    </section>
                    <script src="/console.js" defer></script>
                }.into_any()
            })}
        </Suspense>
    }
}
