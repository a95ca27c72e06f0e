//! The forms as submitted (raw strings, exactly as typed) and what they parse into.

use serde::{Deserialize, Serialize};

use super::{
    EmailAddress, Field, FieldErrors, NewPassword, PasswordPolicy, REQUIRED, TypedPassword, Username,
    password::MAX_PASSWORD_CHARS, username::MAX_USERNAME_CHARS,
};

/// The signup form, field for field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterForm {
    pub username: String,
    pub email: String,
    pub password: TypedPassword,
    pub confirm_password: TypedPassword,
}

/// A signup that passed every rule that needs no database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub username: Username,
    pub email: EmailAddress,
    pub password: NewPassword,
}

impl RegisterForm {
    /// Checks every field and reports every problem at once, so a form can mark them all.
    pub fn parse(&self, policy: PasswordPolicy) -> Result<Registration, FieldErrors> {
        let mut errors = FieldErrors::new();
        let username = errors.check(Field::Username, Username::parse(&self.username));
        let email = errors.check(Field::Email, EmailAddress::parse(&self.email));
        let password = errors.check(
            Field::Password,
            NewPassword::parse(self.password.expose(), policy, Some(&self.username), Some(&self.email)),
        );
        if self.confirm_password.is_empty() {
            errors.insert(Field::ConfirmPassword, REQUIRED);
        } else if self.confirm_password != self.password {
            errors.insert(Field::ConfirmPassword, "Passwords do not match");
        }
        match (username, email, password) {
            (Some(username), Some(email), Some(password)) if errors.is_empty() => {
                Ok(Registration { username, email, password })
            }
            _ => Err(errors),
        }
    }
}

/// The login form, field for field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginForm {
    pub username: String,
    pub password: TypedPassword,
}

/// A login attempt worth checking against the database. Only presence and the longest a username
/// or password can ever be are checked: the other rules for new usernames and passwords may have
/// changed since an account was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: TypedPassword,
}

impl LoginForm {
    /// Refuses what no account can match before anything is looked up, hashed or recorded: a
    /// login with a 64 KiB username must not be written to the audit trail and the log.
    pub fn parse(&self) -> Result<Credentials, FieldErrors> {
        let mut errors = FieldErrors::new();
        // Counted as an account's name is, composed: a decomposed `ë` is one character, not two.
        let username = super::nfc(self.username.trim());
        if username.is_empty() {
            errors.insert(Field::Username, REQUIRED);
        } else if username.chars().count() > MAX_USERNAME_CHARS {
            errors.insert(Field::Username, format!("Username must be at most {MAX_USERNAME_CHARS} characters"));
        }
        if self.password.is_empty() {
            errors.insert(Field::Password, REQUIRED);
        } else if self.password.expose().chars().count() > MAX_PASSWORD_CHARS {
            errors.insert(Field::Password, format!("Password must be at most {MAX_PASSWORD_CHARS} characters"));
        }
        if errors.is_empty() {
            Ok(Credentials { username: username.into_owned(), password: self.password.clone() })
        } else {
            Err(errors)
        }
    }
}

/// The account page's username and email form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileForm {
    pub username: String,
    pub email: String,
}

impl ProfileForm {
    pub fn parse(&self) -> Result<(Username, EmailAddress), FieldErrors> {
        let mut errors = FieldErrors::new();
        let username = errors.check(Field::Username, Username::parse(&self.username));
        let email = errors.check(Field::Email, EmailAddress::parse(&self.email));
        match (username, email) {
            (Some(username), Some(email)) => Ok((username, email)),
            _ => Err(errors),
        }
    }
}

/// The password change form. The account's username and email are needed because a new
/// password may equal neither.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordChangeForm {
    pub old_password: TypedPassword,
    pub new_password: TypedPassword,
    pub confirm_new_password: TypedPassword,
}

impl PasswordChangeForm {
    /// Checks what can be checked without the database; whether the current password is right
    /// is the server's to say.
    pub fn parse(&self, policy: PasswordPolicy, username: &str, email: &str) -> Result<NewPassword, FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.old_password.is_empty() {
            errors.insert(Field::OldPassword, REQUIRED);
        }
        let new_password =
            check_new_password(&mut errors, [&self.new_password, &self.confirm_new_password], policy, username, email);
        match new_password {
            Some(password) if errors.is_empty() => Ok(password),
            _ => Err(errors),
        }
    }
}

