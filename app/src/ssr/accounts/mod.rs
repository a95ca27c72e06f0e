//! The accounts core: signup, login, sessions, passwords, users and groups. The pages' server
//! functions, the REST API and the operator's commands all call it, so each rule exists once.
//!
//! One file per concept, each adding methods to [`Accounts`]:
//! - `signup.rs`: new accounts (self-service and the operator's);
//! - `login.rs`: logging in, in two steps (check the password, then start a session) so that a
//!   second factor can stand between them;
//! - `sessions.rs`: every statement about sessions (start, authenticate, list, end, re-key, clean up);
//! - `devices.rs`: known devices, the browsers that have logged in to an account before (the
//!   device cookie), which its guessing limit lets through;
//! - `passwords.rs`: changing and setting passwords, the common-password rule;
//! - `application_passwords.rs`: credentials of their own for scripts, which log in to the REST
//!   API only;
//! - `reset_links.rs`: the links an administrator hands over to let an owner choose a new password;
//! - `second_factor/`: an authenticator app, passkeys and recovery codes, and the login's second
//!   step;
//! - `users.rs`: reading, renaming, listing and deleting accounts;
//! - `groups/`: groups and memberships (reading; `manage.rs` creating, renaming, deleting;
//!   `members.rs` who is in a group and what they may do there);
//! - `admin/`: administrators (the managers of the default group), fresh authentication for
//!   their acts, the acts on accounts (disable, expire a password, …) and what the console reads;
//! - `shared_settings.rs`: the settings administrators change at run time, shared by replicas;
//! - `audit.rs`: the audit trail;
//! - `paging.rs`: paged, searchable listings (the LIKE builder);
//! - `sql.rs`: the SQL fragments every query shares (the live-account rule, `User`'s columns).

#[macro_use]
mod sql;

mod admin;
mod application_passwords;
mod audit;
mod devices;
mod groups;
mod login;
mod paging;
mod passwords;
mod reset_links;
mod second_factor;
mod sessions;
mod shared_settings;
mod signup;
mod types;
mod users;

use std::time::Duration;

pub use admin::{
    ACCOUNTS_WINDOW, AccountStatus, ActDone, Acting, AdminAccount, AdminAct, AuditCursor, AuditQuery, AuditRecord,
    CONFIRMATION_LIFETIME, HOURS_CHARTED, HourCounts, Overview, confirmed_recently,
};
pub use application_passwords::{
    ApplicationPasswordExpiry, ApplicationPasswordInfo, ApplicationSecret, CreatedApplicationPassword,
    MAX_APPLICATION_PASSWORD_NAME_CHARS, MAX_APPLICATION_PASSWORDS,
};
pub use audit::AuditEvent;
pub use devices::DEVICE_LIFETIME;
pub use groups::{
    FlagChange, MAX_GROUP_MEMBERS, MAX_GROUPS_PER_CREATOR, MAX_LISTED_MEMBERS, PUBLIC_GROUP, members_per_listed_group,
};
pub use login::{LoggedIn, LoginChannel, PasswordChecked};
pub use passwords::PasswordChanged;
pub use reset_links::{IssuedResetLink, RESET_LINK_LIFETIME, RESET_PAGE_PATH, ResetLink, plain_origin, reset_url};
pub use second_factor::{
    CEREMONY_LIFETIME, CHALLENGE_FAILURES, CHALLENGE_LIFETIME, MAX_PASSKEY_NAME_CHARS, MAX_PASSKEYS, PasskeyCeremony,
    PasskeyInfo, RECOVERY_CODES, RelyingParty, SecondFactorAnswer, SecondFactorPolicy, SecondFactors, SignInStep,
    TotpSetup, parse_passkey_name,
};
pub use shared_settings::{
    LiveSettings, MIN_PASSWORD_CHARS, SETTINGS_REFRESH, Setting, SettingSet, SettingState, SettingsChange,
};
pub use types::{ClientAddress, ClientInfo, GroupDetails, GroupMember, Membership, Page, SessionInfo, SignedIn, User};

use crate::{
    domain::PasswordPolicy,
    error::AccountError,
    ssr::{
        clean_up::CleanUp,
        db::Database,
        guard::{Guard, GuessingLimits},
        password::{self, PasswordHasher},
        session::{CookiePolicy, DeviceToken, SessionToken},
    },
};

#[derive(Clone, Debug)]
pub struct AccountSettings {
    /// The command line's rules for new passwords; what applies is [`Accounts::password_policy`]
    /// (an administrator may have changed the minimum length).
    pub password_policy: PasswordPolicy,
    /// How long a password stays valid (Dioptra: 365 days); `None` means it never expires.
    pub password_lifetime: Option<Duration>,
    /// How long a login lasts at most, however active.
    pub session_lifetime: Duration,
    /// How long a login lasts without a request.
    pub session_idle_timeout: Duration,
    pub cookies: CookiePolicy,
    pub guessing: GuessingLimits,
    /// The command line's word on whether visitors may create their own accounts; what applies
    /// is [`Accounts::signup_open`].
    pub signup_open: bool,
    /// The command line's word on whom a second factor is required of; what applies is
    /// [`Accounts::second_factor_policy`].
    pub require_second_factor: SecondFactorPolicy,
    /// How long the audit trail keeps an event; `None` keeps them forever.
    pub audit_retention: Option<Duration>,
    /// Password hashes waiting or running at most; more are refused with `Busy`. `None`: 128 per
    /// core (see `password/`).
    pub hash_queue_places: Option<usize>,
    /// Listings (and searches) running at once; more wait their turn a moment (`paging.rs`).
    /// `None`: 2 per core.
    pub listing_places: Option<usize>,
    /// The deployment's address as browsers reach it (`scheme://host[:port]`), when configured:
    /// reset links are made with it.
    pub public_url: Option<String>,
}

