//! The defence against online guessing, kept in the database so that every replica counts the
//! same attempts and a restart forgets none.
//!
//! - Password checks are counted per account and per client. Past its threshold a counter is
//!   refused (429) for a backoff that doubles with each further failure, up to a ceiling.
//! - Past its threshold an account refuses every client that has not proven itself on it, whatever
//!   its address, so that changing addresses gains an attacker nothing. A client proves itself
//!   with a device cookie from an earlier successful login to that account (`known_devices`, in
//!   `accounts/devices.rs`); its checks are counted per device instead, with the same threshold,
//!   so the owner keeps logging in from their own browser while the account is under attack.
//! - A client is its address, an IPv6 address counted by its /64 (one subscriber's network). An
//!   IPv6 client's /48 (a site's network, or a provider's block shared by many subscribers) is
//!   counted too, against a higher threshold: whoever holds a /48 gets that many guesses, not
//!   65,536 times a client's. A proven client (a device cookie) is never held back by its /48,
//!   so an attack from elsewhere in it cannot lock the owner out.
//! - A check is counted *before* the password is hashed, in the same statement that refuses it
//!   when the counter is blocked, and the block the failure would earn is set there too: checks
//!   sent all at once cannot slip past the threshold together. A correct password then clears its
//!   account's (or device's) count and takes its client's back. Counts lapse after a quiet window.
//! - Signups are counted per client in fixed windows.
//!
//! Refusals happen before any hashing, so a throttled attacker costs the server one indexed read.

mod clients;

use std::time::Duration;

pub use clients::{client_subject, network_subject};

use crate::{
    error::AccountError,
    ssr::{
        clean_up::{CleanUp, clean_up, delete_in_batches},
        clock::{Micros, now_micros},
        db::{Database, on_pool},
    },
};

/// Thresholds; 0 turns a limit off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuessingLimits {
    /// Consecutive failed password checks against one account before every client that has not
    /// proven itself on it is slowed down, and against one known device before that device is
    /// (NIST SP 800-63B-4 allows at most 100).
    pub failures_per_account: u32,
    /// Failed password checks from one client (an address, an IPv6 /64), against any accounts,
    /// before it is slowed down.
    pub failures_per_address: u32,
    /// Failed password checks from all the clients of one IPv6 /48, against any accounts, before
    /// those that have not proven themselves are slowed down: ten clients' worth by default, since
    /// a site's people mistype too, far fewer than the 65,536 /64s it holds.
    pub failures_per_network: u32,
    /// Signups from one client (an address, an IPv6 /64) per window.
    pub signups_per_address: u32,
    /// Failure counts lapse after this long without a failure; signups are counted per window
    /// of this length.
    pub window: Duration,
    /// The longest a client is made to wait; the backoff starts at one second and doubles.
    pub max_backoff: Duration,
}

impl Default for GuessingLimits {
    fn default() -> Self {
        Self {
            failures_per_account: 10,
            failures_per_address: 100,
            failures_per_network: 1000,
            signups_per_address: 20,
            window: Duration::from_secs(3600),
            max_backoff: Duration::from_secs(15 * 60),
        }
    }
}

const ACCOUNT: &str = "account";
const DEVICE: &str = "device";
const ADDRESS: &str = "address";
const NETWORK: &str = "network";
const SIGNUP: &str = "signup";

