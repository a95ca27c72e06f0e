//! The form kit: `CheckedForm`, the one component every form island is, and its parts (the
//! fields, the form's error state, the message about the whole form, the submit button).

use leptos::{ev::SubmitEvent, prelude::*, server_fn::ServerFn};

use super::hydration_marker;
use crate::{
    domain::{Field, FieldErrors},
    error::AccountError,
};

/// One input of a form island.
#[derive(Clone)]
pub(super) struct FieldSpec {
    field: Field,
    label: &'static str,
    input_type: &'static str,
    autocomplete: &'static str,
    value: String,
}

impl FieldSpec {
    pub(super) fn new(field: Field, label: &'static str, input_type: &'static str, autocomplete: &'static str) -> Self {
        Self { field, label, input_type, autocomplete, value: String::new() }
    }

    pub(super) fn with_value(self, value: String) -> Self {
        Self { value, ..self }
    }
}

/// What is typed in a form, by field.
#[derive(Clone, Default)]
pub(super) struct FieldValues(Vec<(Field, String)>);

impl FieldValues {
    /// The field's text as the type the form wants (`String`, or `TypedPassword` for passwords).
    pub(super) fn get<T: From<String>>(&self, field: Field) -> T {
        T::from(self.0.iter().find(|(f, _)| *f == field).map(|(_, v)| v.clone()).unwrap_or_default())
    }
}

/// Every form island is one of these: inputs bound to signals, the shared `domain` checks run
/// as each field is left and again on submit (an invalid form is never sent), the server's
/// errors at their fields, and a button that shows progress and cannot submit twice.
#[component]
pub(super) fn CheckedForm<S, C, B>(
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
