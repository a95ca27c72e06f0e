//! The search language of Dioptra's REST API (`?search=`), parsed into SQL `LIKE` patterns.
//!
//! A query is a comma-separated list of terms, all of which must match:
//! - `field:value` matches the field exactly, with `*` (any run of characters) and `?` (one
//!   character) as wildcards: `username:alice`, `username:al*`, `email:'a b*'`.
//! - a bare value matches any searchable field *containing* it, each word in order:
//!   `ali` finds `alice`; `foo bar` finds `foo and bar`.
//!
//! `\` escapes `\ ? * " ' n : ,` (`\n` is a newline); values in single or double quotes may hold
//! spaces, commas and colons. Matching ignores case on every database backend (the columns
//! searched hold lower-cased keys, and patterns are lower-cased here).
//!
//! A query has at most [`MAX_SEARCH_TERMS`] terms and [`MAX_SEARCH_CHARS`] characters: each term
//! is one more `LIKE` per row (two for a bare term), so an unbounded query could keep the
//! database busy for as long as a caller liked.
//!
//! Differences from Dioptra 1.2.2's parser, all in what it refuses: letters beyond ASCII are
//! allowed, spaces around a bare term are ignored rather than searched for, and the limits above.

/// A piece of a search value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    /// `*`
    AnyRun,
    /// `?`
    AnyChar,
}

/// One parsed term: a field to match exactly, or any field to match fuzzily.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm {
    pub field: Option<String>,
    /// The `LIKE` pattern, lower-cased, with `/` as its escape character.
    pub pattern: String,
}

/// The most terms a query may have.
pub const MAX_SEARCH_TERMS: usize = 10;
/// The most characters (Unicode scalar values) a query may have.
pub const MAX_SEARCH_CHARS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchError {
    pub reason: String,
    /// The query is over one of the limits (too long, too many terms), rather than malformed.
    pub over_limit: bool,
}

impl SearchError {
    fn malformed(reason: String) -> Self {
        Self { reason, over_limit: false }
    }

    fn over_limit(reason: String) -> Self {
        Self { reason, over_limit: true }
    }

    /// The reason as a sentence of its own: capitalised, with a full stop.
    pub fn sentence(&self) -> String {
        let mut chars = self.reason.chars();
        match chars.next() {
            Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
            None => String::new(),
        }
    }
}

/// Parses a whole query. An empty query is no terms (everything matches).
pub fn parse_search(query: &str) -> Result<Vec<SearchTerm>, SearchError> {
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let chars = query.chars().count();
    if chars > MAX_SEARCH_CHARS {
        return Err(SearchError::over_limit(format!(
            "a search may have at most {MAX_SEARCH_CHARS} characters; this one has {chars}"
        )));
    }
    let mut parser = Parser { chars: query.chars().collect(), at: 0 };
    let mut terms = vec![parser.term()?];
    while parser.peek().is_some() {
        parser.expect(',')?;
        if terms.len() == MAX_SEARCH_TERMS {
            return Err(SearchError::over_limit(format!("a search may have at most {MAX_SEARCH_TERMS} terms")));
        }
        terms.push(parser.term()?);
    }
    Ok(terms)
}

