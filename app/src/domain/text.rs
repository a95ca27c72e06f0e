//! How names are compared: one Unicode form, one case.
//!
//! A name can be typed in two forms that look the same: `é` as one character (NFC, what keyboards
//! send) or as `e` and a combining accent (NFD, what some systems hand over). Every name is stored
//! and compared in NFC, so `Zoë` is one account however it was typed. The browser has the Unicode
//! tables already (`String.prototype.normalize`), so the WASM bundle borrows them rather than
//! carrying its own; the server uses the `unicode-normalization` crate.

use std::borrow::Cow;

/// `text` in Unicode Normalization Form C.
pub fn nfc(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    #[cfg(target_arch = "wasm32")]
    let normalized: String = js_sys::JsString::from(text).normalize("NFC").into();
    #[cfg(not(target_arch = "wasm32"))]
    let normalized: String = unicode_normalization::UnicodeNormalization::nfc(text).collect();
    if normalized == text { Cow::Borrowed(text) } else { Cow::Owned(normalized) }
}

/// Whether `c` is a combining mark (Unicode's general category M): an accent, a virama, a nukta.
pub fn is_combining_mark(c: char) -> bool {
    #[cfg(target_arch = "wasm32")]
    return js_sys::RegExp::new("^\\p{M}$", "u").test(c.encode_utf8(&mut [0; 4]));
    #[cfg(not(target_arch = "wasm32"))]
    return unicode_normalization::char::is_combining_mark(c);
}

/// Whether `c` is a format character (Unicode's general category Cf): invisible, yet able to
/// reorder the text around it (bidirectional overrides) or hide within it (zero-width
/// characters), so a name that people read never holds one.
pub fn is_format_character(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{600}'..='\u{605}'
            | '\u{61C}'
            | '\u{6DD}'
            | '\u{70F}'
            | '\u{890}'..='\u{891}'
            | '\u{8E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// Folds a name for comparing: NFC, then lower case, with the Greek final sigma (`ς`, which lower
/// casing produces only at the end of a word) made the ordinary `σ`, so that a name, its upper
/// case and any part of it fold alike.
pub fn fold_case(text: &str) -> String {
    nfc(text).to_lowercase().replace('ς', "σ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn bidirectional_overrides_and_zero_width_characters_are_format_characters() {
        for c in ['\u{202E}', '\u{2066}', '\u{200B}', '\u{200D}', '\u{FEFF}', '\u{AD}', '\u{E0041}'] {
            assert!(super::is_format_character(c), "{c:?}");
        }
        for c in ['a', 'é', ' ', '-', '\u{94D}', '\u{1F600}'] {
            assert!(!super::is_format_character(c), "{c:?}");
        }
    }

    use super::*;

    #[test]
    fn composed_and_decomposed_forms_become_one() {
        let decomposed = "Zoe\u{0308}";
        assert_eq!(nfc(decomposed), "Zo\u{00EB}");
        assert!(matches!(nfc("plain ascii"), Cow::Borrowed(_)));
        assert!(matches!(nfc("Zo\u{00EB}"), Cow::Borrowed(_)));
        assert_eq!(fold_case(decomposed), fold_case("ZO\u{00CB}"));
    }
}
