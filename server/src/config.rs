//! Configuration, from flags or environment variables (a flag wins).

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use app::{
    domain::PasswordPolicy,
    ssr::{accounts::AccountSettings, db::DEFAULT_DATABASE_URL, session::CookiePolicy},
};
use clap::Parser;

/// Dioptra Accounts: the user and group service of a Dioptra deployment.
///
/// Started with no arguments it serves http://127.0.0.1:3000 from an SQLite database under
/// ./data/, created and migrated on first start.
#[derive(Debug, Clone, Parser)]
#[command(name = "dioptra-accounts", version, about, long_about = None)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Database: sqlite://PATH (created if missing) or postgres://USER@HOST[:PORT]/NAME.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,

    /// Folder with the built site (the WASM bundle, CSS and static files).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Minimum number of characters in a new password (NIST SP 800-63B-4 asks for 15 when the
    /// password is the only factor).
    #[arg(long, env = "DIOPTRA_MIN_PASSWORD_LENGTH", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub min_password_length: u16,

    /// Days until a password expires; 0 means never.
    #[arg(long, env = "DIOPTRA_PASSWORD_LIFETIME_DAYS", default_value_t = 365)]
    pub password_lifetime_days: u32,

    /// Hours a login lasts.
    #[arg(long, env = "DIOPTRA_SESSION_LIFETIME_HOURS", default_value_t = 14 * 24, value_parser = clap::value_parser!(u32).range(1..))]
    pub session_lifetime_hours: u32,

    /// The address users visit, e.g. https://dioptra.example.org, when it differs from --addr
    /// (behind a reverse proxy). With https the session cookie is `Secure` and named with the
    /// `__Host-` prefix; browsers' `Origin` headers are checked against it.
    #[arg(long, env = "DIOPTRA_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,
}

impl Config {
    /// The defaults, as if started with no arguments and no environment.
    pub fn defaults() -> Self {
        Self::parse_from(["dioptra-accounts"])
    }

    pub fn account_settings(&self) -> AccountSettings {
        const DAY: u64 = 24 * 3600;
        AccountSettings {
            password_policy: PasswordPolicy { min_chars: usize::from(self.min_password_length) },
            password_lifetime: (self.password_lifetime_days > 0)
                .then(|| Duration::from_secs(u64::from(self.password_lifetime_days) * DAY)),
            session_lifetime: Duration::from_secs(u64::from(self.session_lifetime_hours) * 3600),
            cookies: CookiePolicy { secure: self.public_url.as_deref().is_some_and(|url| url.starts_with("https://")) },
        }
    }
}

/// An origin (`scheme://host[:port]`), without a path: what browsers send as `Origin`.
fn parse_public_url(raw: &str) -> Result<String, String> {
    let url = raw.trim_end_matches('/');
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("must start with https:// or http://")?;
    if host.is_empty() || host.contains('/') || host.contains(char::is_whitespace) {
        return Err("must be scheme://host[:port] with no path".into());
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_url_is_an_origin_without_a_path() {
        assert_eq!(parse_public_url("https://dioptra.example.org/"), Ok("https://dioptra.example.org".into()));
        assert_eq!(parse_public_url("http://127.0.0.1:8080"), Ok("http://127.0.0.1:8080".into()));
        assert!(parse_public_url("dioptra.example.org").is_err());
        assert!(parse_public_url("https://dioptra.example.org/accounts").is_err());
    }
}
