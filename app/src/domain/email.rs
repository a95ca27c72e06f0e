use super::{REQUIRED, text::is_format_character};

/// RFC 5321's limit on a forward path, which is what any mail system will accept.
pub const MAX_EMAIL_BYTES: usize = 254;
const MAX_LOCAL_PART_BYTES: usize = 64;
const INVALID: &str = "Invalid email address";

/// An email address as typed (trimmed): one `@`, a local part, and a domain with a dot.
///
/// This is a syntax check to catch typos, not proof that mail arrives; it deliberately accepts
/// internationalised domains and unusual but legal local parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let address = raw.trim();
        if address.is_empty() {
            return Err(REQUIRED.into());
        }
        if address.len() > MAX_EMAIL_BYTES {
            return Err(format!("Email address must be at most {MAX_EMAIL_BYTES} characters"));
        }
        let (local, domain) = address.split_once('@').ok_or(INVALID)?;
        if is_local_part(local) && is_domain(domain) { Ok(Self(address.to_owned())) } else { Err(INVALID.into()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form that decides uniqueness: addresses are compared lower-cased.
    pub fn key(&self) -> String {
        super::fold_case(&self.0)
    }
}

fn is_local_part(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= MAX_LOCAL_PART_BYTES
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !is_format_character(c) && !"@<>()[],;:\\\"".contains(c))
}

fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        // A top-level domain is never all digits; this rejects `user@127.0.0.1`-style typos.
        && labels.last().is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_are_accepted_as_typed() {
        for raw in [
            "alice@example.org",
            "Alice.Smith+lab@Mail.Example.CO.uk",
            "x@y.io",
            "o'brien@example.ie",
            "user@bücher.de",
            "first_last-1@sub-domain.example.com",
        ] {
            assert_eq!(EmailAddress::parse(raw).map(|e| e.0), Ok(raw.to_owned()), "input {raw:?}");
        }
    }

    #[test]
    fn surrounding_spaces_are_trimmed() {
        assert_eq!(EmailAddress::parse("  bob@example.org ").unwrap().as_str(), "bob@example.org");
    }

    #[test]
    fn malformed_addresses_are_invalid() {
        for raw in [
            "not-an-email",
            "@example.org",
            "alice@",
            "alice@example",
            "alice@@example.org",
            "alice@exa@mple.org",
            "alice@example..org",
            "alice@.example.org",
            "alice@example.org.",
            "alice@-example.org",
            "alice@example-.org",
            "alice@127.0.0.1",
            "al ice@example.org",
            ".alice@example.org",
            "alice.@example.org",
            "al..ice@example.org",
            "alice@exa mple.org",
            "alice@example_org.com",
            "<alice>@example.org",
        ] {
            assert_eq!(EmailAddress::parse(raw), Err(INVALID.to_owned()), "input {raw:?}");
        }
    }

    #[test]
    fn an_empty_address_is_required() {
        assert_eq!(EmailAddress::parse(" "), Err(REQUIRED.to_owned()));
    }

    #[test]
    fn invisible_and_reordering_characters_are_refused() {
        // A right-to-left override shows "alice@example.org" for what is not; a zero-width space
        // makes a second account for the same-looking address.
        for address in
            ["\u{202E}gro.elpmaxe@ecila", "al\u{200B}ice@example.org", "alice\u{2066}@example.org", "a\u{FEFF}@b.org"]
        {
            assert_eq!(EmailAddress::parse(address), Err(INVALID.to_owned()), "{address:?}");
        }
        assert!(EmailAddress::parse("zoë.k+lab@exämple.org").is_ok());
    }

    #[test]
    fn addresses_longer_than_254_bytes_are_refused() {
        let local = "a".repeat(64);
        // The domain label limit is 63, so build the long domain from several labels.
        let labels = |n: usize| vec!["d".repeat(60); n].join(".");
        let too_long = format!("{local}@{}.org", labels(4));
        assert!(too_long.len() > 254);
        assert_eq!(EmailAddress::parse(&too_long), Err("Email address must be at most 254 characters".to_owned()));
        let within = format!("{local}@{}.org", labels(3));
        assert!(within.len() <= 254);
        assert!(EmailAddress::parse(&within).is_ok());
    }

    #[test]
    fn addresses_differing_in_case_share_a_key() {
        assert_eq!(
            EmailAddress::parse("Alice@Example.org").unwrap().key(),
            EmailAddress::parse("alice@example.ORG").unwrap().key()
        );
    }
}

#[cfg(test)]
mod properties {
    //! Property tests: parsing never panics, accepts every address built by the documented rules,
    //! refuses one with a forbidden character, and what it accepts parses again to itself.

