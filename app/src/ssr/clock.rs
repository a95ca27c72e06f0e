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

    /// A moment a person typed: a date (`2026-12-03`: its first moment in UTC, or with `end_of_day`
    /// the first moment of the next day) or an RFC 3339 time (`2026-12-03T08:00:00Z`).
    pub fn parse(text: &str, end_of_day: bool) -> Option<Self> {
        const DATE: &[time::format_description::BorrowedFormatItem<'_>] =
            time::macros::format_description!("[year]-[month]-[day]");
        let text = text.trim();
        let at = match time::Date::parse(text, DATE) {
            Ok(date) => {
                let date = if end_of_day { date.next_day()? } else { date };
                date.midnight().assume_utc()
            }
            Err(_) => OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?,
        };
        i64::try_from(at.unix_timestamp_nanos() / 1_000).ok().map(Micros)
    }

    /// `2026-11-29T08:04:59.5Z`, for machines (an HTML `<time>`'s `datetime`).
    pub fn to_rfc3339(self) -> String {
        self.to_datetime().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
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

    #[test]
    fn a_typed_date_is_its_first_moment_or_the_next_days() {
        assert_eq!(Micros::parse("2025-11-29", false), Some(Micros(1_764_374_400_000_000)));
        assert_eq!(Micros::parse(" 2025-11-29 ", true), Some(Micros(1_764_460_800_000_000)));
        assert_eq!(Micros::parse("2025-11-29T08:04:59.5Z", false), Some(Micros(1_764_403_499_500_000)));
        for unreadable in ["", "yesterday", "2025-13-01", "2025-11-29T25:00:00Z", "99999-01-01"] {
            assert_eq!(Micros::parse(unreadable, false), None, "{unreadable}");
        }
    }
}
