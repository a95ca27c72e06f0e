use super::REQUIRED;

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
        self.0.to_lowercase()
    }
}

fn is_local_part(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= MAX_LOCAL_PART_BYTES
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| !c.is_whitespace() && !c.is_control() && !"@<>()[],;:\\\"".contains(c))
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
