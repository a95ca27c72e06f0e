//! The forms as submitted (raw strings, exactly as typed) and what they parse into.

use serde::{Deserialize, Serialize};

use super::{EmailAddress, Field, FieldErrors, NewPassword, PasswordPolicy, REQUIRED, Username};

/// The signup form, field for field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterForm {
    pub username: String,
    pub email: String,
    pub password: String,
    pub confirm_password: String,
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
            NewPassword::parse(&self.password, policy, Some(&self.username), Some(&self.email)),
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
    pub password: String,
}

/// A login attempt worth checking against the database. Only presence is checked: the rules for
/// new usernames and passwords may have changed since an account was made.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("username", &self.username).finish_non_exhaustive()
    }
}

impl LoginForm {
    pub fn parse(&self) -> Result<Credentials, FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.username.trim().is_empty() {
            errors.insert(Field::Username, REQUIRED);
        }
        if self.password.is_empty() {
            errors.insert(Field::Password, REQUIRED);
        }
        if errors.is_empty() {
            Ok(Credentials { username: self.username.trim().to_owned(), password: self.password.clone() })
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
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordChangeForm {
    pub old_password: String,
    pub new_password: String,
    pub confirm_new_password: String,
}

impl std::fmt::Debug for PasswordChangeForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChangeForm(<redacted>)")
    }
}

impl PasswordChangeForm {
    /// Checks what can be checked without the database; whether the current password is right
    /// is the server's to say.
    pub fn parse(&self, policy: PasswordPolicy, username: &str, email: &str) -> Result<NewPassword, FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.old_password.is_empty() {
            errors.insert(Field::OldPassword, REQUIRED);
        }
        let new_password = errors
            .check(Field::NewPassword, NewPassword::parse(&self.new_password, policy, Some(username), Some(email)));
        if self.confirm_new_password.is_empty() {
            errors.insert(Field::ConfirmNewPassword, REQUIRED);
        } else if self.confirm_new_password != self.new_password {
            errors.insert(Field::ConfirmNewPassword, "Passwords do not match");
        }
        match new_password {
            Some(password) if errors.is_empty() => Ok(password),
            _ => Err(errors),
        }
    }
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
        assert_eq!(credentials.password, " pw ");
    }

    #[test]
    fn a_password_change_checks_the_new_password_and_its_confirmation() {
        let form = PasswordChangeForm {
            old_password: String::new(),
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
