//! The interactive parts of the pages: the only components that ship to the browser as WASM.
//!
//! Each form is a plain `<form method="post">` aimed at its server function, so it works before
//! the WASM arrives and with JavaScript off. Once hydrated, the island checks each field with the
//! shared `domain` rules as the user leaves it, refuses to send a form it knows is invalid, and
//! submits through `fetch`, showing the server's answer in place.
//!
//! Four parts: `form_kit` (`CheckedForm`, the machinery every form island is built on),
//! `account_forms` (the signup, login and account page forms), `user_menu`, and `member_search`
//! (a group page's search for accounts to add, with results as the admin types). An island's name
//! and props are written into the server's HTML for the browser to find and hydrate, so they stay
//! as they are wherever the code lives.

mod account_forms;
mod form_kit;
mod member_search;
mod user_menu;

use leptos::prelude::*;

pub use self::{
    account_forms::{ChangePasswordForm, DeleteAccountForm, LoginForm, ProfileForm, RegisterForm, RenewPasswordForm},
    member_search::MemberSearch,
    user_menu::UserMenu,
};

/// Present (as `data-hydrated`) once the island runs in the browser. Effects never run on the
/// server, so the server-rendered HTML lacks it; tests wait for it before clicking.
fn hydration_marker() -> impl Fn() -> Option<&'static str> + Copy {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    move || hydrated.get().then_some("")
}
