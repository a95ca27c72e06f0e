//! `/register`: the signup form, or word that signup is closed on this deployment.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;

use super::error_from_url;
use crate::{islands::RegisterForm, server_fns::Register};

#[component]
pub fn RegisterPage() -> impl IntoView {
    let accounts = crate::ssr::accounts();
    let (min_password_chars, signup_open) = (accounts.password_policy().min_chars, accounts.signup_open());
    let initial_error = error_from_url(Register::PATH);
    let body = if signup_open {
        view! {
            <p class="card-lead">"Register a new user account."</p>
            <RegisterForm min_password_chars initial_error/>
        }
        .into_any()
    } else {
        view! {
            <p class="card-lead" role="status">
                "Signup is closed on this deployment. Ask an administrator of this Dioptra deployment to create \
                 your account."
            </p>
        }
        .into_any()
    };
    view! {
        <Title text="Register"/>
        <section class="card" aria-labelledby="register-heading">
            <h1 id="register-heading">"Register"</h1>
            {body}
            <p class="card-footer">"Go back to the " <a href="/">"Login"</a> " page."</p>
        </section>
    }
}
