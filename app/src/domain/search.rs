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
//! Differences from Dioptra 1.2.2's parser, all in what it refuses: letters beyond ASCII are
//! allowed, and spaces around a bare term are ignored rather than searched for.

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchError {
    pub reason: String,
}

/// Parses a whole query. An empty query is no terms (everything matches).
pub fn parse_search(query: &str) -> Result<Vec<SearchTerm>, SearchError> {
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let mut parser = Parser { chars: query.chars().collect(), at: 0 };
    let mut terms = vec![parser.term()?];
    while parser.peek().is_some() {
        parser.expect(',')?;
        terms.push(parser.term()?);
    }
    Ok(terms)
}

/// Checks every term's field against `searchable`, the fields this collection can search.
pub fn check_fields(terms: &[SearchTerm], searchable: &[&str]) -> Result<(), SearchError> {
    match terms.iter().filter_map(|t| t.field.as_deref()).find(|f| !searchable.contains(f)) {
        Some(field) => Err(SearchError { reason: format!("'{field}' is not a valid field") }),
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
        Err(SearchError { reason: format!("expected {expected}, {found}") })
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
            Piece::Text(text) => text
                .to_lowercase()
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
