//! Settings that administrators change while the deployment runs, shared by its replicas:
//! whether visitors may sign up, the minimum length of a new password, and whom a second factor
//! is required of. Each is a row of `settings` once an administrator (or the operator) sets it;
//! until then the server's command line decides (`--disable-signup`, `--min-password-length`,
//! `--require-second-factor`). Every replica keeps the values in
//! memory, so the checks that need them read no database: a change applies at once on the
//! replica that made it, and on the others when they next read the table (every few seconds).

use std::{ops::RangeInclusive, time::Duration};

use super::{Accounts, Acting, AuditEvent, ClientInfo, SecondFactorPolicy};
use crate::{
    domain::PasswordPolicy,
    error::AccountError,
    ssr::{
        clock::{Micros, now_micros},
        db::on_pool,
    },
};

/// How often a replica reads the settings again.
pub const SETTINGS_REFRESH: Duration = Duration::from_secs(5);

/// The minimum password lengths an administrator may choose: never below 8 (NIST SP 800-63B-4),
/// never so long that people cannot remember one.
pub const MIN_PASSWORD_CHARS: RangeInclusive<usize> = 8..=64;

/// A setting administrators may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    SignupOpen,
    MinPasswordLength,
    RequireSecondFactor,
}

impl Setting {
    pub const ALL: [Setting; 3] = [Setting::SignupOpen, Setting::MinPasswordLength, Setting::RequireSecondFactor];

    /// Its name in the `settings` table, the audit trail and the operator's command.
    pub fn name(self) -> &'static str {
        match self {
            Setting::SignupOpen => "signup_open",
            Setting::MinPasswordLength => "min_password_length",
            Setting::RequireSecondFactor => "require_second_factor",
        }
    }

    /// Its name in the operator's `settings set`.
    pub fn command_name(self) -> &'static str {
        match self {
            Setting::SignupOpen => "signup-open",
            Setting::MinPasswordLength => "min-password-length",
            Setting::RequireSecondFactor => "require-second-factor",
        }
    }

    /// The command-line flag that decides it until it is set.
    pub fn flag(self) -> &'static str {
        match self {
            Setting::SignupOpen => "--disable-signup",
            Setting::MinPasswordLength => "--min-password-length",
            Setting::RequireSecondFactor => "--require-second-factor",
        }
    }
}

/// The values every replica applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiveSettings {
    pub signup_open: bool,
    pub min_password_chars: usize,
    pub require_second_factor: SecondFactorPolicy,
}

impl LiveSettings {
    fn value(self, setting: Setting) -> String {
        match setting {
            Setting::SignupOpen => self.signup_open.to_string(),
            Setting::MinPasswordLength => self.min_password_chars.to_string(),
            Setting::RequireSecondFactor => self.require_second_factor.as_str().to_owned(),
        }
    }

    /// `self` with `setting` stored as `value`. A stored value that no form could have saved (a
    /// row written by hand, say) is never trusted: signup closes, a length outside
    /// [`MIN_PASSWORD_CHARS`] is ignored, everyone is asked for a second factor, and the log
    /// says so.
    fn with(mut self, setting: Setting, value: &str) -> Self {
        match (setting, SettingsChange::parse_one(setting, value)) {
            (Setting::SignupOpen, Ok(SettingsChange { signup_open: Some(open), .. })) => self.signup_open = open,
            (Setting::MinPasswordLength, Ok(SettingsChange { min_password_chars: Some(chars), .. })) => {
                self.min_password_chars = chars;
            }
            (Setting::RequireSecondFactor, Ok(SettingsChange { require_second_factor: Some(policy), .. })) => {
                self.require_second_factor = policy;
            }
            _ => {
                tracing::warn!(
                    setting = setting.name(),
                    value = value.escape_debug().to_string(),
                    "a stored setting cannot be read; ignoring it"
                );
                match setting {
                    Setting::SignupOpen => self.signup_open = false,
                    Setting::RequireSecondFactor => self.require_second_factor = SecondFactorPolicy::Everyone,
                    Setting::MinPasswordLength => {}
                }
            }
        }
        self
    }
}