    use proptest::prelude::*;

    use super::*;

    fn config() -> ProptestConfig {
        ProptestConfig { failure_persistence: None, ..ProptestConfig::default() }
    }

    /// Addresses the rules allow, built independently of the parser: dot-separated atoms (ASCII
    /// `atext` and some letters beyond ASCII), `@`, and labels of letters, digits and inner hyphens under a
    /// top-level domain that is not all digits; 4 * 15 + 3 < 64 bytes of local part and at most
    /// 64 + 1 + 4 * 13 * 2 + 4 + 7 * 2 < 254 bytes in all.
    fn valid_address() -> impl Strategy<Value = String> {
        let atom = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~é日-]{1,5}";
        let local = prop::collection::vec(atom, 1..=4).prop_map(|atoms| atoms.join("."));
        let label = "[a-z0-9ü]([a-zA-Z0-9ü-]{0,10}[a-zA-Z0-9ü])?";
        let domain = (prop::collection::vec(label, 0..=3), "[a-zA-Zü][a-zA-Z0-9ü]{0,6}");
        (local, domain, "[a-z0-9]{1,5}").prop_map(|(local, (mut labels, tld), first)| {
            labels.insert(0, first);
            labels.push(tld);
            format!("{local}@{}", labels.join("."))
        })
    }

    fn raw_address() -> impl Strategy<Value = String> {
        let char = prop_oneof![
            4 => prop::sample::select(&[
                'a', 'Z', '0', '.', '@', '-', '_', '+', 'é', 'İ', ' ', '\t', '\u{a0}', '<', '>', '(', ')', '[', ']',
                ',', ';', ':', '\\', '"', '\0', '😀',
            ][..]),
            1 => any::<char>(),
        ];
        prop_oneof![
            any::<String>(),
            prop::collection::vec(char, 0..40).prop_map(String::from_iter),
            valid_address(),
            ("[a-zé]{1,70}", "[a-z0-9é-]{1,70}(\\.[a-z0-9é-]{1,70}){1,4}").prop_map(|(l, d)| format!("{l}@{d}")),
        ]
    }

    const FORBIDDEN_IN_LOCAL_PART: &[char] =
        &[' ', '\t', '\u{a0}', '\0', '@', '<', '>', '(', ')', '[', ']', ',', ';', ':', '\\', '"'];

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn an_accepted_address_is_trimmed_within_the_limits_stable_and_keyed_in_lower_case(raw in raw_address()) {
            let parsed = EmailAddress::parse(&raw);
            prop_assert_eq!(&parsed, &EmailAddress::parse(&raw), "parsing is deterministic");
            match parsed {
                Ok(address) => {
                    prop_assert_eq!(address.as_str(), raw.trim());
                    prop_assert!(address.as_str().len() <= MAX_EMAIL_BYTES);
                    let (local, domain) = address.as_str().split_once('@').unwrap();
                    prop_assert!(!domain.contains('@'), "exactly one @");
                    prop_assert!(!local.is_empty() && local.len() <= MAX_LOCAL_PART_BYTES);
                    prop_assert!(domain.contains('.'));
                    prop_assert!(!address.as_str().chars().any(|c| c.is_whitespace() || c.is_control()));
                    let again = EmailAddress::parse(address.as_str());
                    prop_assert_eq!(again, Ok(address.clone()), "parsing again changes nothing");
                    let key = address.key();
                    prop_assert_eq!(&key.to_lowercase(), &key, "the key is lower case");
                    prop_assert_eq!(&key, &crate::domain::fold_case(address.as_str()));
                }
                Err(message) => prop_assert!(!message.is_empty()),
            }
        }

        #[test]
        fn every_address_the_rules_allow_is_accepted(
            address in valid_address(),
            before in "[ \t]{0,2}",
            after in "[ \t]{0,2}",
        ) {
            let padded = format!("{before}{address}{after}");
            prop_assert_eq!(EmailAddress::parse(&padded).map(|e| e.0), Ok(address));
        }

        #[test]
        fn a_forbidden_character_in_the_local_part_makes_it_invalid(
            address in valid_address(),
            at in any::<prop::sample::Index>(),
            bad in prop::sample::select(FORBIDDEN_IN_LOCAL_PART),
        ) {
            let local_len = address.find('@').unwrap();
            let boundaries: Vec<usize> = (0..=local_len).filter(|i| address.is_char_boundary(*i)).collect();
            let mut broken = address.clone();
            broken.insert(*at.get(&boundaries), bad);
            prop_assume!(broken.trim() == broken);
            prop_assert_eq!(EmailAddress::parse(&broken), Err(INVALID.to_owned()), "{:?}", broken);
        }
    }
}
