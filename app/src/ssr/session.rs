//! Session tokens and the cookie that carries them.
//!
//! A token is 256 random bits, sent to the browser once and never stored: the database keeps its
//! SHA-256, so reading the sessions table (a backup, a replica) gives nobody a way in. Looking a
//! token up is one primary-key read of that hash.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

pub const COOKIE_NAME: &str = "dioptra_session";
/// With `Secure`, the `__Host-` prefix makes the browser refuse the cookie from any other
/// origin or path, and refuse it over plain http.
pub const SECURE_COOKIE_NAME: &str = "__Host-dioptra_session";

/// A session token as the browser holds it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

impl SessionToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system provides randomness");
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Accepts only what `generate` makes, so junk in a cookie never reaches the database.
    pub fn from_cookie_value(value: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(value).ok()?;
        (bytes.len() == 32).then(|| Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database stores and looks up.
    pub fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.0.as_bytes()).to_vec()
    }
}

/// How session cookies are written for this deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CookiePolicy {
    /// True when the site is served over https: the cookie gets `Secure` and the `__Host-` name.
    pub secure: bool,
}

impl CookiePolicy {
    pub fn name(&self) -> &'static str {
        if self.secure { SECURE_COOKIE_NAME } else { COOKIE_NAME }
    }

    /// The `Set-Cookie` value that hands `token` to the browser for `max_age_secs`.
    pub fn set(&self, token: &SessionToken, max_age_secs: i64) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{}={}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}", self.name(), token.as_str())
    }

    /// The `Set-Cookie` value that makes the browser forget the session.
    pub fn clear(&self) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax{secure}",
            self.name()
        )
    }

    /// The session token in a request's `Cookie` headers, if there is a well-formed one.
    pub fn token_from_headers(&self, headers: &http::HeaderMap) -> Option<SessionToken> {
        headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.name())
            .and_then(|(_, value)| SessionToken::from_cookie_value(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_256_random_bits_and_differ() {
        let a = SessionToken::generate();
        let b = SessionToken::generate();
        assert_ne!(a, b);
        assert_eq!(URL_SAFE_NO_PAD.decode(a.as_str()).unwrap().len(), 32);
        assert_eq!(a.hash().len(), 32);
        assert_ne!(a.hash(), a.as_str().as_bytes());
    }

    #[test]
    fn only_well_formed_tokens_are_read_from_cookies() {
        let token = SessionToken::generate();
        let policy = CookiePolicy { secure: false };
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::COOKIE, format!("other=1; dioptra_session={}", token.as_str()).parse().unwrap());
        assert_eq!(policy.token_from_headers(&headers), Some(token));
        headers.insert(http::header::COOKIE, "dioptra_session=short".parse().unwrap());
        assert_eq!(policy.token_from_headers(&headers), None);
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_only_over_https() {
        let token = SessionToken::generate();
        let plain = CookiePolicy { secure: false }.set(&token, 60);
        assert!(plain.starts_with("dioptra_session="));
        assert!(plain.contains("; HttpOnly; SameSite=Lax") && plain.contains("Path=/") && !plain.contains("Secure"));
        let secure = CookiePolicy { secure: true }.set(&token, 60);
        assert!(secure.starts_with("__Host-dioptra_session=") && secure.ends_with("; Secure"));
        assert!(!secure.contains("Domain"));
    }
}
