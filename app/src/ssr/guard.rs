//! The defence against online guessing, kept in the database so that every replica counts the
//! same attempts and a restart forgets none.
//!
//! - Failed password checks are counted per account and per client address. Past its threshold
//!   an address is refused (429) for a backoff that doubles with each further failure, up to a
//!   ceiling. Past its threshold an account is refused the same way, but only to clients that
//!   have themselves been failing: an attacker can slow the guessing against a victim's account
//!   without locking the victim (whose address has no failures) out.
//! - A correct password clears its account's count. Counts also lapse after a quiet window.
//! - Signups are counted per client address in fixed windows.
//!
//! Refusals happen before any hashing, so a throttled attacker costs the server one indexed read.

use std::time::Duration;

use crate::{
    error::AccountError,
    ssr::{
        clock::{Micros, now_micros},
        db::{Database, on_pool},
    },
};

/// Thresholds; 0 turns a limit off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuessingLimits {
    /// Consecutive failed password checks against one account before clients that keep failing
    /// are slowed down (NIST SP 800-63B-4 allows at most 100).
    pub failures_per_account: u32,
    /// Failed password checks from one client address, against any accounts, before it is slowed
    /// down.
    pub failures_per_address: u32,
    /// Signups from one client address per window.
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
            signups_per_address: 20,
            window: Duration::from_secs(3600),
            max_backoff: Duration::from_secs(15 * 60),
        }
    }
}

const ACCOUNT: &str = "account";
const ADDRESS: &str = "address";
const SIGNUP: &str = "signup";

/// Adds one attempt to a counter and returns the count and when its window started. The count
/// restarts when the column `$restart_by` of the existing row is older than `$4`.
macro_rules! count_attempt_sql {
    ($restart_by:literal) => {
        concat!(
            "INSERT INTO attempt_counters ",
            "(scope, subject, attempts, window_started_on, last_attempt_on, blocked_until) ",
            "VALUES ($1, $2, 1, $3, $3, 0) ON CONFLICT (scope, subject) DO UPDATE SET ",
            "attempts = CASE WHEN attempt_counters.",
            $restart_by,
            " < $4 THEN 1 ",
            "ELSE attempt_counters.attempts + 1 END, ",
            "window_started_on = CASE WHEN attempt_counters.",
            $restart_by,
            " < $4 THEN $3 ",
            "ELSE attempt_counters.window_started_on END, ",
            "last_attempt_on = $3 RETURNING attempts, window_started_on"
        )
    };
}

/// Failure counts: they lapse after a window without failures.
const COUNT_SINCE_LAST_ATTEMPT: &str = count_attempt_sql!("last_attempt_on");
/// Signup counts: fixed windows.
const COUNT_IN_FIXED_WINDOW: &str = count_attempt_sql!("window_started_on");

#[derive(sqlx::FromRow)]
struct CounterRow {
    scope: String,
    attempts: i64,
    last_attempt_on: Micros,
    blocked_until: Micros,
}

pub(crate) struct Guard<'a> {
    pub db: &'a Database,
    pub limits: &'a GuessingLimits,
}