/// A change of settings as submitted: `None` leaves a setting as it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SettingsChange {
    pub signup_open: Option<bool>,
    pub min_password_chars: Option<usize>,
    pub require_second_factor: Option<SecondFactorPolicy>,
}

impl SettingsChange {
    /// Reads each `(setting, value)`: `signup_open` `true` or `false`, `min_password_length` a
    /// whole number of characters in [`MIN_PASSWORD_CHARS`], `require_second_factor` `off`,
    /// `administrators` or `everyone`; or names the first that is wrong and why.
    pub fn parse<'a>(values: impl IntoIterator<Item = (Setting, &'a str)>) -> Result<Self, (Setting, String)> {
        let mut change = Self::default();
        for (setting, value) in values {
            change = change.with(setting, value.trim())?;
        }
        Ok(change)
    }

    fn with(mut self, setting: Setting, value: &str) -> Result<Self, (Setting, String)> {
        let refuse = |sentence: String| (setting, sentence);
        match setting {
            Setting::SignupOpen => {
                let open = value.parse::<bool>().map_err(|_| refuse("Must be true or false.".into()))?;
                self.signup_open = Some(open);
            }
            Setting::MinPasswordLength => {
                let chars = value.parse::<usize>().ok().filter(|chars| MIN_PASSWORD_CHARS.contains(chars));
                self.min_password_chars = Some(chars.ok_or_else(|| {
                    refuse(format!(
                        "Must be a whole number from {} to {}.",
                        MIN_PASSWORD_CHARS.start(),
                        MIN_PASSWORD_CHARS.end()
                    ))
                })?);
            }
            Setting::RequireSecondFactor => {
                let policy = SecondFactorPolicy::parse(value);
                self.require_second_factor =
                    Some(policy.ok_or_else(|| refuse("Must be off, administrators or everyone.".into()))?);
            }
        }
        Ok(self)
    }

    /// Reads `value` as `setting`'s, like [`SettingsChange::parse`].
    fn parse_one(setting: Setting, value: &str) -> Result<Self, (Setting, String)> {
        Self::parse([(setting, value)])
    }

    fn value(self, setting: Setting) -> Option<String> {
        match setting {
            Setting::SignupOpen => self.signup_open.map(|open| open.to_string()),
            Setting::MinPasswordLength => self.min_password_chars.map(|chars| chars.to_string()),
            Setting::RequireSecondFactor => self.require_second_factor.map(|policy| policy.as_str().to_owned()),
        }
    }
}

/// A setting as it stands, for the console and the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingState {
    pub setting: Setting,
    /// The value applied now.
    pub value: String,
    /// What the command line says (applied while nobody has set it).
    pub command_line: String,
    /// Who set it last and when; `None` while the command line decides.
    pub set: Option<SettingSet>,
}

/// Who set a setting: an administrator by name, or the operator (`None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingSet {
    pub by: Option<String>,
    pub on: Micros,
}

#[derive(sqlx::FromRow)]
struct Row {
    name: String,
    value: String,
    changed_on: Micros,
    changed_by: Option<String>,
}

const ROWS: &str = "SELECT settings.name, settings.value, settings.changed_on, users.username AS changed_by \
                    FROM settings LEFT JOIN users ON users.user_id = settings.changed_by";

impl Accounts {
    /// Whether visitors may create their own accounts, as every check reads it.
    pub fn signup_open(&self) -> bool {
        self.live_settings().signup_open
    }

    /// The rules for a new password, as every check reads them.
    pub fn password_policy(&self) -> PasswordPolicy {
        PasswordPolicy { min_chars: self.live_settings().min_password_chars }
    }

    /// Whom the deployment requires a second factor of, as every check reads it.
    pub fn second_factor_policy(&self) -> SecondFactorPolicy {
        self.live_settings().require_second_factor
    }

