//! The interactive parts of the pages: the only components that ship to the browser as WASM.
//!
//! Each form is a plain `<form method="post">` aimed at its server function, so it works before
//! the WASM arrives and with JavaScript off. Once hydrated, the island checks each field with the
//! shared `domain` rules as the user leaves it, refuses to send a form it knows is invalid, and
//! submits through `fetch`, showing the server's answer in place.

use leptos::{ev::SubmitEvent, html, prelude::*, server_fn::ServerFn};

use crate::{
    domain::{self, Field, FieldErrors, PasswordPolicy},
    error::AccountError,
    server_fns::{LogIn, LogOut, Register},
};

/// The signup form.
#[island]
pub fn RegisterForm(min_password_chars: usize, initial_error: Option<AccountError>) -> impl IntoView {
    let policy = PasswordPolicy { min_chars: min_password_chars };
    let action = ServerAction::<Register>::new();
    let state = FormState::new(initial_error);
    state.follow(action.value());

    let username = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm_password = RwSignal::new(String::new());
    let current = move || domain::RegisterForm {
        username: username.get(),
        email: email.get(),
        password: password.get(),
        confirm_password: confirm_password.get(),
    };
    let client_errors = Memo::new(move |_| current().parse(policy).err().unwrap_or_default());

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        state.touch_all(&[Field::Username, Field::Email, Field::Password, Field::ConfirmPassword]);
        if !client_errors.with_untracked(FieldErrors::is_empty) {
            focus_first_invalid_field();
            return;
        }
        state.clear_server_errors();
        let form = untrack(current);
        action.dispatch(Register {
            username: form.username,
            email: form.email,
            password: form.password,
            confirm_password: form.confirm_password,
        });
    };

    let field = move |field, label, input_type, autocomplete, value| {
        view! {
            <TextField field label input_type autocomplete value error=state.error_for(field, client_errors)
                on_leave=move || state.touch(field) on_edit=move || state.forget_server_error(field)/>
        }
    };
    view! {
        <form class="form" method="post" action=Register::PATH novalidate on:submit=on_submit
            data-island="" data-hydrated=hydration_marker()>
            <FormError state/>
            {field(Field::Username, "Username", "text", "username", username)}
            {field(Field::Email, "Email address", "email", "email", email)}
            {field(Field::Password, "Password", "password", "new-password", password)}
            {field(Field::ConfirmPassword, "Confirm password", "password", "new-password", confirm_password)}
            <SubmitButton pending=action.pending() label="Register" pending_label="Registering…"/>
        </form>
    }
}

/// The login form.
#[island]
pub fn LoginForm(initial_error: Option<AccountError>) -> impl IntoView {
    let action = ServerAction::<LogIn>::new();
    let state = FormState::new(initial_error);
    state.follow(action.value());

    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let current = move || domain::LoginForm { username: username.get(), password: password.get() };
    let client_errors = Memo::new(move |_| current().parse().err().unwrap_or_default());

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        state.touch_all(&[Field::Username, Field::Password]);
        if !client_errors.with_untracked(FieldErrors::is_empty) {
            focus_first_invalid_field();
            return;
        }
        state.clear_server_errors();
        let form = untrack(current);
        action.dispatch(LogIn { username: form.username, password: form.password });
    };

    let field = move |field, label, input_type, autocomplete, value| {
        view! {
            <TextField field label input_type autocomplete value error=state.error_for(field, client_errors)
                on_leave=move || state.touch(field) on_edit=move || state.forget_server_error(field)/>
        }
    };
    view! {
        <form class="form" method="post" action=LogIn::PATH novalidate on:submit=on_submit
            data-island="" data-hydrated=hydration_marker()>
            <FormError state/>
            {field(Field::Username, "Username", "text", "username", username)}
            {field(Field::Password, "Password", "password", "current-password", password)}
            <SubmitButton pending=action.pending() label="Log in" pending_label="Logging in…"/>
        </form>
    }
}

/// The username in the top-right corner, and the menu it opens.
///
/// Follows the WAI-ARIA menu button pattern: `aria-expanded` on the button; Enter, Space or
/// Arrow Down open the menu and focus its first item; Escape closes it and returns focus to the
/// button, as does a click anywhere outside.
#[island]
pub fn UserMenu(username: String) -> impl IntoView {
    let open = RwSignal::new(false);
    let container = NodeRef::<html::Div>::new();
    let button = NodeRef::<html::Button>::new();
    let first_item = NodeRef::<html::Button>::new();

    let open_menu = move || {
        open.set(true);
        // The item is hidden until the next render; focus it once it is visible.
        request_animation_frame(move || {
            if let Some(item) = first_item.get_untracked() {
                _ = item.focus();
            }
        });
    };
    let close_menu = move |return_focus: bool| {
        open.set(false);
        if return_focus && let Some(button) = button.get_untracked() {
            _ = button.focus();
        }
    };

    let outside_clicks = window_event_listener(leptos::ev::pointerdown, move |ev| {
        if !open.get_untracked() {
            return;
        }
        let target = ev.target().and_then(|t| leptos::wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(t).ok());
        let inside = container.get_untracked().is_some_and(|c| c.contains(target.as_ref()));
        if !inside {
            close_menu(false);
        }
    });
    on_cleanup(move || outside_clicks.remove());

    let on_button_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if matches!(ev.key().as_str(), "Enter" | " " | "ArrowDown") {
            ev.prevent_default();
            open_menu();
        }
    };
    let on_menu_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            close_menu(true);
        }
        "Tab" => close_menu(false),
        _ => {}
    };
    let initial = username.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default();

    view! {
        <div class="user-menu" node_ref=container data-island="" data-hydrated=hydration_marker()>
            <button
                id="user-menu-button"
                class="user-menu-button"
                type="button"
                aria-haspopup="menu"
                aria-controls="user-menu"
                aria-expanded=move || open.get().to_string()
                node_ref=button
                on:click=move |_| if open.get_untracked() { close_menu(false) } else { open_menu() }
                on:keydown=on_button_keydown
            >
                <span class="avatar" aria-hidden="true">{initial}</span>
                <span class="user-menu-name">{username}</span>
                <svg class="chevron" aria-hidden="true" viewBox="0 0 12 12" width="12" height="12">
                    <path d="M2 4l4 4 4-4" fill="none" stroke="currentColor" stroke-width="1.5"/>
                </svg>
            </button>
            <div
                id="user-menu"
                class="user-menu-list"
                role="menu"
                aria-labelledby="user-menu-button"
                hidden=move || !open.get()
                on:keydown=on_menu_keydown
            >
                // The item submits the form below, which sits outside the menu so that the menu
                // holds nothing but menu items.
                <button class="menu-item" type="submit" form="logout-form" role="menuitem" tabindex="-1" node_ref=first_item>
                    "Log out"
                </button>
            </div>
            <form id="logout-form" method="post" action=LogOut::PATH hidden></form>
        </div>
    }
}