/// The form behind a password reset link: the link's token and the new password, twice. The
/// token is as secret as a password, so it is kept like one (never in `Debug`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordResetForm {
    pub token: TypedPassword,
    pub new_password: TypedPassword,
    pub confirm_new_password: TypedPassword,
}

impl PasswordResetForm {
    /// Checks the new password against the rules and its confirmation; whether the link still
    /// works is the server's to say.
    pub fn parse(&self, policy: PasswordPolicy, username: &str, email: &str) -> Result<NewPassword, FieldErrors> {
        let mut errors = FieldErrors::new();
        let new_password =
            check_new_password(&mut errors, [&self.new_password, &self.confirm_new_password], policy, username, email);
        match new_password {
            Some(password) if errors.is_empty() => Ok(password),
            _ => Err(errors),
        }
    }
}

/// The new password of a change or a reset and its confirmation, into `errors` as the
/// `new_password` and `confirm_new_password` fields.
fn check_new_password(
    errors: &mut FieldErrors,
    [new_password, confirmation]: [&TypedPassword; 2],
    policy: PasswordPolicy,
    username: &str,
    email: &str,
) -> Option<NewPassword> {
    let parsed = errors
        .check(Field::NewPassword, NewPassword::parse(new_password.expose(), policy, Some(username), Some(email)));
    if confirmation.is_empty() {
        errors.insert(Field::ConfirmNewPassword, REQUIRED);
    } else if confirmation != new_password {
        errors.insert(Field::ConfirmNewPassword, "Passwords do not match");
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> RegisterForm {
        RegisterForm {
            username: "alice".into(),
            email: "alice@example.org".into(),
            password: "correct horse".into(),
            confirm_password: "correct horse".into(),
        }
    }

    #[test]
    fn a_reset_forms_token_never_shows_in_debug() {
        let form = PasswordResetForm {
            token: "n0tAnyBodysBusiness".into(),
            new_password: "a new secret".into(),
            confirm_new_password: "a new secret".into(),
        };
        let shown = format!("{form:?}");
        assert!(!shown.contains("n0tAnyBodysBusiness") && !shown.contains("a new secret"), "{shown}");
    }

    #[test]
    fn a_complete_signup_parses() {
        let registration = valid().parse(PasswordPolicy::default()).unwrap();
        assert_eq!(registration.username.as_str(), "alice");
        assert_eq!(registration.email.as_str(), "alice@example.org");
        assert_eq!(registration.password.expose(), "correct horse");
    }

    #[test]
    fn an_empty_signup_reports_every_field_as_required() {
        let errors = RegisterForm::default().parse(PasswordPolicy::default()).unwrap_err();
        for field in [Field::Username, Field::Email, Field::Password, Field::ConfirmPassword] {
            assert_eq!(errors.get(field), Some(REQUIRED), "{field:?}");
        }
    }

    #[test]
    fn signup_reports_every_invalid_field_at_once() {
        let form = RegisterForm {
            username: "two words".into(),
            email: "nope".into(),
            password: "short".into(),
            confirm_password: "shorter".into(),
        };
        let errors = form.parse(PasswordPolicy::default()).unwrap_err();
        assert_eq!(errors.get(Field::Username), Some("Use only letters, digits and . _ - @ +"));
        assert_eq!(errors.get(Field::Email), Some("Invalid email address"));
        assert_eq!(errors.get(Field::Password), Some("Password must be at least 8 characters"));
        assert_eq!(errors.get(Field::ConfirmPassword), Some("Passwords do not match"));
    }

    #[test]
    fn password_confirmation_must_match_exactly() {
        let form = RegisterForm { confirm_password: "correct horse ".into(), ..valid() };
        let errors = form.parse(PasswordPolicy::default()).unwrap_err();
        assert_eq!(errors.iter().collect::<Vec<_>>(), vec![(Field::ConfirmPassword, "Passwords do not match")]);
    }

    #[test]
    fn a_password_equal_to_the_username_is_refused_at_signup() {
        let form = RegisterForm {
            username: "longusername".into(),
            password: "LongUsername".into(),
            confirm_password: "LongUsername".into(),
            ..valid()
        };
        let errors = form.parse(PasswordPolicy::default()).unwrap_err();
        assert_eq!(errors.get(Field::Password), Some("Password must not be your username"));
    }

    #[test]
    fn login_needs_both_fields_and_trims_only_the_username() {
        let errors = LoginForm::default().parse().unwrap_err();
        assert_eq!(errors.get(Field::Username), Some(REQUIRED));
        assert_eq!(errors.get(Field::Password), Some(REQUIRED));
        let credentials = LoginForm { username: " alice ".into(), password: " pw ".into() }.parse().unwrap();
        assert_eq!(credentials.username, "alice");
        assert_eq!(credentials.password.expose(), " pw ");
    }

    #[test]
    fn a_login_longer_than_any_account_could_have_is_refused_before_any_lookup() {
        let long = LoginForm { username: "u".repeat(65), password: "p".repeat(1025).into() };
        let errors = long.parse().unwrap_err();
        assert_eq!(errors.get(Field::Username), Some("Username must be at most 64 characters"));
        assert_eq!(errors.get(Field::Password), Some("Password must be at most 1024 characters"));
        let longest = LoginForm { username: format!(" {} ", "é".repeat(64)), password: "p".repeat(1024).into() };
        assert!(longest.parse().is_ok());
    }

    #[test]
    fn a_password_change_checks_the_new_password_and_its_confirmation() {
        let form = PasswordChangeForm {
            old_password: TypedPassword::default(),
            new_password: "alice".into(),
            confirm_new_password: "alicf".into(),
        };
        let errors = form.parse(PasswordPolicy::default(), "alice", "alice@example.org").unwrap_err();
        assert_eq!(errors.get(Field::OldPassword), Some(REQUIRED));
        assert_eq!(errors.get(Field::NewPassword), Some("Password must be at least 8 characters"));
        assert_eq!(errors.get(Field::ConfirmNewPassword), Some("Passwords do not match"));
        let same_as_name = PasswordChangeForm {
            old_password: "x".into(),
            new_password: "alice@example.org".into(),
            confirm_new_password: "alice@example.org".into(),
        };
        let errors = same_as_name.parse(PasswordPolicy::default(), "alice", "Alice@example.org").unwrap_err();
        assert_eq!(errors.get(Field::NewPassword), Some("Password must not be your email address"));
    }

    #[test]
    fn a_profile_needs_a_valid_username_and_email() {
        let errors = ProfileForm { username: "".into(), email: "x".into() }.parse().unwrap_err();
        assert_eq!(errors.get(Field::Username), Some(REQUIRED));
        assert_eq!(errors.get(Field::Email), Some("Invalid email address"));
        assert!(ProfileForm { username: "bob".into(), email: "bob@example.org".into() }.parse().is_ok());
    }

    #[test]
    fn field_errors_serialise_with_the_api_field_names() {
        let errors = FieldErrors::single(Field::ConfirmPassword, "Passwords do not match");
        let json = serde_json::to_string(&errors).unwrap();
        assert_eq!(json, r#"{"confirmPassword":"Passwords do not match"}"#);
        assert_eq!(serde_json::from_str::<FieldErrors>(&json).unwrap(), errors);
    }
}

#[cfg(test)]
mod properties {
    //! Property tests: a form parses exactly when each of its fields does, into what each field
    //! parses into, and otherwise reports each field's own error.

    use proptest::prelude::*;

    use super::*;

    fn config() -> ProptestConfig {
        ProptestConfig { failure_persistence: None, ..ProptestConfig::default() }
    }

    /// Values from `good` or `bad`, or anything at all.
    fn value(good: &'static [&'static str], bad: &'static [&'static str]) -> impl Strategy<Value = String> {
        prop_oneof![
            3 => prop::sample::select(good).prop_map(str::to_owned),
            2 => prop::sample::select(bad).prop_map(str::to_owned),
            1 => any::<String>(),
        ]
    }

    fn username() -> impl Strategy<Value = String> {
        value(&["alice", " Bob ", "zoë.k+lab@x", "correct horse"], &["", "  ", "two words", "semi;colon"])
    }

    fn email() -> impl Strategy<Value = String> {
        value(&["alice@example.org", " Bob@Example.ORG ", "correct@horse.io"], &["", "nope", "a@b", "a b@c.de"])
    }

    fn password() -> impl Strategy<Value = String> {
        value(&["correct horse", "  spaced out  ", "alice@example.org", "ALICE@EXAMPLE.ORG"], &["", "short", "alice"])
    }

    /// A form's password and its confirmation: the same, or each on its own.
    fn password_and_confirmation() -> impl Strategy<Value = (String, String)> {
        prop_oneof![password().prop_map(|p| (p.clone(), p)), (password(), password())]
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn a_signup_parses_exactly_when_every_field_does(
            username in username(),
            email in email(),
            (password, confirm_password) in password_and_confirmation(),
            min_chars in 0usize..16,
        ) {
            let policy = PasswordPolicy { min_chars };
            let form = RegisterForm { username, email, password: password.into(), confirm_password: confirm_password.into() };
            let each = (
                Username::parse(&form.username),
                EmailAddress::parse(&form.email),
                NewPassword::parse(form.password.expose(), policy, Some(&form.username), Some(&form.email)),
            );
            let confirmation = if form.confirm_password.is_empty() {
                Some(REQUIRED)
            } else if form.confirm_password != form.password {
                Some("Passwords do not match")
            } else {
                None
            };
            match (form.parse(policy), each) {
                (Ok(registration), (Ok(username), Ok(email), Ok(password))) => {
                    prop_assert_eq!(confirmation, None);
                    prop_assert_eq!(registration, Registration { username, email, password });
                }
                (Ok(_), _) => prop_assert!(false, "a signup with an invalid field parsed"),
                (Err(errors), (username, email, password)) => {
                    prop_assert!(!errors.is_empty());
                    prop_assert_eq!(errors.get(Field::Username), username.as_ref().err().map(String::as_str));
                    prop_assert_eq!(errors.get(Field::Email), email.as_ref().err().map(String::as_str));
                    prop_assert_eq!(errors.get(Field::Password), password.as_ref().err().map(String::as_str));
                    prop_assert_eq!(errors.get(Field::ConfirmPassword), confirmation);
                    let json = serde_json::to_string(&errors).unwrap();
                    prop_assert_eq!(serde_json::from_str::<FieldErrors>(&json).unwrap(), errors);
                }
            }
        }

        #[test]
        fn a_login_needs_a_username_and_a_password_and_trims_and_composes_only_the_username(
            username in username(),
            password in password(),
        ) {
            let form = LoginForm { username: username.clone(), password: password.clone().into() };
            let composed = crate::domain::nfc(username.trim());
            let username_fits = (1..=MAX_USERNAME_CHARS).contains(&composed.chars().count());
            let password_fits = (1..=MAX_PASSWORD_CHARS).contains(&password.chars().count());
            match form.parse() {
                Ok(credentials) => {
                    prop_assert_eq!(credentials.username, composed);
                    prop_assert_eq!(credentials.password.expose(), password);
                    prop_assert!(username_fits && password_fits);
                }
                Err(errors) => {
                    prop_assert_eq!(errors.get(Field::Username).is_some(), !username_fits);
                    prop_assert_eq!(errors.get(Field::Password).is_some(), !password_fits);
                }
            }
        }

        #[test]
        fn a_profile_parses_exactly_when_both_fields_do(username in username(), email in email()) {
            let parsed = ProfileForm { username: username.clone(), email: email.clone() }.parse();
            match (parsed, Username::parse(&username), EmailAddress::parse(&email)) {
                (Ok(both), Ok(username), Ok(email)) => prop_assert_eq!(both, (username, email)),
                (Ok(_), _, _) => prop_assert!(false, "a profile with an invalid field parsed"),
                (Err(errors), username, email) => {
                    prop_assert_eq!(errors.get(Field::Username), username.as_ref().err().map(String::as_str));
                    prop_assert_eq!(errors.get(Field::Email), email.as_ref().err().map(String::as_str));
                }
            }
        }

        #[test]
        fn a_password_change_parses_exactly_when_its_fields_do(
            old_password in password(),
            (new_password, confirm_new_password) in password_and_confirmation(),
            username in username(),
            email in email(),
        ) {
            let policy = PasswordPolicy::default();
            let form = PasswordChangeForm {
                old_password: old_password.into(),
                new_password: new_password.into(),
                confirm_new_password: confirm_new_password.into(),
            };
            let new = NewPassword::parse(form.new_password.expose(), policy, Some(&username), Some(&email));
            let confirmed = !form.confirm_new_password.is_empty() && form.confirm_new_password == form.new_password;
            match form.parse(policy, &username, &email) {
                Ok(password) => {
                    prop_assert_eq!(Ok(password), new);
                    prop_assert!(confirmed && !form.old_password.is_empty());
                }
                Err(errors) => {
                    prop_assert_eq!(errors.get(Field::OldPassword).is_some(), form.old_password.is_empty());
                    prop_assert_eq!(errors.get(Field::NewPassword), new.as_ref().err().map(String::as_str));
                    prop_assert_eq!(errors.get(Field::ConfirmNewPassword).is_some(), !confirmed);
                }
            }
        }
    }
}