impl AccountSettings {
    /// The `Set-Cookie` value that starts (or re-keys) a session in the browser.
    pub fn session_cookie(&self, token: &SessionToken) -> String {
        self.cookies.set(token, i64::try_from(self.session_lifetime.as_secs()).unwrap_or(i64::MAX))
    }

    /// The `Set-Cookie` value that hands the browser a new device token.
    pub fn device_cookie(&self, token: &DeviceToken) -> String {
        self.cookies.set_device(token, i64::try_from(DEVICE_LIFETIME.as_secs()).unwrap_or(i64::MAX))
    }
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            password_policy: PasswordPolicy::default(),
            password_lifetime: Some(Duration::from_secs(365 * 24 * 3600)),
            session_lifetime: Duration::from_secs(14 * 24 * 3600),
            session_idle_timeout: Duration::from_secs(12 * 3600),
            cookies: CookiePolicy { secure: false },
            guessing: GuessingLimits::default(),
            signup_open: true,
            require_second_factor: SecondFactorPolicy::Off,
            audit_retention: Some(Duration::from_secs(400 * 24 * 3600)),
            hash_queue_places: None,
            listing_places: None,
            public_url: None,
        }
    }
}

/// The accounts core of one server: its database, its hashing threads and its settings.
pub struct Accounts {
    db: Database,
    hasher: PasswordHasher,
    settings: AccountSettings,
    /// The shared settings as this replica last read them (`shared_settings.rs`).
    live: std::sync::RwLock<LiveSettings>,
    /// The relying party of this deployment's passkeys, once the server knows its origin.
    passkeys: std::sync::OnceLock<RelyingParty>,
    /// The places of the listings running at once (`paging.rs`).
    listings: paging::ListingPlaces,
}

impl Accounts {
    pub fn new(db: Database, settings: AccountSettings) -> Self {
        let queue_places = settings.hash_queue_places.unwrap_or(password::QUEUE_PLACES_PER_CORE * password::cores());
        let listing_places = settings.listing_places.unwrap_or(paging::LISTING_PLACES_PER_CORE * password::cores());
        let live = LiveSettings {
            signup_open: settings.signup_open,
            min_password_chars: settings.password_policy.min_chars,
            require_second_factor: settings.require_second_factor,
        };
        Self {
            db,
            hasher: PasswordHasher::new(queue_places),
            settings,
            live: std::sync::RwLock::new(live),
            passkeys: std::sync::OnceLock::new(),
            listings: paging::ListingPlaces::new(listing_places),
        }
    }

    pub fn settings(&self) -> &AccountSettings {
        &self.settings
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Every statement of the periodic clean-up ([`Accounts::clean_up`]), listed for the test
    /// that checks that each finds its rows through an index.
    pub const CLEAN_UPS: [&'static CleanUp; 9] = [
        &sessions::EXPIRED_SESSIONS,
        &sessions::IDLE_SESSIONS,
        &crate::ssr::guard::LAPSED_COUNTERS,
        &devices::EXPIRED_DEVICES,
        &audit::OLD_AUDIT_EVENTS,
        &reset_links::EXPIRED_RESET_LINKS,
        &application_passwords::EXPIRED_APPLICATION_PASSWORDS,
        &second_factor::EXPIRED_LOGIN_CHALLENGES,
        &second_factor::EXPIRED_PASSKEY_CEREMONIES,
    ];

    /// Deletes ended sessions, lapsed attempt counters, expired devices, reset links,
    /// application passwords, login challenges and passkey ceremonies, and audit events past
    /// their retention.
    /// Any replica may run it at any time.
    /// Each step runs whatever the others did: one that fails (say, out of its time budget on
    /// a huge table) leaves the rest to do their work, and the first failure is returned.
    pub async fn clean_up(&self) -> Result<(), AccountError> {
        let sessions = self.forget_ended_sessions().await;
        let counters = self.guard().forget_stale().await;
        let devices = self.forget_expired_devices().await;
        let audit_events = self.forget_old_audit_events().await;
        let reset_links = self.forget_expired_reset_links().await;
        let application_passwords = self.forget_expired_application_passwords().await;
        let login_challenges = self.forget_expired_login_challenges().await;
        let passkey_ceremonies = self.forget_expired_passkey_ceremonies().await;
        tracing::debug!(
            ?sessions,
            ?counters,
            ?devices,
            ?audit_events,
            ?reset_links,
            ?application_passwords,
            ?login_challenges,
            ?passkey_ceremonies,
            "cleaned up"
        );
        sessions?;
        counters?;
        devices?;
        audit_events?;
        reset_links?;
        application_passwords?;
        login_challenges?;
        passkey_ceremonies?;
        Ok(())
    }

    fn guard(&self) -> Guard<'_> {
        Guard { db: &self.db, limits: &self.settings.guessing }
    }
}
