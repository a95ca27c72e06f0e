use super::REQUIRED;

pub const MAX_USERNAME_CHARS: usize = 64;
/// Enough for every script's letters; more in a row is only a way to draw over other characters.
pub const MAX_MARKS_IN_A_ROW: usize = 3;

/// A username: trimmed, in Unicode's composed form (NFC), 1 to 64 characters, letters, digits
/// and `. _ - @ +` only. A letter or digit may carry up to [`MAX_MARKS_IN_A_ROW`] combining marks
/// (a Devanagari virama or nukta, a Tamil pulli): many names cannot be written without them, and
/// NFC itself turns some letters into a letter and a mark (`क़` into `क` and a nukta).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = super::nfc(raw.trim());
        let name = name.as_ref();
        if name.is_empty() {
            return Err(REQUIRED.into());
        }
        if name.chars().count() > MAX_USERNAME_CHARS {
            return Err(format!("Username must be at most {MAX_USERNAME_CHARS} characters"));
        }
        if !only_username_chars(name) {
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
    super::fold_case(raw.trim())
}

/// Letters, digits and `. _ - @ +`, where a letter or digit may carry a few combining marks
/// (every mark counts, those Unicode also calls letters too), and nothing invisible.
fn only_username_chars(name: &str) -> bool {
    let mut marks_allowed = 0;
    name.chars().all(|c| {
        if c.is_ascii() {
            marks_allowed = if c.is_ascii_alphanumeric() { MAX_MARKS_IN_A_ROW } else { 0 };
            return c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+');
        }
        if is_invisible_or_enclosing(c) {
            false
        } else if super::text::is_combining_mark(c) {
            let allowed = marks_allowed > 0;
            marks_allowed = marks_allowed.saturating_sub(1);
            allowed
        } else if c.is_alphanumeric() {
            marks_allowed = MAX_MARKS_IN_A_ROW;
            true
        } else {
            false
        }
    })
}