/// The error state of a form: which fields the user has left (only those show client-side
/// errors, so nobody is scolded for a field not yet reached) and what the server last said.
#[derive(Clone, Copy)]
struct FormState {
    touched: RwSignal<Vec<Field>>,
    server_fields: RwSignal<FieldErrors>,
    /// A message about the whole form (wrong password, server unreachable).
    message: RwSignal<Option<String>>,
}

impl FormState {
    fn new(initial_error: Option<AccountError>) -> Self {
        let state = Self {
            touched: RwSignal::new(Vec::new()),
            server_fields: RwSignal::new(FieldErrors::new()),
            message: RwSignal::new(None),
        };
        if let Some(error) = initial_error {
            state.show(error);
        }
        state
    }

    fn show(&self, error: AccountError) {
        match error {
            AccountError::Invalid(fields) | AccountError::Taken(fields) => self.server_fields.set(fields),
            other => self.message.set(Some(other.to_string())),
        }
    }

    /// Shows each error the server function answers with.
    fn follow(self, value: impl Get<Value = Option<Result<(), AccountError>>> + Send + Sync + 'static) {
        Effect::new(move |_| {
            if let Some(Err(error)) = value.get() {
                self.show(error);
            }
        });
    }

    fn touch(&self, field: Field) {
        if !self.touched.with_untracked(|t| t.contains(&field)) {
            self.touched.update(|t| t.push(field));
        }
    }

    fn touch_all(&self, fields: &[Field]) {
        fields.iter().for_each(|field| self.touch(*field));
    }

    fn clear_server_errors(&self) {
        self.server_fields.set(FieldErrors::new());
        self.message.set(None);
    }

    /// Once the user edits a field the server complained about, the complaint no longer applies.
    fn forget_server_error(&self, field: Field) {
        if self.server_fields.with_untracked(|e| e.get(field).is_some()) {
            self.server_fields.update(|e| e.remove(field));
        }
    }

    fn error_for(self, field: Field, client_errors: Memo<FieldErrors>) -> Signal<Option<String>> {
        Signal::derive(move || {
            let client = self
                .touched
                .with(|t| t.contains(&field))
                .then(|| client_errors.with(|e| e.get(field).map(str::to_owned)))
                .flatten();
            client.or_else(|| self.server_fields.with(|e| e.get(field).map(str::to_owned)))
        })
    }
}

/// A labelled input with its error underneath, linked for screen readers.
#[component]
fn TextField(
    field: Field,
    label: &'static str,
    input_type: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
    on_leave: impl Fn() + 'static,
    on_edit: impl Fn() + 'static,
) -> impl IntoView {
    let name = field.input_name();
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=input_type
                autocomplete=autocomplete
                aria-required="true"
                aria-invalid=move || error.with(Option::is_some).to_string()
                aria-describedby=error_id.clone()
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    on_edit();
                }
                on:blur=move |_| on_leave()
            />
            <p class="field-error" id=error_id>{move || error.get()}</p>
        </div>
    }
}

/// The message about the whole form, announced to screen readers when it appears.
#[component]
fn FormError(state: FormState) -> impl IntoView {
    view! {
        <div class="notice notice-error" role="alert" hidden=move || state.message.with(Option::is_none)>
            {move || state.message.get()}
        </div>
    }
}

/// A submit button that shows progress and cannot send the form twice.
#[component]
fn SubmitButton(
    #[prop(into)] pending: Signal<bool>,
    label: &'static str,
    pending_label: &'static str,
) -> impl IntoView {
    view! {
        <button class="button button-primary" type="submit" disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
            {move || if pending.get() { pending_label } else { label }}
        </button>
    }
}

/// Present (as `data-hydrated`) once the island runs in the browser. Effects never run on the
/// server, so the server-rendered HTML lacks it; tests wait for it before clicking.
fn hydration_marker() -> impl Fn() -> Option<&'static str> + Copy {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    move || hydrated.get().then_some("")
}

fn focus_first_invalid_field() {
    request_animation_frame(|| {
        let first = document().query_selector("form [aria-invalid='true']").ok().flatten();
        if let Some(element) =
            first.and_then(|e| leptos::wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            _ = element.focus();
        }
    });
}