/// Checks every term's field against `searchable`, the fields this collection can search.
pub fn check_fields(terms: &[SearchTerm], searchable: &[&str]) -> Result<(), SearchError> {
    match terms.iter().filter_map(|t| t.field.as_deref()).find(|f| !searchable.contains(f)) {
        Some(field) => Err(SearchError::malformed(format!("'{field}' is not a valid field"))),
        None => Ok(()),
    }
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

const GRAMMAR_CHARS: &str = "\\?*\"':,";
const ESCAPABLE: &str = "\\?*\"'n:,";

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn error<T>(&self, expected: &str) -> Result<T, SearchError> {
        let found = match self.peek() {
            Some(c) => format!("found {c:?} at position {}", self.at + 1),
            None => "found the end of the query".to_owned(),
        };
        Err(SearchError::malformed(format!("expected {expected}, {found}")))
    }

    fn expect(&mut self, c: char) -> Result<(), SearchError> {
        if self.peek() == Some(c) {
            self.at += 1;
            Ok(())
        } else {
            self.error(&format!("{c:?}"))
        }
    }

    fn term(&mut self) -> Result<SearchTerm, SearchError> {
        // `name:` starts a field term; anything else is a bare term.
        let name_len = self.chars[self.at..].iter().take_while(|c| c.is_ascii_alphabetic() || **c == '_').count();
        if name_len > 0 && self.chars.get(self.at + name_len) == Some(&':') {
            let field: String = self.chars[self.at..self.at + name_len].iter().collect();
            self.at += name_len + 1;
            let pieces = self.value(false)?;
            return Ok(SearchTerm { field: Some(field), pattern: like_pattern(&pieces, false) });
        }
        while self.peek() == Some(' ') {
            self.at += 1;
        }
        let mut pieces = self.value(true)?;
        while matches!(pieces.last(), Some(Piece::Text(t)) if t.trim_end().is_empty()) {
            pieces.pop();
        }
        if let Some(Piece::Text(last)) = pieces.last_mut() {
            last.truncate(last.trim_end_matches(' ').len());
        }
        // Whitespace alone (a quoted space, a tab) would match every row.
        if pieces.is_empty() {
            return self.error("a search value");
        }
        Ok(SearchTerm { field: None, pattern: like_pattern(&pieces, true) })
    }

    /// A quoted value, or an unquoted one (with spaces only when `spaces` is true).
    fn value(&mut self, spaces: bool) -> Result<Vec<Piece>, SearchError> {
        if let Some(quote @ ('\'' | '"')) = self.peek() {
            self.at += 1;
            let pieces = self.pieces(|c| c != quote && c != '\n', false)?;
            self.expect(quote)?;
            return nonempty(pieces, self);
        }
        let pieces = self.pieces(|c| !GRAMMAR_CHARS.contains(c) && !c.is_control() && (spaces || c != ' '), spaces)?;
        nonempty(pieces, self)
    }

    /// Text, escapes and wildcards while `allowed` accepts the next character. With
    /// `split_words`, spaces become their own pieces (fuzzy terms match word by word).
    fn pieces(&mut self, allowed: impl Fn(char) -> bool, split_words: bool) -> Result<Vec<Piece>, SearchError> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let flush = |text: &mut String, pieces: &mut Vec<Piece>| {
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(text)));
            }
        };
        while let Some(c) = self.peek() {
            match c {
                '*' | '?' => {
                    flush(&mut text, &mut pieces);
                    pieces.push(if c == '*' { Piece::AnyRun } else { Piece::AnyChar });
                }
                '\\' => {
                    let Some(escaped) = self.chars.get(self.at + 1).copied().filter(|e| ESCAPABLE.contains(*e)) else {
                        self.at += 1;
                        return self.error("one of \\ ? * \" ' n : , after \\");
                    };
                    text.push(if escaped == 'n' { '\n' } else { escaped });
                    self.at += 1;
                }
                ' ' if split_words && allowed(c) => {
                    flush(&mut text, &mut pieces);
                    pieces.push(Piece::Text(" ".into()));
                }
                _ if allowed(c) => text.push(c),
                _ => break,
            }
            self.at += 1;
        }
        flush(&mut text, &mut pieces);
        Ok(pieces)
    }
}

fn nonempty(pieces: Vec<Piece>, parser: &Parser) -> Result<Vec<Piece>, SearchError> {
    if pieces.is_empty() { parser.error("a search value") } else { Ok(pieces) }
}

