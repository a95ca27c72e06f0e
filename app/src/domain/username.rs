use super::REQUIRED;

pub const MAX_USERNAME_CHARS: usize = 64;

/// A username: trimmed, 1 to 64 characters, letters, digits and `. _ - @ +` only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(REQUIRED.into());
        }
        if name.chars().count() > MAX_USERNAME_CHARS {
            return Err(format!("Username must be at most {MAX_USERNAME_CHARS} characters"));
        }
        if !name.chars().all(is_username_char) {
            return Err("Use only letters, digits and . _ - @ +".into());
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form that decides uniqueness and login: `Alice` and `alice` are one account.
    pub fn key(&self) -> String {
        username_key(&self.0)
    }
}

/// The comparison key of whatever a user typed as a username, valid or not, for lookups.
pub fn username_key(raw: &str) -> String {
    raw.trim().to_lowercase()
}

fn is_username_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_usernames_are_trimmed_and_keep_their_case() {
        for (raw, expected) in [
            ("alice", "alice"),
            ("  Bob ", "Bob"),
            ("a", "a"),
            ("first.last_name-1@lab+x", "first.last_name-1@lab+x"),
            ("Zoë", "Zoë"),
            (&"x".repeat(64), &"x".repeat(64)),
        ] {
            assert_eq!(Username::parse(raw).map(|u| u.0), Ok(expected.to_owned()), "input {raw:?}");
        }
    }

    #[test]
    fn rejected_usernames_say_what_is_wrong() {
        for (raw, message) in [
            ("", REQUIRED),
            ("   ", REQUIRED),
            (&"x".repeat(65), "Username must be at most 64 characters"),
            ("two words", "Use only letters, digits and . _ - @ +"),
            ("tab\there", "Use only letters, digits and . _ - @ +"),
            ("semi;colon", "Use only letters, digits and . _ - @ +"),
            ("nul\0", "Use only letters, digits and . _ - @ +"),
        ] {
            assert_eq!(Username::parse(raw), Err(message.to_owned()), "input {raw:?}");
        }
    }

    #[test]
    fn the_length_limit_counts_characters_not_bytes() {
        assert!(Username::parse(&"é".repeat(64)).is_ok());
        assert!(Username::parse(&"é".repeat(65)).is_err());
    }

    #[test]
    fn usernames_that_differ_only_in_case_share_a_key() {
        assert_eq!(Username::parse("Alice").unwrap().key(), Username::parse("aLICE").unwrap().key());
        assert_eq!(username_key(" ALICE "), "alice");
    }
}
