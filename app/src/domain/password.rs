use super::REQUIRED;

pub const DEFAULT_MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// What a new password must satisfy. The minimum is configurable (NIST SP 800-63B-4 asks for 15
/// when a password is the only factor); there are no composition rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PasswordPolicy {
    pub min_chars: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self { min_chars: DEFAULT_MIN_PASSWORD_CHARS }
    }
}

/// A password that passed the policy. Never trimmed: every character counts, spaces included.
/// Its `Debug` output is redacted so it cannot end up in a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

impl NewPassword {
    /// `username` and `email` are the account's other fields, when known: a password equal to
    /// either is the first thing an attacker tries.
    pub fn parse(
        raw: &str,
        policy: PasswordPolicy,
        username: Option<&str>,
        email: Option<&str>,
    ) -> Result<Self, String> {
        if raw.is_empty() {
            return Err(REQUIRED.into());
        }
        let chars = raw.chars().count();
        if chars < policy.min_chars {
            return Err(format!("Password must be at least {} characters", policy.min_chars));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(format!("Password must be at most {MAX_PASSWORD_CHARS} characters"));
        }
        let same_as = |other: Option<&str>| {
            other.is_some_and(|other| !other.trim().is_empty() && other.trim().to_lowercase() == raw.to_lowercase())
        };
        if same_as(username) {
            return Err("Password must not be your username".into());
        }
        if same_as(email) {
            return Err("Password must not be your email address".into());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A password as someone typed it into a form or a request, before any rule is checked. It
/// compares and travels (serde) like the string it is, but its `Debug` never shows it, so a form
/// or a server function's arguments can be logged whole. (`secrecy`'s `SecretString` would also
/// hide it, but it cannot be compared or serialized, and the forms must be both.)
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct TypedPassword(String);

impl std::fmt::Debug for TypedPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TypedPassword(<redacted>)")
    }
}

impl From<String> for TypedPassword {
    fn from(typed: String) -> Self {
        Self(typed)
    }
}

impl From<&str> for TypedPassword {
    fn from(typed: &str) -> Self {
        Self(typed.to_owned())
    }
}

impl TypedPassword {
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn into_exposed(self) -> String {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<NewPassword, String> {
        NewPassword::parse(raw, PasswordPolicy::default(), Some("alice"), Some("alice@example.org"))
    }

    #[test]
    fn passwords_within_the_policy_are_kept_exactly() {
        for raw in [
            "eight ch",
            "  leading and trailing spaces  ",
            "correct horse battery staple",
            "пароль-из-юникода",
            "😀😀😀😀😀😀😀😀",
            &"p".repeat(1024),
        ] {
            assert_eq!(parse(raw).map(|p| p.0), Ok(raw.to_owned()), "input {raw:?}");
        }
    }

    #[test]
    fn passwords_outside_the_policy_say_what_is_wrong() {
        for (raw, message) in [
            ("", REQUIRED),
            ("seven c", "Password must be at least 8 characters"),
            (&"p".repeat(1025), "Password must be at most 1024 characters"),
        ] {
            assert_eq!(parse(raw), Err(message.to_owned()), "input {raw:?}");
        }
    }

    #[test]
    fn the_minimum_counts_characters_and_follows_the_policy() {
        let strict = PasswordPolicy { min_chars: 15 };
        assert!(NewPassword::parse("😀😀😀😀😀😀😀😀", PasswordPolicy::default(), None, None).is_ok());
        assert_eq!(
            NewPassword::parse("fourteen chars", strict, None, None).map(|_| ()),
            Err("Password must be at least 15 characters".to_owned())
        );
        assert!(NewPassword::parse("fifteen chars!!", strict, None, None).is_ok());
    }

    #[test]
    fn a_password_equal_to_the_username_or_email_is_refused_in_any_case() {
        let long_name = NewPassword::parse("Administrator", PasswordPolicy::default(), Some("administrator"), None);
        assert_eq!(long_name, Err("Password must not be your username".to_owned()));
        assert_eq!(parse("ALICE@example.org"), Err("Password must not be your email address".to_owned()));
    }

    #[test]
    fn debug_output_never_shows_the_password() {
        let password = parse("hunter2hunter2").unwrap();
        assert!(!format!("{password:?}").contains("hunter2"));
    }
}

#[cfg(test)]
mod properties {
    //! Property tests: a password is accepted exactly when the policy allows it, kept as typed, and
    //! never shown by `Debug`.

    use proptest::prelude::*;

    use super::*;

    fn config() -> ProptestConfig {
        ProptestConfig { failure_persistence: None, ..ProptestConfig::default() }
    }

    fn raw_password() -> impl Strategy<Value = String> {
        prop_oneof![any::<String>(), "[a-zA-Z é😀\t\u{a0}]{0,20}", "[a-z é😀]{1015,1030}",]
    }

    fn other_field() -> impl Strategy<Value = Option<String>> {
        prop::option::of(prop_oneof![any::<String>(), "[ ]{0,2}[a-zA-Z@.]{0,12}[ ]{0,2}"])
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn a_password_is_accepted_exactly_when_the_policy_allows_it_and_kept_as_typed(
            raw in raw_password(),
            min_chars in 0usize..20,
            username in other_field(),
            email in other_field(),
        ) {
            let policy = PasswordPolicy { min_chars };
            let parsed = NewPassword::parse(&raw, policy, username.as_deref(), email.as_deref());
            prop_assert_eq!(&parsed, &NewPassword::parse(&raw, policy, username.as_deref(), email.as_deref()));
            let chars = raw.chars().count();
            let same_as = |other: &Option<String>| {
                other.as_deref().is_some_and(|o| !o.trim().is_empty() && o.trim().to_lowercase() == raw.to_lowercase())
            };
            let allowed = chars > 0
                && chars >= min_chars
                && chars <= MAX_PASSWORD_CHARS
                && !same_as(&username)
                && !same_as(&email);
            prop_assert_eq!(parsed.is_ok(), allowed, "{:?}", parsed);
            match parsed {
                Ok(password) => {
                    prop_assert_eq!(password.expose(), raw.as_str(), "never trimmed or changed");
                    prop_assert_eq!(format!("{password:?}"), "NewPassword(<redacted>)");
                }
                Err(message) if raw.is_empty() => prop_assert_eq!(message, REQUIRED),
                Err(message) => prop_assert!(!message.is_empty()),
            }
        }

        #[test]
        fn the_username_or_email_in_any_case_is_refused(
            name in "[a-zA-Z0-9.@]{8,30}",
            before in "[ \t]{0,2}",
            after in "[ \t]{0,2}",
            upper in any::<bool>(),
        ) {
            let raw = if upper { name.to_uppercase() } else { name.to_lowercase() };
            let padded = format!("{before}{name}{after}");
            let policy = PasswordPolicy::default();
            prop_assert_eq!(
                NewPassword::parse(&raw, policy, Some(&padded), None),
                Err("Password must not be your username".to_owned())
            );
            prop_assert_eq!(
                NewPassword::parse(&raw, policy, None, Some(&padded)),
                Err("Password must not be your email address".to_owned())
            );
        }
    }

    #[test]
    fn a_typed_password_never_shows_in_debug_output() {
        let typed = TypedPassword::from("hunter2 hunter2");
        assert!(!format!("{typed:?}").contains("hunter2"));
        assert_eq!(serde_json::to_string(&typed).unwrap(), "\"hunter2 hunter2\"");
    }
}