/// Characters that draw nothing of their own, though Unicode counts them as letters or marks
/// (the Hangul fillers, the combining grapheme joiner, variation selectors, Khmer inherent
/// vowels, Mongolian selectors), and marks that enclose what they follow: `alice` and `alice`
/// with one of them would look alike.
fn is_invisible_or_enclosing(c: char) -> bool {
    matches!(
        c,
        '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FFA0}'
            | '\u{E0100}'..='\u{E01EF}'
            | '\u{0488}'
            | '\u{0489}'
            | '\u{1ABE}'
            | '\u{20DD}'..='\u{20E0}'
            | '\u{20E2}'..='\u{20E4}'
            | '\u{A670}'..='\u{A672}'
    )
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
            ("\u{0301}accent-first", "Use only letters, digits and . _ - @ +"),
            ("dot.\u{0301}", "Use only letters, digits and . _ - @ +"),
            ("a\u{0336}\u{0336}\u{0336}\u{0336}", "Use only letters, digits and . _ - @ +"),
            // Letter-like marks count too: no endless stacks between them.
            ("a\u{0336}\u{0336}\u{0336}\u{0345}\u{0336}", "Use only letters, digits and . _ - @ +"),
            // Invisible, or drawn around what it follows: looks like another name.
            ("alice\u{034F}", "Use only letters, digits and . _ - @ +"),
            ("alice\u{FE0F}", "Use only letters, digits and . _ - @ +"),
            ("ali\u{3164}ce", "Use only letters, digits and . _ - @ +"),
            ("a\u{20DD}", "Use only letters, digits and . _ - @ +"),
        ] {
            assert_eq!(Username::parse(raw), Err(message.to_owned()), "input {raw:?}");
        }
    }

    #[test]
    fn a_decomposed_name_is_stored_composed_and_keyed_alike() {
        let decomposed = Username::parse("Zoe\u{0308}").unwrap();
        assert_eq!(decomposed.as_str(), "Zo\u{00EB}");
        assert_eq!(decomposed.key(), Username::parse("ZO\u{00CB}").unwrap().key());
        assert_eq!(username_key("zoe\u{0308}"), decomposed.key());
        // Sixty-four composed characters fit, however many code points they were typed as.
        assert!(Username::parse(&"e\u{0301}".repeat(64)).is_ok());
    }

    #[test]
    fn names_written_with_combining_marks_are_accepted() {
        // Krishna and Tamil in their own scripts (a virama, a pulli), and a letter that NFC splits
        // into a letter and a nukta.
        for name in ["कृष्ण", "தமிழ்", "\u{0958}", "a\u{0336}\u{0336}\u{0336}"] {
            assert!(Username::parse(name).is_ok(), "{name:?}: {:?}", Username::parse(name));
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

#[cfg(test)]
mod properties {
    //! Property tests: parsing never panics, accepts exactly what the documentation says, and what
    //! it accepts parses again to itself, with a lower-case key.

    use proptest::prelude::*;

    use super::*;

    fn config() -> ProptestConfig {
        ProptestConfig { failure_persistence: None, ..ProptestConfig::default() }
    }

    /// Anything, strings of characters near the rules' edges, and names around the length limit.
    fn raw_username() -> impl Strategy<Value = String> {
        let char = prop_oneof![
            4 => prop::sample::select(&[
                'a', 'Z', '0', '.', '_', '-', '@', '+', 'é', 'İ', 'ß', 'ǅ', 'K', 'Σ', '٣', ' ', '\t', '\n', '\u{a0}',
                '\u{3000}', '\u{200b}', ';', '/', '\0', '😀', '\u{0301}', '\u{094d}', '\u{0958}', '\u{0345}', '\u{034f}',
            ][..]),
            1 => any::<char>(),
        ];
        prop_oneof![
            any::<String>(),
            prop::collection::vec(char, 0..80).prop_map(String::from_iter),
            ("[ \t]{0,3}", "[a-zA-Z0-9é._@+-]{60,68}", "[ \t\u{a0}]{0,3}").prop_map(|(a, b, c)| a + &b + &c),
        ]
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn a_username_is_accepted_exactly_when_the_rules_allow_it(raw in raw_username()) {
            let parsed = Username::parse(&raw);
            prop_assert_eq!(&parsed, &Username::parse(&raw), "parsing is deterministic");
            // The rules apply to the composed form (a letter and its accent typed apart are one letter).
            let name = crate::domain::nfc(raw.trim());
            let chars: Vec<char> = name.chars().collect();
            let mark = |c: char| unicode_normalization::char::is_combining_mark(c);
            let visible = |c: char| !is_invisible_or_enclosing(c);
            // A mark needs a letter or digit before the run of marks it ends, and the run at most
            // three long.
            let carried = |at: usize| {
                let run = chars[..=at].iter().rev().take_while(|&&b| mark(b)).count();
                run <= MAX_MARKS_IN_A_ROW && at.checked_sub(run).is_some_and(|i| chars[i].is_alphanumeric() && !mark(chars[i]))
            };
            let allowed = !name.is_empty()
                && chars.len() <= MAX_USERNAME_CHARS
                && chars.iter().enumerate().all(|(at, &c)| {
                    visible(c) && (if mark(c) { carried(at) } else { c.is_alphanumeric() || ".-_@+".contains(c) })
                });
            prop_assert_eq!(parsed.is_ok(), allowed, "{:?} gave {:?}", raw, parsed);
            if let Err(message) = parsed {
                prop_assert!(!message.is_empty());
            }
        }

        #[test]
        fn an_accepted_username_is_trimmed_stable_and_keyed_in_lower_case(raw in raw_username()) {
            if let Ok(user) = Username::parse(&raw) {
                prop_assert_eq!(user.as_str(), crate::domain::nfc(raw.trim()));
                prop_assert!((1..=MAX_USERNAME_CHARS).contains(&user.as_str().chars().count()));
                prop_assert!(!user.as_str().chars().any(|c| c.is_whitespace() || c.is_control()));
                prop_assert_eq!(Username::parse(user.as_str()), Ok(user.clone()), "parsing again changes nothing");
                let key = user.key();
                prop_assert_eq!(&key, &crate::domain::fold_case(user.as_str()));
                prop_assert_eq!(&key.to_lowercase(), &key, "the key is lower case");
                prop_assert_eq!(&username_key(&key), &key, "the key is its own key");
                prop_assert_eq!(&username_key(&raw), &key, "a lookup with what was typed finds the account");
            }
        }

        #[test]
        fn surrounding_whitespace_and_ascii_case_do_not_change_the_account(
            raw in raw_username(),
            before in "[ \t\n\u{a0}\u{3000}]{0,3}",
            after in "[ \t\n\u{a0}\u{3000}]{0,3}",
            flips in prop::collection::vec(any::<bool>(), 80),
        ) {
            let padded = format!("{before}{raw}{after}");
            prop_assert_eq!(Username::parse(&padded), Username::parse(&raw));
            if let Ok(user) = Username::parse(&raw) {
                let recased: String = user
                    .as_str()
                    .chars()
                    .zip(flips.iter().chain(std::iter::repeat(&false)))
                    .map(|(c, flip)| if *flip && c.is_ascii_lowercase() { c.to_ascii_uppercase() } else { c })
                    .collect();
                prop_assert_eq!(Username::parse(&recased).map(|u| u.key()), Ok(user.key()));
            }
        }
    }
}