/// The `LIKE` pattern (escape character `/`) for `pieces`. Fuzzy patterns put `%` around and
/// between the pieces, as Dioptra does.
fn like_pattern(pieces: &[Piece], fuzzy: bool) -> String {
    let parts: Vec<String> = pieces
        .iter()
        .map(|piece| match piece {
            Piece::Text(text) => super::fold_case(text)
                .chars()
                .flat_map(|c| match c {
                    '/' | '%' | '_' => vec!['/', c],
                    _ => vec![c],
                })
                .collect(),
            Piece::AnyRun => "%".to_owned(),
            Piece::AnyChar => "_".to_owned(),
        })
        .collect();
    if fuzzy { format!("%{}%", parts.join("%")) } else { parts.concat() }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each term as `field=pattern`, with `*` for a bare term's "any field".
    fn patterns(query: &str) -> Vec<String> {
        parse_search(query)
            .unwrap_or_else(|e| panic!("{query:?}: {}", e.reason))
            .into_iter()
            .map(|t| format!("{}={}", t.field.as_deref().unwrap_or("*"), t.pattern))
            .collect()
    }

    #[test]
    fn field_terms_are_exact_patterns_with_wildcards() {
        assert_eq!(patterns("username:alice"), vec!["username=alice"]);
        assert_eq!(patterns("username:*user*"), vec!["username=%user%"]);
        assert_eq!(patterns("username:'*user*'"), vec!["username=%user%"]);
        assert_eq!(patterns("username:\"user?\""), vec!["username=user_"]);
        assert_eq!(patterns("name:pub"), vec!["name=pub"]);
    }

    #[test]
    fn bare_terms_are_fuzzy() {
        assert_eq!(patterns("public"), vec!["*=%public%"]);
        assert_eq!(patterns("pub*"), vec!["*=%pub%%%"]);
        assert_eq!(patterns("foo bar"), vec!["*=%foo% %bar%"]);
        assert_eq!(patterns("  padded  "), vec!["*=%padded%"]);
    }

    #[test]
    fn terms_are_separated_by_commas() {
        assert_eq!(patterns("username:user?,email:user*"), vec!["username=user_", "email=user%"]);
        let terms = parse_search("description:\"my value\",tag:something,name:else,extra").unwrap();
        assert_eq!(terms.len(), 4);
        assert_eq!(terms[3].field, None);
        assert_eq!(terms[0].pattern, "my value");
    }

    #[test]
    fn escapes_make_grammar_characters_literal() {
        assert_eq!(patterns(r"username:\*user*"), vec!["username=*user%"]);
        assert_eq!(patterns(r"a\,b\:c\\d\?"), vec![r"*=%a,b:c\d?%"]);
        assert_eq!(patterns(r"x\ny"), vec!["*=%x\ny%"]);
        assert_eq!(patterns("'a, b: c'"), vec!["*=%a, b: c%"]);
    }

    #[test]
    fn like_metacharacters_in_values_are_escaped_and_case_is_folded() {
        assert_eq!(patterns("name:100%_a/b"), vec!["name=100/%/_a//b"]);
        assert_eq!(patterns("username:ALICE"), vec!["username=alice"]);
        assert_eq!(patterns("Zoë"), vec!["*=%zoë%"]);
    }

    #[test]
    fn malformed_queries_are_refused_with_a_reason() {
        for query in [",", "a,", ",a", "a,,b", "username:", "username:a b", "'unclosed", "a\\x", "a:b:c", "\"\"", "x'y"]
        {
            assert!(parse_search(query).is_err(), "{query:?} should not parse");
        }
        let error = parse_search("a,").unwrap_err();
        assert_eq!(error.reason, "expected a search value, found the end of the query");
    }

    #[test]
    fn a_query_has_at_most_ten_terms_and_256_characters() {
        let ten = ["a"; MAX_SEARCH_TERMS].join(",");
        assert_eq!(parse_search(&ten).unwrap().len(), MAX_SEARCH_TERMS);
        let error = parse_search(&format!("{ten},b")).unwrap_err();
        assert!(error.over_limit);
        assert_eq!(error.reason, "a search may have at most 10 terms");
        assert_eq!(error.sentence(), "A search may have at most 10 terms.");
        // Even when the extra terms would not parse: the limit is checked first.
        assert!(parse_search(&format!("{ten},,")).unwrap_err().over_limit);

        let longest = "é".repeat(MAX_SEARCH_CHARS);
        assert!(parse_search(&longest).is_ok(), "characters are counted, not bytes");
        let error = parse_search(&format!("{longest}x")).unwrap_err();
        assert!(error.over_limit);
        assert_eq!(error.reason, "a search may have at most 256 characters; this one has 257");
        assert!(!parse_search("a,,b").unwrap_err().over_limit);
    }

    #[test]
    fn an_empty_query_has_no_terms() {
        assert_eq!(parse_search("").unwrap(), vec![]);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let terms = parse_search("name:x").unwrap();
        assert_eq!(check_fields(&terms, &["username", "email"]).unwrap_err().reason, "'name' is not a valid field");
        assert!(check_fields(&terms, &["name"]).is_ok());
    }
}

