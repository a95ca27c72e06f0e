//! `/password/reset?token=…`: where a reset link an administrator handed over leads. It names
//! the account and asks for the new password twice; the link works once, within 24 hours. A
//! plain form: it works the same with JavaScript or without, and adds nothing to the WASM.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::error_from_url;
use crate::{domain::Field, error::AccountError, server_fns::ResetPassword};

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = use_query_map().with_untracked(|query| query.get("token")).unwrap_or_default();
    let error = error_from_url(ResetPassword::PATH);
    view! {
        <Title text="Choose a new password"/>
        <Suspense>
            {Suspend::new(async move {
                let accounts = crate::ssr::accounts();
                let link = match accounts.reset_link(&token).await {
                    Ok(link) => link,
                    Err(refusal) => return view! { <LinkRefused refusal/> }.into_any(),
                };
                let min_chars = accounts.password_policy().min_chars;
                let fields = error.as_ref().and_then(AccountError::field_errors).cloned().unwrap_or_default();
                let general = error.as_ref().filter(|error| error.field_errors().is_none()).map(ToString::to_string);
                let new_error = fields.get(Field::NewPassword).map(str::to_owned);
                let confirm_error = fields.get(Field::ConfirmNewPassword).map(str::to_owned);
                let until = link.expires_on.to_minute_utc();
                view! {
                    <section class="card" aria-labelledby="reset-heading">
                        <h1 id="reset-heading">"Choose a new password"</h1>
                        <p class="card-lead">
                            "For the account " <strong>{link.username.clone()}</strong> ". This link works once, until "
                            {until} ". Every session of the account ends when the new password is set."
                        </p>
                        {general.map(|text| view! { <p class="notice notice-error" role="alert">{text}</p> })}
                        {(!fields.is_empty()).then(|| view! {
                            <p class="notice notice-error" role="alert">"Please correct the highlighted fields."</p>
                        })}
                        <form class="form" method="post" action=ResetPassword::PATH>
                            <input type="hidden" name="token" value=token.clone()/>
                            // For password managers: the account the new password belongs to.
                            <input type="text" name="username" value=link.username autocomplete="username" hidden readonly/>
                            <PasswordField field=Field::NewPassword label="New password" error=new_error
                                hint=format!("At least {min_chars} characters; not a common password.")/>
                            <PasswordField field=Field::ConfirmNewPassword label="Confirm password" error=confirm_error
                                hint=String::new()/>
                            <button class="button button-primary" type="submit">"Set password"</button>
                        </form>
                    </section>
                }
                .into_any()
            })}
        </Suspense>
    }
}

/// A field for a new password, with its error (from the last post) and a hint.
#[component]
fn PasswordField(field: Field, label: &'static str, error: Option<String>, hint: String) -> impl IntoView {
    let id = field.input_name();
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = [(!hint.is_empty()).then_some(hint_id.clone()), error.is_some().then_some(error_id.clone())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let class = if error.is_some() { "field field-invalid" } else { "field" };
    view! {
        <div class=class>
            <label for=id>{label}</label>
            <input id=id name=id type="password" required autocomplete="new-password"
                aria-invalid=error.is_some().then_some("true")
                aria-describedby=(!described.is_empty()).then_some(described)/>
            {(!hint.is_empty()).then(|| view! { <p class="hint" id=hint_id>{hint}</p> })}
            {error.map(|message| view! { <p class="field-error" id=error_id>{message}</p> })}
        </div>
    }
}

/// Why the link does not open the form: used, replaced or expired, or its account disabled.
#[component]
fn LinkRefused(refusal: AccountError) -> impl IntoView {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        let status = http::StatusCode::from_u16(refusal.status_code()).unwrap_or(http::StatusCode::NOT_FOUND);
        response.set_status(status);
    }
    view! {
        <section class="card" aria-labelledby="reset-heading">
            <h1 id="reset-heading">"This link cannot be used"</h1>
            <p class="notice notice-error" role="alert">{refusal.to_string()}</p>
            <p><a href="/">"Go to the login page"</a></p>
        </section>
    }
}
