//! Secrets that people copy by hand (application passwords, recovery codes): random characters
//! from an alphabet without look-alikes, shown in groups of four, read back whatever their case,
//! hyphens or spaces.

/// Lower-case letters and digits, without `0 1 i l o`: nothing to misread when copied by hand.
/// 31 characters: log2(31) ≈ 4.95 random bits each.
pub const ALPHABET: &[u8; 31] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// `chars` characters drawn uniformly from [`ALPHABET`] by the operating system's generator.
pub fn generate(chars: usize) -> String {
    let mut secret = String::with_capacity(chars);
    while secret.len() < chars {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system provides randomness");
        // 248 = 8 × 31: rejecting the rest keeps every character equally likely.
        for byte in bytes.into_iter().filter(|byte| *byte < 248) {
            if secret.len() < chars {
                secret.push(ALPHABET[usize::from(byte % 31)] as char);
            }
        }
    }
    secret
}

/// `secret` as it is shown: groups of four, joined with hyphens.
pub fn grouped(secret: &str) -> String {
    let groups: Vec<&str> = secret.as_bytes().chunks(4).filter_map(|group| std::str::from_utf8(group).ok()).collect();
    groups.join("-")
}

/// What someone typed, as [`generate`] made it, if it has its shape: `chars` characters of the
/// alphabet once hyphens and spaces are dropped and letters lower-cased.
pub fn read_back(typed: &str, chars: usize) -> Option<String> {
    let plain: String =
        typed.chars().filter(|c| *c != '-' && !c.is_whitespace()).map(|c| c.to_ascii_lowercase()).collect();
    (plain.len() == chars && plain.bytes().all(|byte| ALPHABET.contains(&byte))).then_some(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_reads_back_however_it_is_typed() {
        let secret = generate(16);
        assert_eq!(secret.len(), 16);
        let shown = grouped(&secret);
        assert_eq!(shown.len(), 19, "{shown}");
        for typed in [shown.clone(), shown.to_uppercase(), secret.clone(), shown.replace('-', " ")] {
            assert_eq!(read_back(&typed, 16).as_deref(), Some(secret.as_str()), "{typed}");
        }
        for bad in ["", "abcd-efgh-jkmn", "abcd-efgh-jkmn-pqr0", "abcd-efgh-jkmn-pqrs-tuvw"] {
            assert_eq!(read_back(bad, 16), None, "{bad:?}");
        }
    }

    #[test]
    fn every_character_of_the_alphabet_comes_up() {
        let drawn = generate(3100);
        assert!(ALPHABET.iter().all(|byte| drawn.as_bytes().contains(byte)));
    }
}
