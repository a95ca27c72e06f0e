//! Session tokens and the cookie that carries them.
//!
//! A token is 256 random bits, sent to the browser once and never stored: the database keeps its
//! SHA-256, so reading the sessions table (a backup, a replica) gives nobody a way in. Looking a
//! token up is one primary-key read of that hash.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use cookie::{
    Cookie, CookieBuilder, SameSite,
    time::{Duration, OffsetDateTime},
};
use sha2::{Digest, Sha256};

use crate::ssr::accounts::ApplicationSecret;

pub const COOKIE_NAME: &str = "dioptra_session";
/// With `Secure`, the `__Host-` prefix makes the browser refuse the cookie from any other
/// origin or path, and refuse it over plain http.
pub const SECURE_COOKIE_NAME: &str = "__Host-dioptra_session";
/// The device cookie: proof that this browser once logged in to an account (see
/// [`DeviceToken`]). Named like the session cookie, with the same prefix rule.
pub const DEVICE_COOKIE_NAME: &str = "dioptra_device";
pub const SECURE_DEVICE_COOKIE_NAME: &str = "__Host-dioptra_device";
/// The cookie that carries a reset link just made from the act's form to the accounts table,
/// which shows it once and clears it: the link never appears in an address.
pub const RESET_LINK_COOKIE_NAME: &str = "dioptra_reset_link";
pub const SECURE_RESET_LINK_COOKIE_NAME: &str = "__Host-dioptra_reset_link";
/// The cookie that carries an application password just made from its form to the account
/// page, which shows it once and clears it, as the reset link's does.
pub const NEW_APPLICATION_PASSWORD_COOKIE_NAME: &str = "dioptra_new_application_password";
pub const SECURE_NEW_APPLICATION_PASSWORD_COOKIE_NAME: &str = "__Host-dioptra_new_application_password";
/// The cookie that carries a login's challenge from the password to the second factor.
pub const LOGIN_CHALLENGE_COOKIE_NAME: &str = "dioptra_login_challenge";
pub const SECURE_LOGIN_CHALLENGE_COOKIE_NAME: &str = "__Host-dioptra_login_challenge";
/// The cookie that carries new recovery codes to the page that shows them once.
pub const NEW_RECOVERY_CODES_COOKIE_NAME: &str = "dioptra_new_recovery_codes";
pub const SECURE_NEW_RECOVERY_CODES_COOKIE_NAME: &str = "__Host-dioptra_new_recovery_codes";
/// How long a secret (a reset link, an application password) waits in its cookie to be shown.
pub const SHOWN_ONCE_COOKIE_SECS: i64 = 300;

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

/// A device token: 256 random bits that a successful login hands to the browser in the device
/// cookie, so that the browser can later prove it has logged in to that account before and be
/// let through while the account is under attack. It is no session: it opens nothing, and the
/// database keeps only its SHA-256, in `known_devices`, bound to one account.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceToken(SessionToken);

impl std::fmt::Debug for DeviceToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceToken(<redacted>)")
    }
}

impl DeviceToken {
    pub fn generate() -> Self {
        Self(SessionToken::generate())
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// What the database stores and looks up.
    pub fn hash(&self) -> Vec<u8> {
        self.0.hash()
    }
}

/// A password reset link's token: 256 random bits in the link an administrator hands to an
/// account's owner. Like a session token it is shown once and the database keeps only its
/// SHA-256, in `reset_links`.
#[derive(Clone, PartialEq, Eq)]
pub struct ResetToken(SessionToken);

impl std::fmt::Debug for ResetToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResetToken(<redacted>)")
    }
}

impl ResetToken {
    pub fn generate() -> Self {
        Self(SessionToken::generate())
    }

    /// Accepts only what `generate` makes, so junk in a link never reaches the database.
    pub fn parse(value: &str) -> Option<Self> {
        SessionToken::from_cookie_value(value).map(Self)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// What the database stores and looks up.
    pub fn hash(&self) -> Vec<u8> {
        self.0.hash()
    }
}

/// The well-formed device tokens of a request, as the session middleware read them (at most
/// [`MAX_SESSION_COOKIES_TRIED`]); [`crate::ssr::accounts::ClientInfo`] carries them to the
/// guessing limits.
#[derive(Clone, Debug, Default)]
pub struct DeviceCookies(pub Vec<DeviceToken>);

/// How session cookies are written for this deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CookiePolicy {
    /// True when the site is served over https: the cookie gets `Secure` and the `__Host-` name.
    pub secure: bool,
}

