//! `/admin/settings`: the settings every replica shares (signup open or closed, the minimum
//! password length), each with where its value comes from: the command line, or the
//! administrator who set it. Saved with the administrator's password when the session's is not
//! fresh, like every administrative act.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{AdminNav, Section, administrator};
use crate::{
    pages::{error_from_url, not_found::NotFound},
    server_fns::SaveSettings,
    ssr::accounts::{MIN_PASSWORD_CHARS, SETTINGS_REFRESH, Setting, SettingState, confirmed_recently},
};

#[component]
pub fn AdminSettingsPage() -> impl IntoView {
    let saved = use_query_map().with_untracked(|q| q.get("saved").and_then(|n| n.parse::<usize>().ok()));
    let error = error_from_url(SaveSettings::PATH);
    view! {
        <Title text="Settings · Administration"/>
        <Suspense>
            {Suspend::new(async move {
                let Some(signed_in) = administrator() else { return view! { <NotFound/> }.into_any() };
                let states = crate::ssr::accounts().setting_states().await;
                let (states, load_error) = match states {
                    Ok(states) => (states, None),
                    Err(error) => (Vec::new(), Some(error.to_string())),
                };
                let state = |setting: Setting| states.iter().find(|state| state.setting == setting).cloned();
                let (Some(signup), Some(length), Some(second_factor)) =
                    (state(Setting::SignupOpen), state(Setting::MinPasswordLength), state(Setting::RequireSecondFactor))
                else {
                    return view! {
                        <section class="card" aria-labelledby="settings-heading">
                            <h1 id="settings-heading">"Settings"</h1>
                            <AdminNav current=Section::Settings/>
                            <p class="notice notice-error" role="alert">{load_error}</p>
                        </section>
                    }.into_any();
                };
                let notice = saved.map(|count| match count {
                    0 => "Nothing changed: every setting already had that value.".to_owned(),
                    1 => "Saved: the change applies on every replica within seconds.".to_owned(),
                    _ => "Saved: the changes apply on every replica within seconds.".to_owned(),
                });
                let open = signup.value == "true";
                let fresh = confirmed_recently(&signed_in);
                let refresh_secs = SETTINGS_REFRESH.as_secs();
                view! {
                    <section class="card" aria-labelledby="settings-heading">
                        <h1 id="settings-heading">"Settings"</h1>
                        <AdminNav current=Section::Settings/>
                        {notice.map(|text| view! { <p class="notice notice-success" role="status">{text}</p> })}
                        {error.map(|error| view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> })}
                        <p class="card-lead">
                            {format!("Every replica of the deployment applies these within {refresh_secs} seconds, \
                                      without a restart. Each change is written to the audit trail.")}
                        </p>
                        <form class="form" method="post" action=SaveSettings::PATH>
                            <input type="hidden" name="signup_open_was" value=signup.value.clone()/>
                            <input type="hidden" name="min_password_length_was" value=length.value.clone()/>
                            <input type="hidden" name="require_second_factor_was" value=second_factor.value.clone()/>
                            <fieldset class="choice" aria-describedby="signup-source">
                                <legend>"Signup"</legend>
                                <label><input type="radio" name="signup_open" value="true" checked=open/>
                                    " Open: visitors create their own accounts"</label>
                                <label><input type="radio" name="signup_open" value="false" checked=!open/>
                                    " Closed: only the operator creates accounts"</label>
                                <SettingSource state=signup id="signup-source"/>
                            </fieldset>
                            <div class="field">
                                <label for="min-password-length">"Minimum password length"</label>
                                // No min or max: a command line's length outside them must not stop
                                // the form from saving the other setting; the server checks.
                                <input id="min-password-length" name="min_password_length" type="number" required
                                    inputmode="numeric" value=length.value.clone()
                                    aria-describedby="length-help length-source"/>
                                <p class="hint" id="length-help">
                                    {format!("From {} to {} characters. New passwords only: those already set stay valid.",
                                        MIN_PASSWORD_CHARS.start(), MIN_PASSWORD_CHARS.end())}
                                </p>
                                <SettingSource state=length.clone() id="length-source"/>
                            </div>
                            <SecondFactorChoice state=second_factor/>
                            {(!fresh).then(|| view! {
                                <div class="field">
                                    <label for="confirm-password">"Password"</label>
                                    <input id="confirm-password" name="password" type="password" required
                                        autocomplete="current-password" aria-describedby="confirm-help"/>
                                    <p class="hint" id="confirm-help">
                                        "Administrative changes need your password typed within the last 10 minutes."
                                    </p>
                                </div>
                            })}
                            <button class="button button-primary" type="submit">"Save settings"</button>
                        </form>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

/// Whom a second factor is required of: none, administrators, everyone.
#[component]
fn SecondFactorChoice(state: SettingState) -> impl IntoView {
    let choices = [
        ("off", " Nobody: each person chooses"),
        ("administrators", " Administrators: those who manage the public group"),
        ("everyone", " Everyone"),
    ];
    let current = state.value.clone();
    view! {
        <fieldset class="choice" aria-describedby="second-factor-help second-factor-source">
            <legend>"Second factor required of"</legend>
            {choices.into_iter().map(|(value, label)| view! {
                <label><input type="radio" name="require_second_factor" value=value checked=current == value/>{label}</label>
            }).collect_view()}
            <p class="hint" id="second-factor-help">
                "Someone it covers who has neither an authenticator app nor a passkey is led to set one up right "
                "after logging in, before anything else; their scripts' REST API calls are refused until then. That "
                "includes you, if you have neither."
            </p>
            <SettingSource state id="second-factor-source"/>
        </fieldset>
    }
}

/// Where a setting's value comes from, in a sentence: the command line (which flag), or who set
/// it and when (in the viewer's time zone, with `console.js`), with what the command line says.
#[component]
fn SettingSource(state: SettingState, id: &'static str) -> impl IntoView {
    let command_line = match (state.setting, state.command_line.as_str()) {
        (Setting::SignupOpen, "true") => format!("open (no {})", state.setting.flag()),
        (Setting::SignupOpen, _) => format!("closed ({})", state.setting.flag()),
        (Setting::MinPasswordLength, chars) => format!("{chars} ({})", state.setting.flag()),
        (Setting::RequireSecondFactor, policy) => format!("{policy} ({})", state.setting.flag()),
    };
    match state.set {
        None => view! { <p class="hint" id=id>{format!("From the command line: {command_line}.")}</p> }.into_any(),
        Some(set) => {
            let by = set.by.unwrap_or_else(|| "the operator".to_owned());
            view! {
                <p class="hint" id=id>
                    {format!("Set by {by} on ")}
                    <time datetime=set.on.to_rfc3339() data-local="">{set.on.to_minute_utc()}</time>
                    {format!("; the command line says {command_line}.")}
                </p>
            }
            .into_any()
        }
    }
}