/// The longest an IPv6 /48 past its limit is made to wait. Its block holds back every client in it
/// that has not proven itself, most of them not the attacker, and each check let through renews
/// it: a short ceiling keeps an attacker to one guess a minute without locking the others out for
/// a quarter of an hour at a time.
const NETWORK_MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The attempt count after this one: 1 when the counter has lapsed (its last attempt is older than
/// `$4`), else one more.
macro_rules! next_count {
    () => {
        "(CASE WHEN attempt_counters.last_attempt_on < $4 THEN 1 ELSE attempt_counters.attempts + 1 END)"
    };
}

/// Until when a counter at `$n` attempts is blocked, were they all failures: not at all below the
/// threshold `$5`, then from `$3` (now) one second doubling with each attempt past it, at most `$6`
/// microseconds (the backoff reaches `$6` from `$7` doublings on).
macro_rules! blocked_after {
    ($n:expr) => {
        concat!(
            "CASE WHEN ",
            $n,
            " < $5 THEN 0 WHEN ",
            $n,
            " - $5 >= $7 THEN $3 + $6 ELSE $3 + (CAST(1 AS BIGINT) << CAST(",
            $n,
            " - $5 AS INTEGER)) * 1000000 END"
        )
    };
}

/// Counts one password check against a counter that is not blocked, and blocks it as that check's
/// failure would: one statement, so concurrent checks are counted one after another. Returns the
/// new count, or no row when the counter is blocked (and then changes nothing).
const RESERVE: &str = concat!(
    "INSERT INTO attempt_counters ",
    "(scope, subject, attempts, window_started_on, last_attempt_on, blocked_until) ",
    "VALUES ($1, $2, 1, $3, $3, ",
    blocked_after!("1"),
    ") ON CONFLICT (scope, subject) DO UPDATE SET ",
    "attempts = ",
    next_count!(),
    ", window_started_on = CASE WHEN attempt_counters.last_attempt_on < $4 THEN $3 ",
    "ELSE attempt_counters.window_started_on END, ",
    "last_attempt_on = $3, ",
    "blocked_until = ",
    blocked_after!(next_count!()),
    " WHERE attempt_counters.blocked_until <= $3 RETURNING attempts"
);

/// Takes back one counted check that did not fail. The block stays if the failures left still
/// reach the threshold `$3` (a concurrent failure may have set it).
const TAKE_BACK: &str = "UPDATE attempt_counters SET attempts = attempts - 1, \
     blocked_until = CASE WHEN attempts - 1 >= $3 THEN blocked_until ELSE 0 END \
     WHERE scope = $1 AND subject = $2 AND attempts > 0";

/// Signup counts, in fixed windows: adds one and returns the count and when its window started.
const COUNT_IN_FIXED_WINDOW: &str = concat!(
    "INSERT INTO attempt_counters ",
    "(scope, subject, attempts, window_started_on, last_attempt_on, blocked_until) ",
    "VALUES ($1, $2, 1, $3, $3, 0) ON CONFLICT (scope, subject) DO UPDATE SET ",
    "attempts = CASE WHEN attempt_counters.window_started_on < $4 THEN 1 ",
    "ELSE attempt_counters.attempts + 1 END, ",
    "window_started_on = CASE WHEN attempt_counters.window_started_on < $4 THEN $3 ",
    "ELSE attempt_counters.window_started_on END, ",
    "last_attempt_on = $3 RETURNING attempts, window_started_on"
);

/// Counters that have lapsed (no attempt since `$2`) and block nothing (at `$3`, now).
pub(crate) const LAPSED_COUNTERS: CleanUp = clean_up!(
    from "attempt_counters" by "scope, subject" where "last_attempt_on < $2 AND blocked_until <= $3"
);

pub(crate) struct Guard<'a> {
    pub db: &'a Database,
    pub limits: &'a GuessingLimits,
}

