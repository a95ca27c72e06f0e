//! Failures the user can do nothing about, and how they become an [`AccountError`]: the cause is
//! logged whole (every `source()` in the chain), and the user hears only "try again" (503) when
//! the database cannot be reached, "too slow" (503) when a query ran out of its time budget
//! (`db.rs`), "busy" (503) when the hashing queue is full (`password/`), or "something went
//! wrong" (500) otherwise. With these `From`
//! conversions the core writes `?` after every query and every hash.

use std::{error::Error, fmt};

use crate::{error::AccountError, ssr::password::HashError};

impl From<sqlx::Error> for AccountError {
    fn from(error: sqlx::Error) -> Self {
        if database_unreachable(&error) {
            tracing::warn!(error = %CauseChain(&error), "the database cannot be reached");
            AccountError::Unavailable
        } else if over_budget(&error) {
            tracing::warn!(error = %CauseChain(&error), "a query ran out of its time budget and was stopped");
            AccountError::TooSlow
        } else {
            internal(&error)
        }
    }
}

impl From<HashError> for AccountError {
    fn from(error: HashError) -> Self {
        match error {
            // A place in the queue frees as soon as one hash ends (tens of milliseconds).
            HashError::Busy => AccountError::Busy { retry_after_secs: 1 },
            HashError::Argon2(_) | HashError::Closed => internal(&error),
        }
    }
}

/// The one path for an unexpected failure: logs its whole cause chain, answers `Internal`.
pub fn internal(error: &(dyn Error + 'static)) -> AccountError {
    tracing::error!(error = %CauseChain(error), "internal error");
    AccountError::Internal
}

/// Whether a failed query means the database is out of reach or shutting down (the caller may
/// retry), rather than that the query itself went wrong.
fn database_unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        // PostgreSQL's classes 08 (connection exception) and 57P (operator intervention: shutdown).
        sqlx::Error::Database(db) => db.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

/// Whether a query was stopped for running past the time budget: PostgreSQL's
/// `statement_timeout` (57014, `query_canceled`) or SQLite's progress handler (`SQLITE_INTERRUPT`).
fn over_budget(error: &sqlx::Error) -> bool {
    const SQLITE_INTERRUPT: &str = "9";
    const PG_QUERY_CANCELED: &str = "57014";
    match error {
        sqlx::Error::Database(db) => {
            db.code().is_some_and(|code| code == SQLITE_INTERRUPT || code == PG_QUERY_CANCELED)
        }
        _ => false,
    }
}

/// An error and each of its causes, joined by ": ", for one log line.
pub struct CauseChain<'a>(pub &'a (dyn Error + 'static));

impl fmt::Display for CauseChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(error) = cause {
            write!(f, ": {error}")?;
            cause = error.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn the_log_line_names_every_cause() {
        let error = Outer(std::io::Error::other("inner"));
        assert_eq!(CauseChain(&error).to_string(), "outer: inner");
    }

    #[test]
    fn an_unreachable_database_is_a_503_and_other_failures_a_500() {
        assert_eq!(AccountError::from(sqlx::Error::PoolTimedOut), AccountError::Unavailable);
        assert_eq!(AccountError::from(sqlx::Error::RowNotFound), AccountError::Internal);
        assert_eq!(AccountError::from(HashError::Closed), AccountError::Internal);
        assert_eq!(AccountError::from(HashError::Busy), AccountError::Busy { retry_after_secs: 1 });
    }
}
