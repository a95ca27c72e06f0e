//! `/api/v1/admin/settings`: the settings every replica shares (signup open or closed, the
//! minimum password length, whom a second factor is required of), read by administrators and changed with a fresh password, as in
//! the console.

use app::ssr::{
    AppState,
    accounts::{Setting, SettingState, SettingsChange},
};
use axum::{Json, extract::State};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    admin::administrator,
    errors::ApiError,
    input::{Authenticated, Body, Client},
    json_object::JsonObject,
    shapes::{BadBodyBody, DomainErrorBody, MessageBody, timestamp},
};

/// One setting: the value every replica applies, the command line's, and who set it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettingBody<T> {
    pub value: T,
    /// What the server's command line says; applied while nobody has set the setting.
    pub command_line: T,
    /// `commandLine`, or `set` by an administrator or the operator.
    pub source: String,
    /// Who set it: an administrator's username; absent for the operator or the command line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_on: Option<String>,
}

/// A change of settings: any of them.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code, reason = "describes the request in the OpenAPI document; the handler reads it field by field")]
pub struct SettingsRequest {
    pub signup_open: Option<bool>,
    /// From 8 to 64.
    #[schema(minimum = 8, maximum = 64)]
    pub min_password_length: Option<i64>,
    /// `off`, `administrators` or `everyone`.
    pub require_second_factor: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettingsBody {
    pub signup_open: SettingBody<bool>,
    pub min_password_length: SettingBody<i64>,
    /// Whom a second factor is required of: `off`, `administrators` or `everyone`.
    pub require_second_factor: SettingBody<String>,
}

impl SettingsBody {
    fn of(states: &[SettingState]) -> Self {
        Self {
            signup_open: setting_body(states, Setting::SignupOpen, |text| text == "true"),
            min_password_length: setting_body(states, Setting::MinPasswordLength, |text| {
                text.parse().unwrap_or_default()
            }),
            require_second_factor: setting_body(states, Setting::RequireSecondFactor, str::to_owned),
        }
    }
}

fn setting_body<T>(states: &[SettingState], setting: Setting, read: impl Fn(&str) -> T) -> SettingBody<T> {
    let state = states.iter().find(|state| state.setting == setting);
    let set = state.and_then(|state| state.set.as_ref());
    SettingBody {
        value: read(state.map_or("", |state| state.value.as_str())),
        command_line: read(state.map_or("", |state| state.command_line.as_str())),
        source: if set.is_some() { "set" } else { "commandLine" }.into(),
        set_by: set.and_then(|set| set.by.clone()),
        set_on: set.map(|set| timestamp(set.on)),
    }
}

/// The shared settings and where each value comes from.
#[utoipa::path(get, path = "/admin/settings", operation_id = "admin_settings", tag = "admin", responses(
    (status = 200, body = SettingsBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 403, description = "Not an administrator (`UserPermissionsError`)", body = DomainErrorBody),
))]
pub async fn read(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
) -> Result<Json<SettingsBody>, ApiError> {
    administrator(&state, signed_in.user.user_id).await?;
    Ok(Json(SettingsBody::of(&state.accounts.setting_states().await?)))
}

/// Change shared settings: `{"signupOpen": false, "minPasswordLength": 12,
/// "requireSecondFactor": "administrators"}`, any of them.
/// Every replica applies them within seconds; each change is audited. Needs the password
/// confirmed on this session within 10 minutes (`POST /admin/confirm`).
#[utoipa::path(patch, path = "/admin/settings", operation_id = "admin_change_settings", tag = "admin", request_body = SettingsRequest, responses(
    (status = 200, body = SettingsBody),
    (status = 400, description = "Not a JSON object, an unknown field, or a value of the wrong type or out of range", body = BadBodyBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 403, description = "Not an administrator (`UserPermissionsError`), or the password not confirmed within 10 minutes (`ConfirmationNeededError`)", body = DomainErrorBody),
))]
pub async fn change(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    Client(client): Client,
    Body(body): Body,
) -> Result<Json<SettingsBody>, ApiError> {
    let acting = state.accounts.fresh_administrator(&signed_in).await?;
    let mut object = JsonObject::read(&body, &["signupOpen", "minPasswordLength", "requireSecondFactor"])?;
    let signup_open = object.optional_boolean("signupOpen");
    let length = object.optional_integer("minPasswordLength");
    let second_factor = object.optional_string("requireSecondFactor");
    object.finish()?;
    let values = [
        signup_open.map(|open| (Setting::SignupOpen, open.to_string())),
        length.map(|chars| (Setting::MinPasswordLength, chars.to_string())),
        second_factor.map(|policy| (Setting::RequireSecondFactor, policy)),
    ];
    let change = SettingsChange::parse(values.iter().flatten().map(|(setting, value)| (*setting, value.as_str())))
        .map_err(|(setting, sentence)| {
            let field = match setting {
                Setting::SignupOpen => "signupOpen",
                Setting::MinPasswordLength => "minPasswordLength",
                Setting::RequireSecondFactor => "requireSecondFactor",
            };
            ApiError::invalid_field(field, &sentence)
        })?;
    state.accounts.change_settings(&acting, change, &client).await?;
    Ok(Json(SettingsBody::of(&state.accounts.setting_states().await?)))
}