/// One password check that the guard let through and has already counted as a failure. The caller
/// reports how it ended: [`Guard::record_failure`] or [`Guard::record_success`].
#[must_use = "report the check's outcome to the guard"]
pub(crate) struct PasswordAttempt {
    /// The counter charged for the account: the account's own, or that of the client's device.
    account: Option<(&'static str, String)>,
    /// The client's counters, when its failures are counted: its address's, and for IPv6 its
    /// network's too, each with its threshold.
    client: Vec<(&'static str, String, u32)>,
}

impl Guard<'_> {
    /// Counts a password check that `address` wants to make against `account` (a username key),
    /// or refuses it, with how long to wait. `device` is the hash of the client's device token
    /// when it is one of this account's devices (`Accounts::proven_device`): then the account's
    /// block does not apply, the device's own counter does.
    pub async fn check_password_attempt(
        &self,
        account: &str,
        address: Option<&str>,
        device: Option<&[u8]>,
    ) -> Result<PasswordAttempt, AccountError> {
        let (per_client, per_network) = (self.limits.failures_per_address, self.limits.failures_per_network);
        let mut client = Vec::new();
        if let Some(address) = address {
            if per_client > 0 {
                client.push((ADDRESS, client_subject(address), per_client));
            }
            if let Some(network) = network_subject(address).filter(|_| per_network > 0 && device.is_none()) {
                client.push((NETWORK, network, per_network));
            }
        }
        let account = (self.limits.failures_per_account > 0).then(|| match device {
            Some(hash) => (DEVICE, hex::encode(hash)),
            None => (ACCOUNT, account.to_owned()),
        });
        let attempt = PasswordAttempt { account, client };
        if attempt.account.is_none() && attempt.client.is_empty() {
            return Ok(attempt);
        }
        // A client that is already refused costs one indexed read, and writes nothing.
        let (account_scope, account_subject) = attempt.account.clone().unwrap_or(("-", String::new()));
        let subject_of = |scope: &str| {
            attempt.client.iter().find(|(counted, ..)| *counted == scope).map_or("", |(_, subject, _)| subject.as_str())
        };
        let blocked: Vec<Micros> = on_pool!(self.db, |pool| {
            sqlx::query_scalar(
                "SELECT blocked_until FROM attempt_counters WHERE (scope = $1 AND subject = $2) \
                 OR (scope = $3 AND subject = $4) OR (scope = $5 AND subject = $6)",
            )
            .bind(account_scope)
            .bind(&account_subject)
            .bind(ADDRESS)
            .bind(subject_of(ADDRESS))
            .bind(NETWORK)
            .bind(subject_of(NETWORK))
            .fetch_all(pool)
            .await?
        });
        let now = now_micros();
        if let Some(until) = blocked.into_iter().filter(|until| *until > now).max() {
            return Err(too_many(now, until));
        }
        // Then the check is counted, or refused if a concurrent one got there first; a refusal
        // takes back what was counted before it.
        for (counted, (scope, subject, threshold)) in attempt.client.iter().enumerate() {
            if !self.reserve(scope, subject, *threshold).await? {
                self.take_back_clients(&attempt.client[..counted]).await?;
                return Err(self.refusal(scope, subject).await?);
            }
        }
        if let Some((scope, subject)) = &attempt.account
            && !self.reserve(scope, subject, self.limits.failures_per_account).await?
        {
            self.take_back_clients(&attempt.client).await?;
            return Err(self.refusal(scope, subject).await?);
        }
        Ok(attempt)
    }

    /// A failed check: it was counted, and its block set, when it was let through.
    pub async fn record_failure(&self, attempt: PasswordAttempt) -> Result<(), AccountError> {
        drop(attempt);
        Ok(())
    }

    /// A correct password clears its account's (or device's) count, and the client's check is
    /// taken back (its earlier failures stay: an attacker cannot launder them by logging into an
    /// account of their own).
    pub async fn record_success(&self, attempt: PasswordAttempt) -> Result<(), AccountError> {
        if let Some((scope, subject)) = &attempt.account {
            self.clear(scope, subject).await?;
        }
        self.take_back_clients(&attempt.client).await
    }

    /// A right password on an account with a second factor: the client's check is taken back,
    /// as for any right password, but the account's (or device's) stays counted until the second
    /// step succeeds ([`Guard::record_second_step`]), so that whoever knows the password cannot
    /// wipe the count of wrong codes by logging in again.
    pub async fn record_right_password(&self, attempt: PasswordAttempt) -> Result<(), AccountError> {
        self.take_back_clients(&attempt.client).await
    }

    /// A login whose second step succeeded outside the guard (a passkey): the count of account
    /// `account` (a username key), or of the client's device when `device` is one of its, is
    /// cleared, as a right code clears it.
    pub async fn record_second_step(&self, account: &str, device: Option<&[u8]>) -> Result<(), AccountError> {
        if self.limits.failures_per_account == 0 {
            return Ok(());
        }
        match device {
            Some(hash) => self.clear(DEVICE, &hex::encode(hash)).await,
            None => self.clear(ACCOUNT, account).await,
        }
    }

    /// Forgets one counter.
    async fn clear(&self, scope: &str, subject: &str) -> Result<(), AccountError> {
        on_pool!(self.db, |pool| {
            sqlx::query("DELETE FROM attempt_counters WHERE scope = $1 AND subject = $2")
                .bind(scope)
                .bind(subject)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Takes back one counted check of each of the client's counters.
    async fn take_back_clients(&self, counters: &[(&'static str, String, u32)]) -> Result<(), AccountError> {
        for (scope, subject, threshold) in counters {
            self.take_back(scope, subject, *threshold).await?;
        }
        Ok(())
    }

    /// Counts one check against a counter (see [`RESERVE`]); false when the counter is blocked.
    async fn reserve(&self, scope: &str, subject: &str, threshold: u32) -> Result<bool, AccountError> {
        let now = now_micros();
        let max_backoff =
            if scope == NETWORK { self.limits.max_backoff.min(NETWORK_MAX_BACKOFF) } else { self.limits.max_backoff };
        let ceiling = i64::try_from(max_backoff.as_micros()).unwrap_or(i64::MAX);
        // From this many doublings on, the backoff is the ceiling (and never more than 2^20 s).
        let mut doublings: u32 = 0;
        while doublings < 20 && (1i64 << doublings) * 1_000_000 < ceiling {
            doublings += 1;
        }
        let longest = ceiling.min((1i64 << doublings) * 1_000_000);
        let counted: Option<i64> = on_pool!(self.db, |pool| {
            sqlx::query_scalar(RESERVE)
                .bind(scope)
                .bind(subject)
                .bind(now)
                .bind(now.minus(self.limits.window))
                .bind(i64::from(threshold))
                .bind(longest)
                .bind(i64::from(doublings))
                .fetch_optional(pool)
                .await?
        });
        if let Some(attempts) = counted
            && attempts >= i64::from(threshold)
        {
            tracing::warn!(scope, attempts, "throttling");
        }
        Ok(counted.is_some())
    }

    /// Takes back one counted check of a counter (see [`TAKE_BACK`]).
    async fn take_back(&self, scope: &str, subject: &str, threshold: u32) -> Result<(), AccountError> {
        on_pool!(self.db, |pool| {
            sqlx::query(TAKE_BACK).bind(scope).bind(subject).bind(i64::from(threshold)).execute(pool).await?;
        });
        Ok(())
    }

    /// The refusal for a counter found blocked.
    async fn refusal(&self, scope: &str, subject: &str) -> Result<AccountError, AccountError> {
        let until: Option<Micros> = on_pool!(self.db, |pool| {
            sqlx::query_scalar("SELECT blocked_until FROM attempt_counters WHERE scope = $1 AND subject = $2")
                .bind(scope)
                .bind(subject)
                .fetch_optional(pool)
                .await?
        });
        let now = now_micros();
        Ok(too_many(now, until.unwrap_or(now)))
    }

    /// Counts a signup from `address`; refuses it past the window's allowance.
    pub async fn count_signup(&self, address: Option<&str>) -> Result<(), AccountError> {
        let Some(address) = address.filter(|_| self.limits.signups_per_address > 0) else { return Ok(()) };
        let now = now_micros();
        let window_start = now.minus(self.limits.window);
        let (attempts, window_started_on): (i64, Micros) = on_pool!(self.db, |pool| {
            sqlx::query_as(COUNT_IN_FIXED_WINDOW)
                .bind(SIGNUP)
                .bind(client_subject(address))
                .bind(now)
                .bind(window_start)
                .fetch_one(pool)
                .await?
        });
        if attempts <= i64::from(self.limits.signups_per_address) {
            return Ok(());
        }
        tracing::warn!(scope = SIGNUP, attempts, "throttling");
        Err(too_many(now, window_started_on.plus(self.limits.window)))
    }

    /// Drops counters that have lapsed and block nothing.
    pub async fn forget_stale(&self) -> Result<u64, AccountError> {
        let now = now_micros();
        Ok(delete_in_batches(self.db, &LAPSED_COUNTERS, &[now.minus(self.limits.window), now]).await?)
    }
}

fn too_many(now: Micros, until: Micros) -> AccountError {
    let micros = u64::try_from(until.0.saturating_sub(now.0)).unwrap_or(0);
    AccountError::TooManyAttempts { retry_after_secs: micros.div_ceil(1_000_000).max(1) }
}