#[cfg(test)]
mod properties {
    //! Property tests: the parser never panics, every pattern it returns is a well-formed `LIKE`
    //! pattern (escape `/`) that says what the query said, and searches find the keys they should.

    use proptest::prelude::*;

    use super::*;
    use crate::domain::{Username, username_key};

    fn config() -> ProptestConfig {
        // Failures are kept as plain tests in this module rather than in regression files.
        ProptestConfig { failure_persistence: None, ..ProptestConfig::default() }
    }

    /// Characters the grammar or `LIKE` give a meaning, and some with unusual lower cases.
    const SPECIAL: &[char] = &[
        '\\', '*', '?', '"', '\'', ',', ':', ' ', 'n', '%', '_', '/', '\n', '\t', '\r', '\0', 'a', 'Z', 'é', 'İ', 'ß',
        'Σ', 'ς', '😀', '\u{0301}', '\u{00a0}',
    ];

    fn query_char() -> impl Strategy<Value = char> {
        prop_oneof![3 => prop::sample::select(SPECIAL), 1 => any::<char>()]
    }

    fn text(len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
        prop::collection::vec(query_char(), len).prop_map(String::from_iter)
    }

    /// Anything at all, noise made of the grammar's characters, and near-queries: terms with and
    /// without a field name, joined by commas.
    fn query() -> impl Strategy<Value = String> {
        let term = ("([A-Za-z_]{1,8}:)?", text(0..10)).prop_map(|(field, value)| field + &value);
        prop_oneof![any::<String>(), text(0..40), prop::collection::vec(term, 1..4).prop_map(|terms| terms.join(",")),]
    }

