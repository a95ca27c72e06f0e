//! Time as the database stores it: whole microseconds since the Unix epoch, UTC.

use std::time::Duration;

use time::OffsetDateTime;

/// Microseconds since the Unix epoch. An integer column on both backends, so ordering and
/// expiry checks are integer comparisons that behave the same everywhere.
#[derive(Default, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, sqlx::Type)]
#[sqlx(transparent)]
pub struct Micros(pub i64);

impl Micros {
    pub fn plus(self, duration: Duration) -> Self {
        Micros(self.0.saturating_add(i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)))
    }

    pub fn minus(self, duration: Duration) -> Self {
        Micros(self.0.saturating_sub(i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)))
    }

    pub fn to_datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// `2026-11-29 08:04 UTC`: to the minute, for people reading a list.
    pub fn to_minute_utc(self) -> String {
        const TO_THE_MINUTE: &[time::format_description::BorrowedFormatItem<'_>] =
            time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
        // Formatting a valid date with a fixed description cannot fail.
        self.to_datetime().format(TO_THE_MINUTE).unwrap_or_default()
    }
}

pub fn now_micros() -> Micros {
    let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
    Micros(i64::try_from(nanos / 1_000).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_shows_the_time_to_the_minute_in_utc() {
        // 2025-11-29 08:04:59.5 UTC
        let at = Micros(1_764_403_499_500_000);
        assert_eq!(at.to_minute_utc(), "2025-11-29 08:04 UTC");
    }
}
