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
    server_fns::{ChangePassword, DeleteAccount, LogIn, LogOut, Register, UpdateProfile},
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
                FieldSpec::new(Field::Username, "Username", "text", "username"),
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

/// The account deletion form: the password confirms it.
#[island]
pub fn DeleteAccountForm(initial_error: Option<AccountError>) -> impl IntoView {
    view! {
        <CheckedForm
            action={ServerAction::<DeleteAccount>::new()}
            fields={vec![FieldSpec::new(Field::Password, "Password", "password", "current-password")]}
            check={|values: &FieldValues| {
                if values.get(Field::Password).is_empty() {
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

/// One input of a form island.
#[derive(Clone)]
struct FieldSpec {
    field: Field,
    label: &'static str,
    input_type: &'static str,
    autocomplete: &'static str,
    value: String,
}

impl FieldSpec {
    fn new(field: Field, label: &'static str, input_type: &'static str, autocomplete: &'static str) -> Self {
        Self { field, label, input_type, autocomplete, value: String::new() }
    }

    fn with_value(self, value: String) -> Self {
        Self { value, ..self }
    }
}

/// What is typed in a form, by field.
#[derive(Clone, Default)]
struct FieldValues(Vec<(Field, String)>);

impl FieldValues {
    fn get(&self, field: Field) -> String {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, v)| v.clone()).unwrap_or_default()
    }
}

/// Every form island is one of these: inputs bound to signals, the shared `domain` checks run
/// as each field is left and again on submit (an invalid form is never sent), the server's
/// errors at their fields, and a button that shows progress and cannot submit twice.
#[component]
fn CheckedForm<S, C, B>(
    action: ServerAction<S>,
    fields: Vec<FieldSpec>,
    /// The client-side checks: the same `domain` parse the server runs.
    check: C,
    /// The server function's arguments from the values.
    to_request: B,
    submit_label: &'static str,
    pending_label: &'static str,
    initial_error: Option<AccountError>,
    /// A destructive action: a red button.
    #[prop(optional)]
    danger: bool,
) -> impl IntoView
where
    S: ServerFn<Output = (), Error = AccountError> + Clone + Send + Sync + 'static,
    C: Fn(&FieldValues) -> FieldErrors + Clone + Send + Sync + 'static,
    B: Fn(FieldValues) -> S + Clone + Send + Sync + 'static,
{
    let state = FormState::new(initial_error);
    state.follow(action.value());
    let inputs: Vec<(FieldSpec, RwSignal<String>)> =
        fields.into_iter().map(|spec| (spec.clone(), RwSignal::new(spec.value))).collect();
    let signals: Vec<(Field, RwSignal<String>)> = inputs.iter().map(|(spec, value)| (spec.field, *value)).collect();
    let values = {
        let signals = signals.clone();
        move || FieldValues(signals.iter().map(|(field, value)| (*field, value.get())).collect())
    };
    let client_errors = {
        let (values, check) = (values.clone(), check.clone());
        Memo::new(move |_| check(&values()))
    };
    let all_fields: Vec<Field> = signals.iter().map(|(field, _)| *field).collect();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        state.touch_all(&all_fields);
        if !client_errors.with_untracked(FieldErrors::is_empty) {
            let form = ev.target().and_then(|t| leptos::wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok());
            focus_first_invalid_field(form);
            return;
        }
        state.clear_server_errors();
        action.dispatch(to_request(untrack(&values)));
    };
    let button_class = if danger { "button button-danger" } else { "button button-primary" };
    let password_fields = inputs.iter().filter(|(spec, _)| spec.input_type == "password").count();
    let reveal = RwSignal::new(false);
    let hydrated = hydration_marker();
    view! {
        <form class="form" method="post" action=S::PATH novalidate on:submit=on_submit
            data-island="" data-hydrated=hydrated>
            <FormError state/>
            {inputs.into_iter().map(|(spec, value)| {
                let field = spec.field;
                view! {
                    <TextField spec value reveal error=state.error_for(field, client_errors)
                        on_leave=move || state.touch(field) on_edit=move || state.forget_server_error(field)/>
                }
            }).collect_view()}
            // Showing what was typed needs the script, so the switch appears once it runs.
            {(password_fields > 0).then(|| view! {
                <label class="reveal" hidden=move || hydrated().is_none()>
                    <input type="checkbox" on:change=move |ev| reveal.set(event_target_checked(&ev))/>
                    {if password_fields == 1 { "Show password" } else { "Show passwords" }}
                </label>
            })}
            <SubmitButton pending=action.pending() label=submit_label pending_label button_class/>
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
    let account_item = NodeRef::<html::A>::new();
    let logout_item = NodeRef::<html::Button>::new();

    let open_menu = move || {
        open.set(true);
        // The item is hidden until the next render; focus it once it is visible.
        request_animation_frame(move || {
            if let Some(item) = account_item.get_untracked() {
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
    // Arrow keys, Home and End move between the two items, as in any menu.
    let focus_item = move |last: bool| {
        let target: Option<web_sys::HtmlElement> = if last {
            logout_item.get_untracked().map(Into::into)
        } else {
            account_item.get_untracked().map(Into::into)
        };
        if let Some(item) = target {
            _ = item.focus();
        }
    };
    let on_menu_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let on_last = logout_item
            .get_untracked()
            .zip(document().active_element())
            .is_some_and(|(item, active)| web_sys::Element::from(item) == active);
        match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                close_menu(true);
            }
            "ArrowDown" | "ArrowUp" => {
                ev.prevent_default();
                focus_item(!on_last);
            }
            "Home" | "End" => {
                ev.prevent_default();
                focus_item(ev.key() == "End");
            }
            "Tab" => close_menu(false),
            _ => {}
        }
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
                <a class="menu-item" href="/account" role="menuitem" tabindex="-1" node_ref=account_item>
                    "Account"
                </a>
                // The item submits the form below, which sits outside the menu so that the menu
                // holds nothing but menu items.
                <button class="menu-item menu-item-logout" type="submit" form="logout-form" role="menuitem" tabindex="-1" node_ref=logout_item>
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
        // Errors about one password belong next to that password's field.
        let at_field = |field, error: AccountError| FieldErrors::single(field, error.to_string());
        match error {
            AccountError::Invalid(fields) | AccountError::Taken(fields) => self.server_fields.set(fields),
            AccountError::WrongPassword => self.server_fields.set(at_field(Field::Password, error)),
            AccountError::WrongCurrentPassword => self.server_fields.set(at_field(Field::OldPassword, error)),
            AccountError::PasswordUnchanged => self.server_fields.set(at_field(Field::NewPassword, error)),
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
    spec: FieldSpec,
    value: RwSignal<String>,
    /// Shows password fields as plain text.
    reveal: RwSignal<bool>,
    error: Signal<Option<String>>,
    on_leave: impl Fn() + 'static,
    on_edit: impl Fn() + 'static,
) -> impl IntoView {
    let name = spec.field.input_name();
    let id = format!("field-{name}");
    let input_type = spec.input_type;
    let shown_type = move || if input_type == "password" && reveal.get() { "text" } else { input_type };
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label for=id.clone()>{spec.label}</label>
            <input
                id=id
                name=name
                type=shown_type
                autocomplete=spec.autocomplete
                aria-required="true"
                aria-invalid=move || error.with(Option::is_some).to_string()
                aria-describedby=error_id.clone()
                // The attribute fills the field before hydration (and without JavaScript).
                value=spec.value
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
    button_class: &'static str,
) -> impl IntoView {
    view! {
        <button class=button_class type="submit" disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
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

/// Moves focus to the first field of `form` marked invalid, once the marks are rendered.
fn focus_first_invalid_field(form: Option<web_sys::Element>) {
    let Some(form) = form else { return };
    request_animation_frame(move || {
        let first = form.query_selector("[aria-invalid='true']").ok().flatten();
        if let Some(element) =
            first.and_then(|e| leptos::wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            _ = element.focus();
        }
    });
}
