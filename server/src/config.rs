//! The command line: what `dioptra-accounts` does and how it is configured. Every option also
//! reads an environment variable; a flag wins.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use app::{
    domain::PasswordPolicy,
    ssr::{
        accounts::{AccountSettings, SecondFactorPolicy},
        db::{ConnectError, DEFAULT_DATABASE_URL, Database},
        guard::GuessingLimits,
        session::CookiePolicy,
    },
};
use clap::{Args, Parser, Subcommand, ValueEnum};
use ipnet::IpNet;

/// Dioptra Accounts: the user and group service of a Dioptra deployment.
///
/// With no command it serves http://localhost:3000 (listening on 127.0.0.1:3000) from an SQLite database under ./data/,
/// created and migrated on first start.
#[derive(Debug, Clone, Parser)]
#[command(name = "dioptra-accounts", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The server's options, when no command is given (`serve` is the default).
    #[command(flatten)]
    pub serve: Config,

    /// Log lines as human-readable text or as one JSON object per line.
    #[arg(long, env = "DIOPTRA_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the web app and the REST API (the default).
    Serve(Config),
    /// Create or update the database schema, then exit. `serve` does this too on every start.
    Migrate(DatabaseOptions),
    /// Manage accounts from the command line (creating accounts works even with signup
    /// disabled). The database options go before the command:
    /// `dioptra-accounts users --database-url URL list`.
    Users {
        #[command(flatten)]
        database: DatabaseOptions,
        #[command(flatten)]
        passwords: PasswordOptions,
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Read the audit trail from the command line: `dioptra-accounts audit list --event
    /// login_failed`, or every matching event as CSV or JSON lines with `audit export`.
    Audit {
        #[command(flatten)]
        database: DatabaseOptions,
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The settings every replica shares, as on the console's Settings page. What the command
    /// line of `serve` says applies until a setting is set.
    Settings {
        #[command(flatten)]
        database: DatabaseOptions,
        #[command(subcommand)]
        command: SettingsCommand,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum SettingsCommand {
    /// Every shared setting: its value, and where it comes from.
    List,
    /// Set a shared setting for every replica: `signup-open true|false`,
    /// `min-password-length N` (8 to 64), or `require-second-factor off|administrators|everyone`.
    /// Replicas apply it within seconds.
    Set {
        #[arg(value_parser = ["signup-open", "min-password-length", "require-second-factor"])]
        name: String,
        value: String,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum AuditCommand {
    /// The newest events the filters match, newest first, as a table.
    List {
        #[command(flatten)]
        filters: AuditFilters,
        /// How many events at most.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        limit: i64,
    },
    /// Every event the filters match, newest first, to standard output.
    Export {
        /// `csv` (a header row, then one row an event) or `jsonl` (one JSON object a line).
        #[arg(long, value_parser = ["csv", "jsonl"])]
        format: String,
        #[command(flatten)]
        filters: AuditFilters,
    },
}

/// The audit trail's filters, as in the console and the API.
#[derive(Debug, Clone, Args)]
pub struct AuditFilters {
    /// The account's name as recorded.
    #[arg(long)]
    pub username: Option<String>,
    /// The kind of event, e.g. `login_failed`.
    #[arg(long)]
    pub event: Option<String>,
    /// The client's address.
    #[arg(long)]
    pub client_address: Option<String>,
    /// From this date (UTC) or RFC 3339 time on.
    #[arg(long)]
    pub from: Option<String>,
    /// Until the end of this date (UTC), or until this RFC 3339 time.
    #[arg(long)]
    pub until: Option<String>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum UsersCommand {
    /// Create an account. The password is read from standard input, or asked for without echo
    /// when standard input is a terminal; it is never an argument (arguments are visible to
    /// every user of the machine).
    Create {
        /// The new account's username.
        #[arg(long)]
        username: String,
        /// The new account's email address.
        #[arg(long)]
        email: String,
    },
    /// List accounts, oldest first.
    List {
        /// Only accounts matching a search, in the API's search language (e.g. `username:al*`).
        #[arg(long)]
        search: Option<String>,
    },
    /// Set an account's password (read like `create`'s) and end all its sessions.
    SetPassword { username: String },
    /// Delete an account and end all its sessions. Its username and email stay reserved.
    Delete { username: String },
    /// End every session of an account, on every device.
    RevokeSessions { username: String },
    /// Disable an account: it cannot log in, and every session of it ends now.
    Disable { username: String },
    /// Enable a disabled account again.
    Enable { username: String },
    /// Expire an account's password: the next login must choose a new one first.
    ExpirePassword { username: String },
    /// Turn off an account's second factor (its authenticator app and recovery codes), for an
    /// owner who has lost both; every session of the account ends. The next login asks for the
    /// password only.
    RemoveSecondFactor { username: String },
    /// Make a password reset link for an account and print it, to hand to its owner: it works
    /// once, within 24 hours, and ends any earlier link of the account.
    ResetLink {
        username: String,
        /// The deployment's address as browsers reach it, to begin the link with; without it the
        /// link is printed from its path on.
        #[arg(long, env = "DIOPTRA_PUBLIC_URL", value_parser = parse_public_url)]
        public_url: Option<String>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseOptions {
    /// Database: sqlite://PATH (created if missing) or postgres://USER@HOST[:PORT]/NAME.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,

    /// Milliseconds one database query may run before it is stopped (a search over very many
    /// accounts is then answered 503 instead of holding a connection). Migrations have no limit.
    #[arg(long, env = "DIOPTRA_QUERY_BUDGET_MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..))]
    pub query_budget_ms: u64,
}

impl DatabaseOptions {
    /// Opens the database with these options.
    pub async fn connect(&self) -> Result<Database, ConnectError> {
        Database::connect(&self.database_url, Duration::from_millis(self.query_budget_ms)).await
    }
}

#[derive(Debug, Clone, Args)]
pub struct PasswordOptions {
    /// Minimum number of characters in a new password (NIST SP 800-63B-4 asks for 15 when the
    /// password is the only factor).
    #[arg(long, env = "DIOPTRA_MIN_PASSWORD_LENGTH", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub min_password_length: u16,

    /// Days until a password expires; 0 means never.
    #[arg(long, env = "DIOPTRA_PASSWORD_LIFETIME_DAYS", default_value_t = 365)]
    pub password_lifetime_days: u32,
}

/// How the server runs.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    #[command(flatten)]
    pub database: DatabaseOptions,

    /// Folder with the built site (the WASM bundle, CSS and static files).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    #[command(flatten)]
    pub passwords: PasswordOptions,

    /// Hours a login lasts at most, however active (Dioptra's login cookie lasted 14 days).
    #[arg(long, env = "DIOPTRA_SESSION_LIFETIME_HOURS", default_value_t = 14 * 24, value_parser = clap::value_parser!(u32).range(1..))]
    pub session_lifetime_hours: u32,

    /// Minutes a login lasts without any request (OWASP ASVS level 2 asks for 12 hours or
    /// less when there is no second factor).
    #[arg(long, env = "DIOPTRA_SESSION_IDLE_MINUTES", default_value_t = 12 * 60, value_parser = clap::value_parser!(u32).range(1..))]
    pub session_idle_minutes: u32,

    /// Days the audit trail keeps an event; the periodic clean-up deletes older ones. 0 keeps
    /// them forever.
    #[arg(long, env = "DIOPTRA_AUDIT_RETENTION_DAYS", default_value_t = 400)]
    pub audit_retention_days: u32,

    /// Failed password checks against one account (in a row, within an hour) before every client
    /// without one of its device cookies (from an earlier login there) must wait, one second and
    /// doubling up to 15 minutes; a client with one is counted per device instead. 0 turns this off.
    #[arg(long, env = "DIOPTRA_MAX_FAILURES_PER_ACCOUNT", default_value_t = 10, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub max_failures_per_account: u32,

    /// Failed password checks from one client (an address, an IPv6 /64), against any accounts,
    /// before it must wait, as above. 0 turns this off.
    #[arg(long, env = "DIOPTRA_MAX_FAILURES_PER_ADDRESS", default_value_t = 100)]
    pub max_failures_per_address: u32,

    /// Failed password checks from all the clients of one IPv6 /48, against any accounts, before
    /// those without a device cookie must wait, as above. 0 turns this off.
    #[arg(long, env = "DIOPTRA_MAX_FAILURES_PER_NETWORK", default_value_t = 1000)]
    pub max_failures_per_network: u32,

    /// Signups from one client (an address, an IPv6 /64) per hour. 0 turns this off (e.g. for load tests).
    #[arg(long, env = "DIOPTRA_MAX_SIGNUPS_PER_ADDRESS", default_value_t = 20)]
    pub max_signups_per_address: u32,

    /// Reverse proxies (addresses or CIDR ranges, comma-separated) whose `X-Forwarded-For`
    /// names the client. From any other peer the header is ignored, so a client cannot choose
    /// the address its attempts are counted against.
    #[arg(long, env = "DIOPTRA_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_network)]
    pub trusted_proxies: Vec<IpNet>,

    /// Seconds a request may take, reading its body included; slower clients get 408.
    #[arg(long, env = "DIOPTRA_REQUEST_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,

    /// Requests worked on at once; more wait, in arrival order and within their timeout, before
    /// any work is done for them. Bounds the memory a burst of connections takes. A request
    /// waiting for a password hash gives its slot back meanwhile (see --hash-queue).
    #[arg(long, env = "DIOPTRA_MAX_CONCURRENT_REQUESTS", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrent_requests: u32,

    /// Password hashes (logins, signups, password changes) waiting or running at once; beyond
    /// it a request is answered 503 with `Retry-After` at once. Default: 128 per core, about
    /// 4 s of waiting for the last. At least 2: a password change takes two places at once.
    #[arg(long, env = "DIOPTRA_HASH_QUEUE", value_parser = clap::value_parser!(u32).range(2..))]
    pub hash_queue: Option<u32>,

    /// Listings and searches (users, groups, members to add) running at once; four per place
    /// wait up to a second for one, the others are answered 503 with `Retry-After`. Default: 2
    /// per core.
    #[arg(long, env = "DIOPTRA_MAX_CONCURRENT_LISTINGS", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrent_listings: Option<u32>,

    /// The address users visit, e.g. https://dioptra.example.org, when it differs from --addr
    /// (behind a reverse proxy). With https the session cookie is `Secure` and named with the
    /// `__Host-` prefix; browsers' `Origin` headers are checked against it.
    #[arg(long, env = "DIOPTRA_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,

    /// With --public-url: other host names requests may be addressed to (comma-separated). A
    /// request to any other name with a dot is refused (400), which stops DNS rebinding; IP
    /// addresses, `localhost` and names without a dot always pass.
    #[arg(long, env = "DIOPTRA_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,

    /// Close self-service signup: the Register page says so and `POST /api/v1/users` answers
    /// 403. Operators still create accounts with `dioptra-accounts users create`.
    #[arg(long, env = "DIOPTRA_DISABLE_SIGNUP")]
    pub disable_signup: bool,

    /// Whom a second factor (an authenticator app or a passkey) is required of: `off`,
    /// `administrators` or `everyone`. Those it covers who have none are led to set one up
    /// right after logging in, and their REST API calls are refused until they do.
    /// Administrators may change it in the console.
    #[arg(long, env = "DIOPTRA_REQUIRE_SECOND_FACTOR", default_value = "off", value_parser = parse_second_factor_policy)]
    pub require_second_factor: SecondFactorPolicy,
}

impl Config {
    /// The defaults, as if started with no arguments and no environment.
    pub fn defaults() -> Self {
        Cli::parse_from(["dioptra-accounts"]).serve
    }

    pub fn account_settings(&self) -> AccountSettings {
        AccountSettings {
            session_lifetime: Duration::from_secs(u64::from(self.session_lifetime_hours) * 3600),
            session_idle_timeout: Duration::from_secs(u64::from(self.session_idle_minutes) * 60),
            guessing: GuessingLimits {
                failures_per_account: self.max_failures_per_account,
                failures_per_address: self.max_failures_per_address,
                failures_per_network: self.max_failures_per_network,
                signups_per_address: self.max_signups_per_address,
                ..GuessingLimits::default()
            },
            cookies: CookiePolicy { secure: self.public_url.as_deref().is_some_and(|url| url.starts_with("https://")) },
            signup_open: !self.disable_signup,
            require_second_factor: self.require_second_factor,
            audit_retention: (self.audit_retention_days > 0)
                .then(|| Duration::from_secs(u64::from(self.audit_retention_days) * 24 * 3600)),
            hash_queue_places: self.hash_queue.map(|places| places as usize),
            listing_places: self.max_concurrent_listings.map(|places| places as usize),
            public_url: self.public_url.clone(),
            ..self.passwords.account_settings()
        }
    }
}

impl PasswordOptions {
    /// Settings for commands that only create accounts and set passwords.
    pub fn account_settings(&self) -> AccountSettings {
        const DAY: u64 = 24 * 3600;
        AccountSettings {
            password_policy: PasswordPolicy { min_chars: usize::from(self.min_password_length) },
            password_lifetime: (self.password_lifetime_days > 0)
                .then(|| Duration::from_secs(u64::from(self.password_lifetime_days) * DAY)),
            ..AccountSettings::default()
        }
    }
}

/// A network (`10.0.0.0/8`) or a single address (`10.0.0.7`).
fn parse_network(raw: &str) -> Result<IpNet, String> {
    let raw = raw.trim();
    raw.parse::<IpNet>()
        .or_else(|_| raw.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{raw:?} is neither an IP address nor a CIDR range"))
}

/// `off`, `administrators` or `everyone`.
fn parse_second_factor_policy(raw: &str) -> Result<SecondFactorPolicy, String> {
    SecondFactorPolicy::parse(raw).ok_or_else(|| "must be off, administrators or everyone".to_owned())
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
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_is_the_default_and_takes_the_same_options() {
        let bare = Cli::parse_from(["dioptra-accounts", "--addr", "127.0.0.1:9"]);
        assert!(bare.command.is_none());
        assert_eq!(bare.serve.addr.port(), 9);
        let explicit = Cli::parse_from(["dioptra-accounts", "serve", "--addr", "127.0.0.1:9", "--disable-signup"]);
        let Some(Command::Serve(config)) = explicit.command else { panic!("serve") };
        assert_eq!(config.addr.port(), 9);
        assert!(!config.account_settings().signup_open);
    }

    #[test]
    fn a_password_is_never_an_argument() {
        let attempt = Cli::try_parse_from([
            "dioptra-accounts",
            "users",
            "create",
            "--username",
            "a",
            "--email",
            "a@b.c",
            "--password",
            "x",
        ]);
        assert!(attempt.is_err());
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        let cli = Cli::parse_from(["dioptra-accounts", "--trusted-proxies", "10.0.0.0/8, 127.0.0.1,::1"]);
        let proxies: Vec<String> = cli.serve.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(proxies, ["10.0.0.0/8", "127.0.0.1/32", "::1/128"]);
        assert!(Cli::try_parse_from(["dioptra-accounts", "--trusted-proxies", "proxy.local"]).is_err());
    }

    #[test]
    fn the_account_threshold_is_at_most_nists_100() {
        assert!(Cli::try_parse_from(["dioptra-accounts", "--max-failures-per-account", "101"]).is_err());
        let off = Cli::parse_from(["dioptra-accounts", "--max-failures-per-account", "0"]);
        assert_eq!(off.serve.account_settings().guessing.failures_per_account, 0);
    }

    #[test]
    fn a_public_url_is_an_origin_without_a_path() {
        assert_eq!(parse_public_url("https://dioptra.example.org/"), Ok("https://dioptra.example.org".into()));
        assert_eq!(parse_public_url("http://127.0.0.1:8080"), Ok("http://127.0.0.1:8080".into()));
        assert!(parse_public_url("dioptra.example.org").is_err());
        assert!(parse_public_url("https://dioptra.example.org/accounts").is_err());
    }
}