/// At most this many well-formed session cookies of a request are looked up, all in one query. A
/// browser holds one of its own, but more can be planted beside it (a sibling subdomain's `Domain`
/// cookie, or one for each longer path, which browsers send first), and the real one must still
/// count. The 16 KiB header limit allows about 250; a page needs at most a dozen path prefixes.
pub const MAX_SESSION_COOKIES_TRIED: usize = 64;

impl CookiePolicy {
    pub fn name(&self) -> &'static str {
        if self.secure { SECURE_COOKIE_NAME } else { COOKIE_NAME }
    }

    /// The `Set-Cookie` value that hands `token` to the browser for `max_age_secs`.
    pub fn set(&self, token: &SessionToken, max_age_secs: i64) -> String {
        self.cookie(token.as_str()).max_age(Duration::seconds(max_age_secs)).build().to_string()
    }

    /// The `Set-Cookie` value that makes the browser forget the session.
    pub fn clear(&self) -> String {
        self.cookie("").max_age(Duration::ZERO).expires(OffsetDateTime::UNIX_EPOCH).build().to_string()
    }

    pub fn device_name(&self) -> &'static str {
        if self.secure { SECURE_DEVICE_COOKIE_NAME } else { DEVICE_COOKIE_NAME }
    }

    /// The `Set-Cookie` value that hands a device token to the browser for `max_age_secs`, with
    /// the session cookie's attributes. A logout leaves it: it proves an earlier login, not a
    /// session.
    pub fn set_device(&self, token: &DeviceToken, max_age_secs: i64) -> String {
        self.named(self.device_name(), token.as_str()).max_age(Duration::seconds(max_age_secs)).build().to_string()
    }

    fn reset_link_name(&self) -> &'static str {
        if self.secure { SECURE_RESET_LINK_COOKIE_NAME } else { RESET_LINK_COOKIE_NAME }
    }

    /// The `Set-Cookie` value that carries the reset link just made for account `user_id` (its
    /// token, and the deployment's address `origin` as the browser reached it) to the page that
    /// shows it.
    pub fn set_reset_link(&self, user_id: i64, token: &ResetToken, origin: &str) -> String {
        self.shown_once(self.reset_link_name(), &format!("{user_id}.{}.{origin}", token.as_str()))
    }

    /// The `Set-Cookie` value that makes the browser forget the reset link it carried.
    pub fn clear_reset_link(&self) -> String {
        self.forget_shown_once(self.reset_link_name())
    }

    /// Whether a request carries a reset link's cookie, well-formed or not.
    pub fn has_reset_link(&self, headers: &http::HeaderMap) -> bool {
        cookie_values(headers).any(|cookie| cookie.name() == self.reset_link_name())
    }

    /// The reset link a request's cookie carries: the account's id, the link's token, and the
    /// deployment's address (a plain `scheme://host[:port]`).
    pub fn reset_link_from_headers(&self, headers: &http::HeaderMap) -> Option<(i64, ResetToken, String)> {
        cookie_values(headers).find(|cookie| cookie.name() == self.reset_link_name()).and_then(|cookie| {
            let mut parts = cookie.value().splitn(3, '.');
            let (user_id, token, origin) = (parts.next()?, parts.next()?, parts.next()?);
            let origin = Some(origin).filter(|origin| crate::ssr::accounts::plain_origin(origin))?;
            Some((user_id.parse().ok()?, ResetToken::parse(token)?, origin.to_owned()))
        })
    }

    fn new_application_password_name(&self) -> &'static str {
        if self.secure { SECURE_NEW_APPLICATION_PASSWORD_COOKIE_NAME } else { NEW_APPLICATION_PASSWORD_COOKIE_NAME }
    }

    /// The `Set-Cookie` value that carries application password `application_password_id`, just
    /// made, to the account page that shows it.
    pub fn set_new_application_password(&self, application_password_id: i64, secret: &ApplicationSecret) -> String {
        self.shown_once(self.new_application_password_name(), &format!("{application_password_id}.{}", secret.shown()))
    }

    /// The `Set-Cookie` value that makes the browser forget the application password it carried.
    pub fn clear_new_application_password(&self) -> String {
        self.forget_shown_once(self.new_application_password_name())
    }

    /// Whether a request carries a new application password's cookie, well-formed or not.
    pub fn has_new_application_password(&self, headers: &http::HeaderMap) -> bool {
        cookie_values(headers).any(|cookie| cookie.name() == self.new_application_password_name())
    }

    /// The application password a request's cookie carries: its id and its secret.
    pub fn new_application_password_from_headers(&self, headers: &http::HeaderMap) -> Option<(i64, ApplicationSecret)> {
        let name = self.new_application_password_name();
        cookie_values(headers).find(|cookie| cookie.name() == name).and_then(|cookie| {
            let (id, secret) = cookie.value().split_once('.')?;
            Some((id.parse().ok()?, ApplicationSecret::parse(secret)?))
        })
    }

    fn login_challenge_name(&self) -> &'static str {
        if self.secure { SECURE_LOGIN_CHALLENGE_COOKIE_NAME } else { LOGIN_CHALLENGE_COOKIE_NAME }
    }

    /// The `Set-Cookie` value that carries a login's challenge (the password was right, the
    /// second factor is to come) for as long as the challenge lasts.
    pub fn set_login_challenge(&self, token: &SessionToken) -> String {
        self.shown_once(self.login_challenge_name(), token.as_str())
    }

    pub fn clear_login_challenge(&self) -> String {
        self.forget_shown_once(self.login_challenge_name())
    }

    /// The login challenge a request's cookie carries, if it is well-formed.
    pub fn login_challenge_from_headers(&self, headers: &http::HeaderMap) -> Option<SessionToken> {
        tokens_named(headers, self.login_challenge_name()).into_iter().next()
    }

    fn new_recovery_codes_name(&self) -> &'static str {
        if self.secure { SECURE_NEW_RECOVERY_CODES_COOKIE_NAME } else { NEW_RECOVERY_CODES_COOKIE_NAME }
    }

    /// The `Set-Cookie` value that carries new recovery codes to the page that shows them once.
    pub fn set_new_recovery_codes(&self, codes: &[String]) -> String {
        self.shown_once(self.new_recovery_codes_name(), &codes.join("."))
    }

    pub fn clear_new_recovery_codes(&self) -> String {
        self.forget_shown_once(self.new_recovery_codes_name())
    }

    /// Whether a request carries new recovery codes' cookie, well-formed or not.
    pub fn has_new_recovery_codes(&self, headers: &http::HeaderMap) -> bool {
        cookie_values(headers).any(|cookie| cookie.name() == self.new_recovery_codes_name())
    }

    /// The recovery codes a request's cookie carries, as shown (`xxxx-xxxx-xxxx-xxxx`).
    pub fn new_recovery_codes_from_headers(&self, headers: &http::HeaderMap) -> Vec<String> {
        let name = self.new_recovery_codes_name();
        cookie_values(headers).find(|cookie| cookie.name() == name).map_or_else(Vec::new, |cookie| {
            cookie
                .value()
                .split('.')
                .filter(|code| code.len() == 19 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
                .map(str::to_owned)
                .collect()
        })
    }

    /// A cookie that carries a secret from a form to the page that shows it once. `Strict`: only
    /// this site's own pages ever get it back; it lasts minutes, and the page clears it.
    fn shown_once(&self, name: &'static str, value: &str) -> String {
        self.named(name, value)
            .same_site(SameSite::Strict)
            .max_age(Duration::seconds(SHOWN_ONCE_COOKIE_SECS))
            .build()
            .to_string()
    }

    fn forget_shown_once(&self, name: &'static str) -> String {
        self.named(name, "")
            .same_site(SameSite::Strict)
            .max_age(Duration::ZERO)
            .expires(OffsetDateTime::UNIX_EPOCH)
            .build()
            .to_string()
    }

    /// The attributes every session cookie has. No `Domain`: the cookie goes back to this host
    /// only (and `__Host-` requires it).
    fn cookie<'c>(&self, value: &'c str) -> CookieBuilder<'c> {
        self.named(self.name(), value)
    }

    fn named<'c>(&self, name: &'static str, value: &'c str) -> CookieBuilder<'c> {
        Cookie::build((name, value)).path("/").http_only(true).same_site(SameSite::Lax).secure(self.secure)
    }

    /// The well-formed device tokens in a request's `Cookie` headers, read like session tokens.
    pub fn device_tokens_from_headers(&self, headers: &http::HeaderMap) -> DeviceCookies {
        DeviceCookies(tokens_named(headers, self.device_name()).into_iter().map(DeviceToken).collect())
    }

    /// The well-formed session tokens in a request's `Cookie` headers, in the order sent, without
    /// repeats, at most [`MAX_SESSION_COOKIES_TRIED`]. Every cookie of the session's name counts,
    /// not just the first: the browser sends all that match the request, in an order the server
    /// cannot choose, so a planted one must not hide the real one. The caller tries each in turn.
    pub fn tokens_from_headers(&self, headers: &http::HeaderMap) -> Vec<SessionToken> {
        tokens_named(headers, self.name())
    }
}

