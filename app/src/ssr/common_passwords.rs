//! The blocklist of common passwords that new passwords must not be in (NIST SP 800-63B-4 §3.1.1.2,
//! OWASP ASVS 5 V6.2.4): the 100,000 most common passwords of 8 or more characters in SecLists'
//! 10-million list, lower-cased. Shorter ones fail the length rule anyway. Attackers try these
//! first, so no hash strength saves an account that uses one.
//!
//! The list is compiled into the binary (`common-passwords.txt.gz`, see `COMMON-PASSWORDS.md` for
//! where it comes from and `scripts/make-common-passwords.sh` to rebuild it), so the check needs no
//! network and no file at run time. It is unpacked on first use into one string plus an offset per
//! entry (about 1.2 MB) and searched by bisection.

use std::cmp::Ordering;
use std::io::Read as _;
use std::sync::LazyLock;

/// The list: sorted bytewise, unique, lower-case, one entry per line.
static GZIPPED: &[u8] = include_bytes!("common-passwords.txt.gz");

static LIST: LazyLock<List> = LazyLock::new(List::load);

/// Whether `password`, ignoring case, is one of the common passwords. It is not trimmed: as
/// everywhere else, every character of a password counts.
pub fn is_common(password: &str) -> bool {
    LIST.contains(&password.to_lowercase())
}

/// How many passwords the list holds. Calling it also loads the list, so startup can do that
/// instead of the first new password.
pub fn count() -> usize {
    LIST.len()
}

/// The entries as one string of lines, and where each line starts; a last start past the end closes
/// the last line. Two allocations instead of one per entry.
struct List {
    text: Box<str>,
    starts: Box<[u32]>,
}

impl List {
    fn load() -> Self {
        let mut text = String::new();
        flate2::read::GzDecoder::new(GZIPPED)
            .read_to_string(&mut text)
            .expect("the embedded list is valid gzip'd UTF-8");
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let offset = |i: usize| u32::try_from(i).expect("the list is smaller than 4 GiB");
        let starts: Vec<u32> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| offset(i + 1))).collect();
        Self { text: text.into(), starts: starts.into() }
    }

    fn len(&self) -> usize {
        self.starts.len() - 1
    }

    fn entry(&self, index: usize) -> &str {
        &self.text[self.starts[index] as usize..self.starts[index + 1] as usize - 1]
    }

    fn contains(&self, needle: &str) -> bool {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let middle = low + (high - low) / 2;
            match self.entry(middle).cmp(needle) {
                Ordering::Less => low = middle + 1,
                Ordering::Greater => high = middle,
                Ordering::Equal => return true,
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_common_passwords_are_in_it_whatever_their_case() {
        for password in ["password", "12345678", "qwertyuiop", "iloveyou", "PassWord", "QWERTYUIOP", "Iloveyou"] {
            assert!(is_common(password), "{password} should be common");
        }
    }

    #[test]
    fn a_random_password_is_not() {
        let mut bytes = [0u8; 20];
        getrandom::fill(&mut bytes).unwrap();
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#%&*+-=?@^_~";
        let random: String = bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
        assert!(!is_common(&random));
        assert!(!is_common(""));
        assert!(!is_common("password with more words"));
    }

    #[test]
    fn it_holds_at_least_100_000_passwords() {
        assert!(count() >= 100_000, "{}", count());
    }

    /// The bisection and the case folding rely on the generated file's shape.
    #[test]
    fn the_list_is_sorted_unique_lower_case_and_trimmed() {
        let list = &*LIST;
        for index in 0..list.len() {
            let entry = list.entry(index);
            assert!(!entry.is_empty() && entry.trim() == entry, "entry {index}: {entry:?}");
            assert_eq!(entry.to_lowercase(), entry, "entry {index}");
            if index > 0 {
                assert!(list.entry(index - 1) < entry, "entries {} and {index} out of order", index - 1);
            }
        }
        assert_eq!(list.entry(0), list.text.lines().next().unwrap());
        assert_eq!(list.entry(list.len() - 1), list.text.lines().last().unwrap());
    }
}