    fn live_settings(&self) -> LiveSettings {
        *self.live.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// What the command line says, before any row of `settings`.
    fn command_line_settings(&self) -> LiveSettings {
        LiveSettings {
            signup_open: self.settings.signup_open,
            min_password_chars: self.settings.password_policy.min_chars,
            require_second_factor: self.settings.require_second_factor,
        }
    }

    /// Reads the settings again (at start, after a change, and every [`SETTINGS_REFRESH`]).
    pub async fn refresh_settings(&self) -> Result<(), AccountError> {
        let rows = self.setting_rows().await?;
        let live = rows.iter().fold(self.command_line_settings(), |live, row| match setting_named(&row.name) {
            Some(setting) => live.with(setting, &row.value),
            None => live,
        });
        *self.live.write().unwrap_or_else(std::sync::PoisonError::into_inner) = live;
        Ok(())
    }

    /// Every setting: its value now, the command line's, and who set it.
    pub async fn setting_states(&self) -> Result<Vec<SettingState>, AccountError> {
        let rows = self.setting_rows().await?;
        let command_line = self.command_line_settings();
        Ok(Setting::ALL
            .into_iter()
            .map(|setting| {
                let row = rows.iter().find(|row| row.name == setting.name());
                let value = row.map_or(command_line, |row| command_line.with(setting, &row.value)).value(setting);
                let set = row.map(|row| SettingSet { by: row.changed_by.clone(), on: row.changed_on });
                SettingState { setting, value, command_line: command_line.value(setting), set }
            })
            .collect())
    }

    /// Stores each setting `change` gives a new value, audited, and applies it here at once.
    /// Returns the settings it changed: none when every value was already so.
    pub async fn change_settings(
        &self,
        by: &Acting,
        change: SettingsChange,
        client: &ClientInfo,
    ) -> Result<Vec<Setting>, AccountError> {
        const STORE: &str = "INSERT INTO settings (name, value, changed_on, changed_by) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (name) DO UPDATE SET value = excluded.value, \
                             changed_on = excluded.changed_on, changed_by = excluded.changed_by";
        let admin = by.administrator();
        // An administrator without a second factor would be held at the set-up on their next
        // request: they set one up first (the operator's command is never held).
        if let (Some(admin), Some(policy)) = (admin, change.require_second_factor)
            && policy.covers(true)
            && !self.has_second_factor(admin.user_id).await?
        {
            return Err(AccountError::AdminRefused(
                "Set up a second factor of your own first (an authenticator app or a passkey, on your account page): \
                 the rule would cover you too."
                    .into(),
            ));
        }
        let before = self.setting_states().await?;
        let mut changed = Vec::new();
        for state in before {
            let Some(value) = change.value(state.setting) else { continue };
            // A value chosen while the command line decides is stored even when it is the same:
            // replicas may have been started with other flags, and the operator's command knows
            // none of `serve`'s.
            if state.set.is_some() && value == state.value {
                continue;
            }
            let known = state.set.is_some() || admin.is_some();
            on_pool!(&self.db, |pool| {
                sqlx::query(STORE)
                    .bind(state.setting.name())
                    .bind(&value)
                    .bind(now_micros())
                    .bind(admin.map(|admin| admin.user_id))
                    .execute(pool)
                    .await?;
            });
            let before = if known { state.value.as_str() } else { "the command line's" };
            let detail = format!("{}: {before} → {value}", state.setting.name());
            match admin {
                Some(admin) => self.audit_detail(AuditEvent::SettingChanged, admin, &detail, client).await,
                None => self.record_operator(AuditEvent::SettingChanged, &detail, client).await,
            }
            changed.push(state.setting);
        }
        self.refresh_settings().await?;
        Ok(changed)
    }

    async fn setting_rows(&self) -> Result<Vec<Row>, AccountError> {
        Ok(on_pool!(&self.db, |pool| sqlx::query_as(ROWS).fetch_all(pool).await?))
    }
}

fn setting_named(name: &str) -> Option<Setting> {
    Setting::ALL.into_iter().find(|setting| setting.name() == name)
}
