//! The account forms: signup, login, and the account page's profile, password change and
//! deletion forms. Each is a `CheckedForm` given its fields, the `domain` parse the server runs
//! too, and the server function to call.

use leptos::prelude::*;

use super::form_kit::{CheckedForm, FieldSpec, FieldValues};
use crate::{
    domain::{self, Field, FieldErrors, PasswordPolicy},
    error::AccountError,
    server_fns::{ChangePassword, DeleteAccount, LogIn, Register, RenewPassword, UpdateProfile},
};

/// The signup form.
#[island]
pub fn RegisterForm(min_password_chars: usize, initial_error: Option<AccountError>) -> impl IntoView {
    let policy = PasswordPolicy { min_chars: min_password_chars };
    let form = |values: &FieldValues| domain::RegisterForm {
        username: values.get(Field::Username),
        email: values.get(Field::Email),
        password: values.get(Field::Password),
        confirm_password: values.get(Field::ConfirmPassword),
    };
    view! {
        <CheckedForm
            action={ServerAction::<Register>::new()}
            fields={vec![
                FieldSpec::new(Field::Username, "Username", "text", "username"),
                FieldSpec::new(Field::Email, "Email address", "email", "email"),
                FieldSpec::new(Field::Password, "Password", "password", "new-password"),
                FieldSpec::new(Field::ConfirmPassword, "Confirm password", "password", "new-password"),
            ]}
            check={move |values| form(values).parse(policy).err().unwrap_or_default()}
            to_request={move |values| {
                let f = form(&values);
                Register { username: f.username, email: f.email, password: f.password, confirm_password: f.confirm_password }
            }}
            submit_label="Register"
            pending_label="Registering…"
            initial_error
        />
    }
}

/// The login form.
#[island]
pub fn LoginForm(initial_error: Option<AccountError>) -> impl IntoView {
    let form = |values: &FieldValues| domain::LoginForm {
        username: values.get(Field::Username),
        password: values.get(Field::Password),
    };
    view! {
        <CheckedForm
            action={ServerAction::<LogIn>::new()}
            fields={vec![
                // `webauthn`: the browser may offer saved passkeys here (`public/passkeys.js`).
                FieldSpec::new(Field::Username, "Username", "text", "username webauthn"),
                FieldSpec::new(Field::Password, "Password", "password", "current-password"),
            ]}
            check={move |values| form(values).parse().err().unwrap_or_default()}
            to_request={move |values| {
                let f = form(&values);
                LogIn { username: f.username, password: f.password }
            }}
            submit_label="Log in"
            pending_label="Logging in…"
            initial_error
        />
    }
}

/// The account page's username and email form, filled with the current values.
#[island]
pub fn ProfileForm(username: String, email: String, initial_error: Option<AccountError>) -> impl IntoView {
    let form = |values: &FieldValues| domain::ProfileForm {
        username: values.get(Field::Username),
        email: values.get(Field::Email),
    };
    view! {
        <CheckedForm
            action={ServerAction::<UpdateProfile>::new()}
            fields={vec![
                FieldSpec::new(Field::Username, "Username", "text", "username").with_value(username),
                FieldSpec::new(Field::Email, "Email address", "email", "email").with_value(email),
            ]}
            check={move |values| form(values).parse().err().unwrap_or_default()}
            to_request={move |values| {
                let f = form(&values);
                UpdateProfile { username: f.username, email: f.email }
            }}
            submit_label="Save changes"
            pending_label="Saving…"
            initial_error
        />
    }
}

/// The password change form.
#[island]
pub fn ChangePasswordForm(
    username: String,
    email: String,
    min_password_chars: usize,
    initial_error: Option<AccountError>,
) -> impl IntoView {
    let policy = PasswordPolicy { min_chars: min_password_chars };
    let form = |values: &FieldValues| domain::PasswordChangeForm {
        old_password: values.get(Field::OldPassword),
        new_password: values.get(Field::NewPassword),
        confirm_new_password: values.get(Field::ConfirmNewPassword),
    };
    view! {
        <CheckedForm
            action={ServerAction::<ChangePassword>::new()}
            fields={vec![
                FieldSpec::new(Field::OldPassword, "Current password", "password", "current-password"),
                FieldSpec::new(Field::NewPassword, "New password", "password", "new-password"),
                FieldSpec::new(Field::ConfirmNewPassword, "Confirm new password", "password", "new-password"),
            ]}
            check={move |values| form(values).parse(policy, &username, &email).err().unwrap_or_default()}
            to_request={move |values| {
                let f = form(&values);
                ChangePassword {
                    old_password: f.old_password,
                    new_password: f.new_password,
                    confirm_new_password: f.confirm_new_password,
                }
            }}
            submit_label="Change password"
            pending_label="Changing…"
            initial_error
        />
    }
}

/// The form that renews an expired password: the username (filled in from the login), the
/// current password and the new one twice.
#[island]
pub fn RenewPasswordForm(
    username: String,
    min_password_chars: usize,
    initial_error: Option<AccountError>,
) -> impl IntoView {
    let policy = PasswordPolicy { min_chars: min_password_chars };
    let form = |values: &FieldValues| domain::PasswordChangeForm {
        old_password: values.get(Field::OldPassword),
        new_password: values.get(Field::NewPassword),
        confirm_new_password: values.get(Field::ConfirmNewPassword),
    };
    view! {
        <CheckedForm
            action={ServerAction::<RenewPassword>::new()}
            fields={vec![
                FieldSpec::new(Field::Username, "Username", "text", "username").with_value(username),
                FieldSpec::new(Field::OldPassword, "Current password", "password", "current-password"),
                FieldSpec::new(Field::NewPassword, "New password", "password", "new-password"),
                FieldSpec::new(Field::ConfirmNewPassword, "Confirm new password", "password", "new-password"),
            ]}
            check={move |values| {
                let username: String = values.get(Field::Username);
                let mut errors = form(values).parse(policy, &username, "").err().unwrap_or_default();
                if username.trim().is_empty() {
                    errors.insert(Field::Username, domain::REQUIRED);
                }
                errors
            }}
            to_request={move |values| {
                let f = form(&values);
                RenewPassword {
                    username: values.get(Field::Username),
                    old_password: f.old_password,
                    new_password: f.new_password,
                    confirm_new_password: f.confirm_new_password,
                }
            }}
            submit_label="Renew password"
            pending_label="Renewing…"
            initial_error
        />
    }
}

/// The account deletion form: the password confirms it.
#[island]
pub fn DeleteAccountForm(initial_error: Option<AccountError>) -> impl IntoView {
    view! {
        <CheckedForm
            action={ServerAction::<DeleteAccount>::new()}
            fields={vec![FieldSpec::new(Field::Password, "Password", "password", "current-password")]}
            check={|values: &FieldValues| {
                if values.get::<String>(Field::Password).is_empty() {
                    FieldErrors::single(Field::Password, domain::REQUIRED)
                } else {
                    FieldErrors::new()
                }
            }}
            to_request={|values: FieldValues| DeleteAccount { password: values.get(Field::Password) }}
            submit_label="Delete account"
            pending_label="Deleting…"
            danger=true
            initial_error
        />
    }
}
