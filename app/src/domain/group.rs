//! What a group's name may be, and which member permissions go together.

use super::REQUIRED;

pub const MAX_GROUP_NAME_CHARS: usize = 255;

/// A group's name: trimmed, in Unicode's composed form (NFC), 1 to 255 characters, no `:` (the
/// separator of the `creator:name` label that tells two creators' groups of one name apart) and
/// no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName(String);

impl GroupName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = super::nfc(raw.trim());
        let name = name.as_ref();
        if name.is_empty() {
            return Err(REQUIRED.into());
        }
        if name.chars().count() > MAX_GROUP_NAME_CHARS {
            return Err(format!("A group name must be at most {MAX_GROUP_NAME_CHARS} characters"));
        }
        if name.contains(':') {
            return Err("A group name cannot contain ':'".into());
        }
        if name.chars().any(char::is_control) {
            return Err("A group name cannot contain control characters".into());
        }
        if name.chars().any(is_deceptive) {
            return Err("A group name cannot contain invisible characters or look-alikes of ':'".into());
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form searches compare: composed and in one case.
    pub fn key(&self) -> String {
        super::fold_case(&self.0)
    }
}

/// Characters a name could use to pass for another: the separator's look-alikes, and invisible
/// ones (zero-width characters, direction overrides) that make two names look the same.
fn is_deceptive(c: char) -> bool {
    matches!(c,
        // Look-alikes of ':'.
        '\u{2236}' | '\u{FF1A}' | '\u{FE13}' | '\u{FE55}' | '\u{A789}' | '\u{02D0}' | '\u{0589}' | '\u{05C3}'
        | '\u{02F8}' | '\u{205A}' | '\u{16EC}' | '\u{1803}' | '\u{1809}' | '\u{0703}' | '\u{0704}' | '\u{0903}'
        | '\u{0A83}' | '\u{FE30}' | '\u{A4FD}'
        // Invisible characters: format controls, fillers, variation selectors, tags.
        | '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
        | '\u{2028}'..='\u{202F}' | '\u{2060}'..='\u{206F}' | '\u{2800}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}' | '\u{E0100}'..='\u{E01EF}'
        // Spaces that look like the ordinary one.
        | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{205F}' | '\u{3000}')
}

/// What a member may do in a group's resources. Some permissions need others: writing needs
/// reading, sharing for reading needs reading, sharing for writing needs writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemberFlags {
    pub read: bool,
    pub write: bool,
    pub share_read: bool,
    pub share_write: bool,
}

/// A permission given without one it needs: `flag` (the API's name) needs `needs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrokenImplication {
    pub flag: &'static str,
    pub needs: &'static str,
}

impl BrokenImplication {
    pub fn sentence(self) -> String {
        format!("'{}' needs '{}' as well.", self.flag, self.needs)
    }
}

impl MemberFlags {
    /// Every permission: what a group's owner holds.
    pub const ALL: Self = Self { read: true, write: true, share_read: true, share_write: true };
    /// What a member added without naming permissions gets.
    pub const READ_ONLY: Self = Self { read: true, write: false, share_read: false, share_write: false };

    /// The flags, if every permission given has the ones it needs (`write` and `shareRead` need
    /// `read`, `shareWrite` needs `write`).
    pub fn checked(self) -> Result<Self, BrokenImplication> {
        let rules = [
            (self.write && !self.read, "write", "read"),
            (self.share_read && !self.read, "shareRead", "read"),
            (self.share_write && !self.write, "shareWrite", "write"),
        ];
        match rules.into_iter().find(|(broken, ..)| *broken) {
            Some((_, flag, needs)) => Err(BrokenImplication { flag, needs }),
            None => Ok(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_composed_and_bounded() {
        assert_eq!(GroupName::parse("  Red team ").unwrap().as_str(), "Red team");
        assert_eq!(GroupName::parse("Cafe\u{301}").unwrap().as_str(), "Caf\u{e9}");
        assert_eq!(GroupName::parse("   ").unwrap_err(), REQUIRED);
        assert!(GroupName::parse(&"x".repeat(255)).is_ok());
        assert!(GroupName::parse(&"x".repeat(256)).is_err());
        assert!(GroupName::parse("bob:public").unwrap_err().contains("':'"));
        assert!(GroupName::parse("two\nlines").is_err());
        for deceptive in ["bob\u{FF1A}team", "pub\u{200B}lic", "\u{202E}maet", "a\u{2236}b"] {
            assert!(GroupName::parse(deceptive).is_err(), "{deceptive:?}");
        }
        assert_eq!(GroupName::parse("\u{C9}quipe").unwrap().key(), "\u{E9}quipe");
    }

    #[test]
    fn each_implication_is_named_by_the_flag_that_breaks_it() {
        let flags = |read, write, share_read, share_write| MemberFlags { read, write, share_read, share_write };
        assert_eq!(flags(false, true, false, false).checked().unwrap_err().flag, "write");
        assert_eq!(flags(false, false, true, false).checked().unwrap_err().flag, "shareRead");
        assert_eq!(flags(true, false, false, true).checked().unwrap_err().flag, "shareWrite");
        assert!(MemberFlags::ALL.checked().is_ok());
        assert!(MemberFlags::default().checked().is_ok());
        assert!(flags(true, false, true, false).checked().is_ok());
    }
}