impl Guard<'_> {
    /// Refuses a password check that `address` may not make now against `account` (a username
    /// key), with how long to wait.
    pub async fn check_password_attempt(&self, account: &str, address: Option<&str>) -> Result<(), AccountError> {
        if self.limits.failures_per_account == 0 && self.limits.failures_per_address == 0 {
            return Ok(());
        }
        let rows: Vec<CounterRow> = on_pool!(self.db, |pool| {
            sqlx::query_as(
                "SELECT scope, attempts, last_attempt_on, blocked_until FROM attempt_counters \
                 WHERE (scope = $1 AND subject = $2) OR (scope = $3 AND subject = $4)",
            )
            .bind(ACCOUNT)
            .bind(account)
            .bind(ADDRESS)
            .bind(address.unwrap_or(""))
            .fetch_all(pool)
            .await?
        });
        let now = now_micros();
        let quiet_since = now.minus(self.limits.window);
        let row = |scope: &str| rows.iter().find(|row| row.scope == scope);
        let address_row = row(ADDRESS).filter(|_| address.is_some());
        if let Some(blocked) = address_row.filter(|row| self.limits.failures_per_address > 0 && row.blocked_until > now)
        {
            return Err(too_many(now, blocked.blocked_until));
        }
        let client_has_been_failing =
            address_row.is_some_and(|row| row.attempts > 0 && row.last_attempt_on >= quiet_since) || address.is_none();
        if let Some(blocked) =
            row(ACCOUNT).filter(|row| self.limits.failures_per_account > 0 && row.blocked_until > now)
            && client_has_been_failing
        {
            return Err(too_many(now, blocked.blocked_until));
        }
        Ok(())
    }

    /// Counts a failed password check against `account` from `address`, and throttles either
    /// once past its threshold.
    pub async fn record_failure(&self, account: &str, address: Option<&str>) -> Result<(), AccountError> {
        if self.limits.failures_per_account > 0 {
            self.count(COUNT_SINCE_LAST_ATTEMPT, ACCOUNT, account, self.limits.failures_per_account, Backoff::Doubling)
                .await?;
        }
        // The address's failures are counted whenever either limit is on: the account limit
        // needs them to tell a failing client from a clean one.
        let counting = self.limits.failures_per_account > 0 || self.limits.failures_per_address > 0;
        if let Some(address) = address.filter(|_| counting) {
            let threshold = match self.limits.failures_per_address {
                0 => u32::MAX,
                limit => limit,
            };
            self.count(COUNT_SINCE_LAST_ATTEMPT, ADDRESS, address, threshold, Backoff::Doubling).await?;
        }
        Ok(())
    }

    /// A correct password clears its account's failures (the address's stay: an attacker
    /// cannot launder them by logging into an account of their own).
    pub async fn record_success(&self, account: &str) -> Result<(), AccountError> {
        if self.limits.failures_per_account == 0 {
            return Ok(());
        }
        on_pool!(self.db, |pool| {
            sqlx::query("DELETE FROM attempt_counters WHERE scope = $1 AND subject = $2")
                .bind(ACCOUNT)
                .bind(account)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Counts a signup from `address`; refuses it past the window's allowance.
    pub async fn count_signup(&self, address: Option<&str>) -> Result<(), AccountError> {
        let Some(address) = address.filter(|_| self.limits.signups_per_address > 0) else { return Ok(()) };
        match self
            .count(COUNT_IN_FIXED_WINDOW, SIGNUP, address, self.limits.signups_per_address, Backoff::UntilWindowEnds)
            .await?
        {
            Some(until) => Err(too_many(now_micros(), until)),
            None => Ok(()),
        }
    }

    /// Drops counters that have lapsed and block nothing.
    pub async fn forget_stale(&self) -> Result<u64, AccountError> {
        let now = now_micros();
        Ok(on_pool!(self.db, |pool| {
            sqlx::query("DELETE FROM attempt_counters WHERE last_attempt_on < $1 AND blocked_until <= $2")
                .bind(now.minus(self.limits.window))
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    /// Adds an attempt; past `threshold`, blocks the subject and returns until when.
    async fn count(
        &self,
        sql: &'static str,
        scope: &str,
        subject: &str,
        threshold: u32,
        backoff: Backoff,
    ) -> Result<Option<Micros>, AccountError> {
        let now = now_micros();
        let window_start = now.minus(self.limits.window);
        let (attempts, window_started_on): (i64, Micros) = on_pool!(self.db, |pool| {
            sqlx::query_as(sql).bind(scope).bind(subject).bind(now).bind(window_start).fetch_one(pool).await?
        });
        let excess = attempts - i64::from(threshold);
        if excess < 0 || (backoff == Backoff::UntilWindowEnds && excess == 0) {
            return Ok(None);
        }
        let until = match backoff {
            Backoff::Doubling => {
                let doublings = u32::try_from(excess).unwrap_or(u32::MAX).min(20);
                now.plus(Duration::from_secs(1u64 << doublings).min(self.limits.max_backoff))
            }
            Backoff::UntilWindowEnds => window_started_on.plus(self.limits.window),
        };
        on_pool!(self.db, |pool| {
            sqlx::query("UPDATE attempt_counters SET blocked_until = $1 WHERE scope = $2 AND subject = $3")
                .bind(until)
                .bind(scope)
                .bind(subject)
                .execute(pool)
                .await?;
        });
        tracing::warn!(scope, attempts, "throttling");
        Ok(Some(until))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backoff {
    /// One second after the threshold is reached, doubling with each further failure.
    Doubling,
    /// Until the counting window ends (the attempt past the allowance is the one refused).
    UntilWindowEnds,
}

fn too_many(now: Micros, until: Micros) -> AccountError {
    let micros = u64::try_from(until.0.saturating_sub(now.0)).unwrap_or(0);
    AccountError::TooManyAttempts { retry_after_secs: micros.div_ceil(1_000_000).max(1) }
}
