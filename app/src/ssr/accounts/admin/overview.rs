//! The console's overview: how many accounts and sessions there are, what happened over the last
//! day, and logins, failures and throttled attempts hour by hour over the last week, for the chart
//! in which a guessing attack shows as a spike.

use super::Accounts;
use crate::{
    error::AccountError,
    ssr::{
        accounts::AuditEvent,
        clock::{Micros, now_micros},
        db::on_pool,
    },
};

/// Hours the chart covers: a week.
pub const HOURS_CHARTED: usize = 7 * 24;

const HOUR_MICROS: i64 = 3_600_000_000;

/// Logins, failures and throttled attempts in one hour (or any span).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HourCounts {
    /// When the hour began.
    pub start: Micros,
    pub logins: i64,
    pub failures: i64,
    pub throttled: i64,
}

/// What the overview shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overview {
    pub live_accounts: i64,
    pub disabled_accounts: i64,
    pub deleted_accounts: i64,
    pub open_sessions: i64,
    /// Over the last 24 hours.
    pub signups: i64,
    pub last_day: HourCounts,
    /// The last [`HOURS_CHARTED`] hours, oldest first, the current hour last.
    pub hours: Vec<HourCounts>,
}

impl Accounts {
    pub async fn overview(&self) -> Result<Overview, AccountError> {
        // Disabled and deleted accounts are few, each counted from a partial index of its own;
        // live ones are the rest.
        const ACCOUNTS: &str = "SELECT (SELECT COUNT(*) FROM users), \
             (SELECT COUNT(*) FROM users WHERE deleted_on IS NULL AND disabled_on IS NOT NULL), \
             (SELECT COUNT(*) FROM users WHERE deleted_on IS NOT NULL)";
        // Throttled attempts are aggregated a row a minute per client: their `repeats` count.
        const SINCE: &str = "SELECT event, CAST(SUM(repeats) AS BIGINT) FROM audit_events \
             WHERE event IN ($1, $2, $3, $4) AND occurred_on >= $5 GROUP BY event";
        const HOURLY: &str = "SELECT event, occurred_on / 3600000000 AS hour, CAST(SUM(repeats) AS BIGINT) \
             FROM audit_events WHERE event IN ($1, $2, $3) AND occurred_on >= $4 \
             GROUP BY event, occurred_on / 3600000000";
        let now = now_micros();
        let day_ago = Micros(now.0 - 24 * HOUR_MICROS);
        let current_hour = now.0.div_euclid(HOUR_MICROS);
        let first_hour = current_hour - i64::try_from(HOURS_CHARTED).unwrap_or(i64::MAX) + 1;
        let (all, disabled, deleted): (i64, i64, i64) =
            on_pool!(&self.db, |pool| sqlx::query_as(ACCOUNTS).fetch_one(pool).await?);
        let live = all - disabled - deleted;
        let last_day: Vec<(String, i64)> = on_pool!(&self.db, |pool| {
            sqlx::query_as(SINCE)
                .bind(AuditEvent::Signup.name())
                .bind(AuditEvent::LoginSucceeded.name())
                .bind(AuditEvent::LoginFailed.name())
                .bind(AuditEvent::LoginThrottled.name())
                .bind(day_ago)
                .fetch_all(pool)
                .await?
        });
        let hourly: Vec<(String, i64, i64)> = on_pool!(&self.db, |pool| {
            sqlx::query_as(HOURLY)
                .bind(AuditEvent::LoginSucceeded.name())
                .bind(AuditEvent::LoginFailed.name())
                .bind(AuditEvent::LoginThrottled.name())
                .bind(Micros(first_hour * HOUR_MICROS))
                .fetch_all(pool)
                .await?
        });
        let count_of =
            |event: AuditEvent| last_day.iter().find(|(name, _)| name == event.name()).map_or(0, |(_, count)| *count);
        let mut hours: Vec<HourCounts> = (first_hour..=current_hour)
            .map(|hour| HourCounts { start: Micros(hour * HOUR_MICROS), ..HourCounts::default() })
            .collect();
        for (event, hour, count) in hourly {
            let Some(slot) = usize::try_from(hour - first_hour).ok().and_then(|at| hours.get_mut(at)) else { continue };
            if event == AuditEvent::LoginSucceeded.name() {
                slot.logins += count;
            } else if event == AuditEvent::LoginFailed.name() {
                slot.failures += count;
            } else {
                slot.throttled += count;
            }
        }
        Ok(Overview {
            live_accounts: live,
            disabled_accounts: disabled,
            deleted_accounts: deleted,
            open_sessions: self.active_sessions().await?,
            signups: count_of(AuditEvent::Signup),
            last_day: HourCounts {
                start: day_ago,
                logins: count_of(AuditEvent::LoginSucceeded),
                failures: count_of(AuditEvent::LoginFailed),
                throttled: count_of(AuditEvent::LoginThrottled),
            },
            hours,
        })
    }
}