    /// A `LIKE` pattern's parts.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Like {
        Char(char),
        AnyRun,
        AnyChar,
    }

    /// Reads `pattern` with `/` as its escape character, refusing an escape of anything but
    /// `/ % _` or at the end (PostgreSQL refuses a trailing escape; SQLite differs).
    fn like_parts(pattern: &str) -> Result<Vec<Like>, String> {
        let mut parts = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            parts.push(match c {
                '/' => match chars.next() {
                    Some(escaped @ ('/' | '%' | '_')) => Like::Char(escaped),
                    other => return Err(format!("{pattern:?}: `/` followed by {other:?}")),
                },
                '%' => Like::AnyRun,
                '_' => Like::AnyChar,
                _ => Like::Char(c),
            });
        }
        Ok(parts)
    }

    /// Whether `text LIKE pattern ESCAPE '/'`, as the database decides it (case-sensitively:
    /// both sides are lower-cased before they meet).
    fn like(pattern: &str, text: &str) -> bool {
        let parts = like_parts(pattern).unwrap();
        let text: Vec<char> = text.chars().collect();
        // matches[j]: whether the parts so far match text[..j].
        let mut matches = vec![false; text.len() + 1];
        matches[0] = true;
        for part in parts {
            let mut next = vec![false; text.len() + 1];
            for j in 0..=text.len() {
                next[j] = match part {
                    Like::AnyRun => matches[j] || (j > 0 && next[j - 1]),
                    Like::AnyChar => j > 0 && matches[j - 1],
                    Like::Char(c) => j > 0 && matches[j - 1] && text[j - 1] == c,
                };
            }
            matches = next;
        }
        matches[text.len()]
    }

    /// The text a pattern without wildcards matches, or `None` if it has a wildcard.
    fn literal(pattern: &str) -> Option<String> {
        like_parts(pattern)
            .unwrap()
            .into_iter()
            .map(|part| match part {
                Like::Char(c) => Some(c),
                _ => None,
            })
            .collect()
    }

    /// `value` in double quotes, escaped so that every character of it is literal.
    fn quoted(value: &str) -> String {
        let mut query = String::from("\"");
        for c in value.chars() {
            match c {
                '\n' => query.push_str("\\n"),
                '\\' | '"' | '*' | '?' => query.extend(['\\', c]),
                _ => query.push(c),
            }
        }
        query.push('"');
        query
    }

    /// `value` unquoted, escaped so that every character of it is literal; for values without
    /// spaces or control characters other than `\n`.
    fn unquoted(value: &str) -> String {
        let mut query = String::new();
        for c in value.chars() {
            match c {
                '\n' => query.push_str("\\n"),
                _ if GRAMMAR_CHARS.contains(c) => query.extend(['\\', c]),
                _ => query.push(c),
            }
        }
        query
    }

    /// `query` parsed, or the parser's reason as a test failure.
    fn parsed(query: &str) -> Result<Vec<SearchTerm>, TestCaseError> {
        parse_search(query).map_err(|e| TestCaseError::fail(format!("{query:?}: {}", e.reason)))
    }

    /// Valid usernames, rich in characters whose lower case is not one-to-one with them.
    fn username() -> impl Strategy<Value = Username> {
        let char = prop_oneof![
            2 => prop::sample::select(&['a', 'Z', '0', '.', '_', '-', '@', '+', 'é', 'İ', 'ß', 'ǅ', 'K', 'Ω', 'Σ', 'ς'][..]),
            1 => any::<char>().prop_map(|c| if c.is_alphanumeric() { c } else { 'x' }),
        ];
        // NFC can lengthen a name past the limit (a letter it splits into a letter and a mark).
        prop::collection::vec(char, 1..=64)
            .prop_filter_map("a valid username", |chars| Username::parse(&String::from_iter(chars)).ok())
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn any_query_parses_into_well_formed_patterns_or_says_why_not(query in query()) {
            let parsed = parse_search(&query);
            prop_assert_eq!(&parsed, &parse_search(&query), "the parser is deterministic");
            match parsed {
                Ok(terms) => {
                    prop_assert_eq!(terms.is_empty(), query.is_empty());
                    for term in terms {
                        prop_assert!(like_parts(&term.pattern).is_ok(), "{:?}", like_parts(&term.pattern));
                        prop_assert_eq!(term.pattern.to_lowercase(), term.pattern.clone(), "patterns are lower case");
                        match term.field {
                            Some(field) => {
                                prop_assert!(field.chars().all(|c| c.is_ascii_alphabetic() || c == '_'));
                                let named = format!("{field}:");
                                prop_assert!(query.contains(&named));
                            }
                            None => prop_assert!(
                                term.pattern.len() >= 2 && term.pattern.starts_with('%') && term.pattern.ends_with('%'),
                                "a bare term matches anywhere in a field: {:?}", term.pattern
                            ),
                        }
                    }
                }
                Err(error) => prop_assert!(error.reason.starts_with("expected "), "{:?}", error.reason),
            }
        }

        #[test]
        fn a_term_matches_everything_only_when_the_query_has_a_star(
            query in query(),
        ) {
            for term in parse_search(&query).unwrap_or_default() {
                let every = like_parts(&term.pattern).unwrap().iter().all(|part| *part == Like::AnyRun);
                prop_assert!(!every || query.contains('*'), "{:?} became {:?}", query, term.pattern);
            }
        }

        #[test]
        fn a_quoted_field_value_matches_exactly_its_own_lower_case(
            field in "[A-Za-z_]{1,10}",
            value in text(1..20).prop_filter("no quote", |v| !v.is_empty()),
            other in text(0..20),
        ) {
            let terms = parsed(&format!("{field}:{}", quoted(&value)))?;
            prop_assert_eq!(terms.len(), 1);
            prop_assert_eq!(terms[0].field.as_deref(), Some(field.as_str()));
            let pattern = &terms[0].pattern;
            let lower = crate::domain::fold_case(&value);
            prop_assert_eq!(literal(pattern), Some(lower.clone()), "pattern {:?}", pattern);
            prop_assert!(like(pattern, &lower));
            let longer = format!("{lower}x");
            prop_assert!(!like(pattern, &longer));
            prop_assert_eq!(like(pattern, &other), other == lower, "{:?} against {:?}", pattern, other);
        }

        #[test]
        fn an_unquoted_field_value_means_the_same_as_a_quoted_one(
            field in "[A-Za-z_]{1,10}",
            value in text(1..20).prop_filter("no space or control character", |v| {
                !v.is_empty() && v.chars().all(|c| c == '\n' || (c != ' ' && !c.is_control()))
            }),
        ) {
            let unquoted = parsed(&format!("{field}:{}", unquoted(&value)))?;
            prop_assert_eq!(unquoted, parse_search(&format!("{field}:{}", quoted(&value))).unwrap());
        }

        #[test]
        fn a_quoted_bare_value_is_searched_for_anywhere(
            value in text(1..20).prop_filter("no space at either end", |v| {
                v.trim() == v && !v.is_empty()
            }),
        ) {
            let terms = parsed(&quoted(&value))?;
            prop_assert_eq!(terms.len(), 1);
            prop_assert_eq!(terms[0].field.as_deref(), None);
            let pattern = &terms[0].pattern;
            let inner = pattern.strip_prefix('%').and_then(|p| p.strip_suffix('%'));
            prop_assert_eq!(inner.and_then(literal), Some(crate::domain::fold_case(&value)), "pattern {:?}", pattern);
        }

        #[test]
        fn terms_joined_by_a_comma_parse_as_the_terms_of_each(first in query(), second in query()) {
            if let (Ok(mut a), Ok(b)) = (parse_search(&first), parse_search(&second)) {
                prop_assume!(!a.is_empty() && !b.is_empty());
                a.extend(b);
                prop_assert_eq!(parse_search(&format!("{first},{second}")), Ok(a));
            }
        }

        #[test]
        fn searching_for_part_of_a_username_finds_it(user in username(), start in 0usize..64, len in 1usize..64) {
            let chars: Vec<char> = user.as_str().chars().collect();
            let start = start % chars.len();
            let end = (start + len).min(chars.len());
            let part: String = chars[start..end].iter().collect();
            let prefix: String = chars[..end].iter().collect();
            let key = user.key();
            for query in [
                unquoted(&part),
                format!("username:{}", unquoted(user.as_str())),
                format!("username:{}*", unquoted(&prefix)),
                format!("username:*{}*", unquoted(&part)),
            ] {
                let terms = parsed(&query)?;
                prop_assert_eq!(terms.len(), 1);
                let pattern = &terms[0].pattern;
                prop_assert!(like(pattern, &key), "{:?} ({:?}) does not find {:?}", query, pattern, key);
            }
        }

        #[test]
        fn fields_are_checked_against_exactly_the_searchable_ones(query in query()) {
            if let Ok(terms) = parse_search(&query) {
                let searchable = ["username", "email", "name"];
                let all_known = terms.iter().all(|t| t.field.as_deref().is_none_or(|f| searchable.contains(&f)));
                prop_assert_eq!(check_fields(&terms, &searchable).is_ok(), all_known);
            }
        }
    }

    /// `str::to_lowercase` turns a word-final `Σ` into `ς` and any other into `σ`: without
    /// `fold_case`, the lower case of part of a name would not always be part of the name's lower
    /// case. Found by `searching_for_part_of_a_username_finds_it`.
    #[test]
    fn a_search_for_part_of_a_name_with_a_sigma_finds_it() {
        let key = Username::parse("ΟΔΟΣΑ").unwrap().key();
        assert_eq!(key, "οδοσα");
        for query in ["ΟΔΟΣ", "username:ΟΔΟΣ*", "username:*ΔΟΣ*"] {
            let pattern = &parse_search(query).unwrap()[0].pattern;
            assert!(like(pattern, &key), "{query:?} ({pattern:?}) does not find {key:?}");
        }
    }

    #[test]
    fn names_differing_only_in_a_sigmas_case_share_a_key() {
        assert_eq!(Username::parse("ΟΔΟΣ").unwrap().key(), Username::parse("οδοσ").unwrap().key());
    }

    /// A bare value made only of whitespace (a quoted space, a tab, `\n`, a no-break space) would
    /// be trimmed to the pattern `%%`, which matches every row. Found by
    /// `a_term_matches_everything_only_when_the_query_has_a_star`.
    #[test]
    fn a_value_of_only_whitespace_is_refused() {
        for query in ["\u{a0}", "' '", "\"\t\"", "\\n", "a,\u{3000}"] {
            assert!(parse_search(query).is_err(), "{query:?} gives {:?}", parse_search(query));
        }
    }

    #[test]
    fn the_like_model_agrees_with_the_examples() {
        assert!(like("%user%", "superuser1"));
        assert!(like("user_", "user1"));
        assert!(!like("user_", "user"));
        assert!(like("100/%/_a//b", "100%_a/b"));
        assert!(!like("100/%/_a//b", "100x_a/b"));
        assert!(like_parts("a/").is_err());
        assert_eq!(username_key(" ΑΒ "), "αβ");
    }
}