/// Every cookie of a request's `Cookie` headers. Lossily: a byte that is not ASCII in any cookie
/// (a browser sends UTF-8 values as they are) must not hide the others. A token is ASCII, so
/// only junk is changed.
fn cookie_values(headers: &http::HeaderMap) -> impl Iterator<Item = Cookie<'static>> + '_ {
    let values = headers
        .get_all(http::header::COOKIE)
        .iter()
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    values.flat_map(Cookie::split_parse).filter_map(Result::ok)
}

/// The well-formed tokens in the cookies called `name`, in the order sent, without repeats, at
/// most [`MAX_SESSION_COOKIES_TRIED`].
fn tokens_named(headers: &http::HeaderMap, name: &str) -> Vec<SessionToken> {
    let mut tokens: Vec<SessionToken> = Vec::new();
    for cookie in cookie_values(headers).filter(|cookie| cookie.name() == name) {
        let Some(token) = SessionToken::from_cookie_value(cookie.value()) else { continue };
        if !tokens.contains(&token) {
            tokens.push(token);
        }
        if tokens.len() == MAX_SESSION_COOKIES_TRIED {
            break;
        }
    }
    tokens
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

    fn cookie_header(value: &str) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::COOKIE, value.parse().unwrap());
        headers
    }

    #[test]
    fn a_non_ascii_byte_elsewhere_in_the_header_does_not_hide_the_session_cookie() {
        let token = SessionToken::generate();
        let policy = CookiePolicy { secure: true };
        let mut headers = http::HeaderMap::new();
        let raw = format!("prefs=caf\u{e9}; __Host-dioptra_session={}", token.as_str());
        headers.insert(http::header::COOKIE, http::HeaderValue::from_bytes(raw.as_bytes()).unwrap());
        assert_eq!(policy.tokens_from_headers(&headers), vec![token]);
    }

    #[test]
    fn only_well_formed_tokens_are_read_from_cookies() {
        let token = SessionToken::generate();
        let policy = CookiePolicy { secure: false };
        let headers = cookie_header(&format!("other=1; dioptra_session={}", token.as_str()));
        assert_eq!(policy.tokens_from_headers(&headers), vec![token]);
        assert!(policy.tokens_from_headers(&cookie_header("dioptra_session=short")).is_empty());
        assert!(policy.tokens_from_headers(&http::HeaderMap::new()).is_empty());
    }

    #[test]
    fn a_junk_cookie_of_the_same_name_does_not_hide_the_real_one() {
        let token = SessionToken::generate();
        let policy = CookiePolicy { secure: false };
        for header in [
            format!("dioptra_session=junk; dioptra_session={}", token.as_str()),
            format!("dioptra_session={}; dioptra_session=junk", token.as_str()),
            format!("dioptra_session=; other=1;dioptra_session={}", token.as_str()),
        ] {
            assert_eq!(policy.tokens_from_headers(&cookie_header(&header)), vec![token.clone()], "{header}");
        }
    }

    #[test]
    fn every_well_formed_session_cookie_is_a_candidate_in_order_and_only_a_few() {
        let policy = CookiePolicy { secure: false };
        let tokens: Vec<SessionToken> = (0..MAX_SESSION_COOKIES_TRIED + 2).map(|_| SessionToken::generate()).collect();
        let pair = |token: &SessionToken| format!("dioptra_session={}", token.as_str());
        let two = format!("{}; {}; {}", pair(&tokens[0]), pair(&tokens[1]), pair(&tokens[0]));
        assert_eq!(policy.tokens_from_headers(&cookie_header(&two)), tokens[..2].to_vec());
        let many: Vec<String> = tokens.iter().map(pair).collect();
        let read = policy.tokens_from_headers(&cookie_header(&many.join("; ")));
        assert_eq!(read, tokens[..MAX_SESSION_COOKIES_TRIED].to_vec());
        // Split over several `Cookie` headers (as HTTP/2 may send them), they still all count.
        let mut headers = cookie_header(&pair(&tokens[0]));
        headers.append(http::header::COOKIE, pair(&tokens[1]).parse().unwrap());
        assert_eq!(policy.tokens_from_headers(&headers), tokens[..2].to_vec());
    }

    #[test]
    fn the_https_cookie_reads_only_its_own_name() {
        let token = SessionToken::generate();
        let secure = CookiePolicy { secure: true };
        let headers = cookie_header(&format!("dioptra_session={}", token.as_str()));
        assert!(secure.tokens_from_headers(&headers).is_empty());
        let headers = cookie_header(&format!("__Host-dioptra_session={}", token.as_str()));
        assert_eq!(secure.tokens_from_headers(&headers), vec![token]);
    }

    fn attributes(set_cookie: &str) -> Vec<&str> {
        let mut attributes: Vec<&str> = set_cookie.split("; ").skip(1).collect();
        attributes.sort_unstable();
        attributes
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_only_over_https() {
        let token = SessionToken::generate();
        let plain = CookiePolicy { secure: false }.set(&token, 60);
        assert!(plain.starts_with(&format!("dioptra_session={}; ", token.as_str())), "{plain}");
        assert_eq!(attributes(&plain), ["HttpOnly", "Max-Age=60", "Path=/", "SameSite=Lax"]);
        let secure = CookiePolicy { secure: true }.set(&token, 60);
        assert!(secure.starts_with(&format!("__Host-dioptra_session={}; ", token.as_str())), "{secure}");
        assert_eq!(attributes(&secure), ["HttpOnly", "Max-Age=60", "Path=/", "SameSite=Lax", "Secure"]);
    }

    #[test]
    fn device_cookies_have_their_own_name_and_the_session_cookies_attributes() {
        let token = DeviceToken::generate();
        let plain = CookiePolicy { secure: false };
        let set = plain.set_device(&token, 60);
        assert!(set.starts_with(&format!("dioptra_device={}; ", token.as_str())), "{set}");
        assert_eq!(attributes(&set), ["HttpOnly", "Max-Age=60", "Path=/", "SameSite=Lax"]);
        let secure = CookiePolicy { secure: true }.set_device(&token, 60);
        assert!(secure.starts_with(&format!("__Host-dioptra_device={}; ", token.as_str())), "{secure}");
        assert_eq!(attributes(&secure), ["HttpOnly", "Max-Age=60", "Path=/", "SameSite=Lax", "Secure"]);
        // A device token is read only from the device cookie, never as a session.
        let headers = cookie_header(&format!("dioptra_device={}", token.as_str()));
        assert_eq!(plain.device_tokens_from_headers(&headers).0, vec![token.clone()]);
        assert!(plain.tokens_from_headers(&headers).is_empty());
        assert!(CookiePolicy { secure: true }.device_tokens_from_headers(&headers).0.is_empty());
        assert_eq!(format!("{token:?}"), "DeviceToken(<redacted>)");
    }

    #[test]
    fn clearing_empties_the_cookie_and_expires_it_with_the_same_attributes() {
        let cleared = CookiePolicy { secure: true }.clear();
        assert!(cleared.starts_with("__Host-dioptra_session=; "), "{cleared}");
        assert_eq!(
            attributes(&cleared),
            ["Expires=Thu, 01 Jan 1970 00:00:00 GMT", "HttpOnly", "Max-Age=0", "Path=/", "SameSite=Lax", "Secure"]
        );
        assert!(!CookiePolicy { secure: false }.clear().contains("Secure"));
    }
}
