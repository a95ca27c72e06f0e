//! Paged, searchable listings: the FROM and WHERE clauses of a listing written once, replayed into
//! a count and a page of rows, with search patterns always bound as parameters.
//!
//! A listing counts every row it matches, and a search (a listing with a pattern) may read every
//! row of its table, so only a few listings run at once ([`ListingPlaces`]). A few more wait up to
//! [`LISTING_WAIT`] for a place, holding their request slots; the rest, and those whose wait runs
//! out, are answered 503 with `Retry-After` at once. Each query also has its time budget (`db.rs`);
//! together they keep any number of signed-in users from holding the database's connections, or
//! the server's request slots, with listings.

use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};

use super::{Accounts, Page};
use crate::{error::AccountError, ssr::db::on_pool};

/// Listings running at once per core, when the settings name no number: a word search over a
/// million accounts keeps a core busy for a few hundred milliseconds, a count of them for tens.
pub const LISTING_PLACES_PER_CORE: usize = 2;

/// How long a listing waits for a place before it is answered 503 (`ListingsBusy`).
pub const LISTING_WAIT: Duration = Duration::from_secs(1);

/// Listings that may wait for a place, per place: enough for a burst of people paging, few enough
/// that waiting listings hold only a few of the request slots.
const WAITING_PER_PLACE: usize = 4;

/// The places of the listings running at once, and of those waiting for one.
pub(super) struct ListingPlaces {
    running: Semaphore,
    waiting: Semaphore,
}

impl ListingPlaces {
    pub fn new(places: usize) -> Self {
        let places = places.max(1);
        Self { running: Semaphore::new(places), waiting: Semaphore::new(places * WAITING_PER_PLACE) }
    }

    /// A place to run a listing: at once if one is free, else after waiting at most
    /// [`LISTING_WAIT`] among the few allowed to wait; `ListingsBusy` otherwise.
    pub(super) async fn take(&self) -> Result<SemaphorePermit<'_>, AccountError> {
        if let Ok(place) = self.running.try_acquire() {
            return Ok(place);
        }
        let refused = || {
            metrics::counter!("dioptra_listings_refused_total").increment(1);
            AccountError::ListingsBusy
        };
        let _waiting = self.waiting.try_acquire().map_err(|_| refused())?;
        match tokio::time::timeout(LISTING_WAIT, self.running.acquire()).await {
            Ok(Ok(place)) => Ok(place),
            _ => Err(refused()),
        }
    }
}

/// The FROM and WHERE clauses of a listing: literal SQL, and LIKE patterns that become bound
/// parameters. Written once and replayed into each backend's `QueryBuilder`.
pub(super) struct SqlFilters {
    parts: Vec<SqlPart>,
}

enum SqlPart {
    Text(String),
    Bind(String),
    BindId(i64),
    /// ` AND column >= low AND column < high`, on SQLite only: it cannot use an index for a
    /// LIKE that ignores case, but can for this range, which a pattern's literal prefix implies.
    /// (PostgreSQL uses its `text_pattern_ops` indexes for the LIKE itself.)
    SqlitePrefixRange {
        column: String,
        low: String,
        high: Option<String>,
    },
}

impl SqlFilters {
    /// Starts with `from`: the FROM clause and the WHERE clause's first condition.
    pub fn new(from: &str) -> Self {
        Self { parts: vec![SqlPart::Text(from.to_owned())] }
    }

    pub fn push(&mut self, sql: &str) {
        self.parts.push(SqlPart::Text(sql.to_owned()));
    }

    /// An id, bound as a parameter.
    pub fn bind_id(&mut self, id: i64) {
        self.parts.push(SqlPart::BindId(id));
    }

    /// `column LIKE <pattern> ESCAPE '/'`, the pattern bound, never spliced into the SQL.
    pub fn like(&mut self, column: &str, pattern: &str) {
        self.push(&format!("{column} LIKE "));
        self.parts.push(SqlPart::Bind(pattern.to_owned()));
        self.push(" ESCAPE '/'");
        let low = literal_prefix(pattern);
        if !low.is_empty() {
            let high = prefix_successor(&low);
            self.parts.push(SqlPart::SqlitePrefixRange { column: column.to_owned(), low, high });
        }
    }

    fn write_to<DB: sqlx::Database>(&self, builder: &mut sqlx::QueryBuilder<DB>)
    where
        for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        for part in &self.parts {
            match part {
                SqlPart::Text(text) => {
                    builder.push(text);
                }
                SqlPart::Bind(value) => {
                    builder.push_bind(value.clone());
                }
                SqlPart::BindId(id) => {
                    builder.push_bind(*id);
                }
                SqlPart::SqlitePrefixRange { column, low, high } if DB::NAME == "SQLite" => {
                    builder.push(format!(" AND {column} >= ")).push_bind(low.clone());
                    if let Some(high) = high {
                        builder.push(format!(" AND {column} < ")).push_bind(high.clone());
                    }
                }
                SqlPart::SqlitePrefixRange { .. } => {}
            }
        }
    }
}

impl Accounts {
    /// The first row that `select` and `filters` give (a lookup by key, say): no count, and no
    /// listing place, since it reads one row.
    pub(super) async fn first_row<T>(&self, select: &str, filters: &SqlFilters) -> Result<Option<T>, AccountError>
    where
        T: Send
            + Unpin
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        Ok(on_pool!(&self.db, |pool| {
            let mut query = sqlx::QueryBuilder::new(select);
            filters.write_to(&mut query);
            query.push(" LIMIT 1");
            query.build_query_as::<T>().fetch_optional(pool).await?
        }))
    }

    /// Runs a paged listing: `select` and `filters` give the rows, ordered by `order_by`; a
    /// second query counts every match.
    pub(super) async fn page<T>(
        &self,
        select: &str,
        order_by: &str,
        filters: &SqlFilters,
        index: i64,
        limit: i64,
    ) -> Result<Page<T>, AccountError>
    where
        T: Send
            + Unpin
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        self.page_counting(select, order_by, filters, filters, None, index, limit).await
    }

    /// Like [`Accounts::page`], counting the total with `counted` (the same rows as `filters`
    /// without the joins that only add columns: a count over a million rows should not join),
    /// and only up to one more than `count_at_most` when given.
    #[allow(clippy::too_many_arguments, reason = "two queries' parts and the paging; a struct would only rename them")]
    pub(super) async fn page_counting<T>(
        &self,
        select: &str,
        order_by: &str,
        filters: &SqlFilters,
        counted: &SqlFilters,
        count_at_most: Option<i64>,
        index: i64,
        limit: i64,
    ) -> Result<Page<T>, AccountError>
    where
        T: Send
            + Unpin
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let _place = self.listings.take().await?;
        Ok(on_pool!(&self.db, |pool| {
            let mut count = match count_at_most {
                None => sqlx::QueryBuilder::new("SELECT COUNT(*)"),
                Some(_) => sqlx::QueryBuilder::new("SELECT COUNT(*) FROM (SELECT 1"),
            };
            counted.write_to(&mut count);
            if let Some(most) = count_at_most {
                count.push(" LIMIT ").push_bind(most.saturating_add(1)).push(") AS counted");
            }
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            let mut rows = sqlx::QueryBuilder::new(select);
            filters.write_to(&mut rows);
            rows.push(" ORDER BY ").push(order_by).push(" LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(index);
            let items = rows.build_query_as::<T>().fetch_all(pool).await?;
            Page { total, items }
        }))
    }
}

/// The literal text a LIKE pattern (escape character `/`) starts with, before its first wildcard.
fn literal_prefix(pattern: &str) -> String {
    let mut prefix = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '/' => match chars.next() {
                Some(escaped) => prefix.push(escaped),
                None => break,
            },
            '%' | '_' => break,
            c => prefix.push(c),
        }
    }
    prefix
}

/// The least string above every string that starts with `prefix`, in code-point order (SQLite's
/// order for UTF-8 text): the prefix with its last character incremented. `None` when there is
/// none (every character is the last code point).
fn prefix_successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match u32::from(last) + 1 {
            0xD800 => 0xE000, // surrogates are not characters
            next => next,
        };
        if let Some(next) = char::from_u32(next) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_listing_without_a_place_waits_among_a_few_and_the_rest_are_refused_at_once() {
        let places = ListingPlaces::new(1);
        let running = places.take().await.unwrap();
        // Four may wait (each polled until it is waiting for the running one's place)...
        let mut waiting: Vec<_> = (0..WAITING_PER_PLACE).map(|_| Box::pin(places.take())).collect();
        for listing in &mut waiting {
            assert!(tokio::time::timeout(Duration::from_millis(5), listing).await.is_err(), "it waits");
        }
        // ...a fifth is refused without waiting...
        let started = std::time::Instant::now();
        assert!(matches!(places.take().await, Err(AccountError::ListingsBusy)));
        assert!(started.elapsed() < LISTING_WAIT / 2);
        // ...and a place given back goes to the first in line.
        drop(running);
        let first = tokio::time::timeout(LISTING_WAIT, &mut waiting[0]).await;
        assert!(matches!(first, Ok(Ok(_))));
    }

    #[test]
    fn a_patterns_literal_prefix_stops_at_the_first_wildcard() {
        assert_eq!(literal_prefix("user12%"), "user12");
        assert_eq!(literal_prefix("a/%b/_c/_%x"), "a%b_c_");
        assert_eq!(literal_prefix("%fuzzy%"), "");
        assert_eq!(literal_prefix("us_r"), "us");
    }

    #[test]
    fn the_successor_bounds_every_string_with_the_prefix() {
        assert_eq!(prefix_successor("user12").as_deref(), Some("user13"));
        assert_eq!(prefix_successor("az").as_deref(), Some("a{"));
        assert_eq!(prefix_successor("a\u{d7ff}").as_deref(), Some("a\u{e000}"));
        assert_eq!(prefix_successor("a\u{10ffff}").as_deref(), Some("b"));
        assert_eq!(prefix_successor("\u{10ffff}"), None);
        let high = prefix_successor("σοφ").unwrap();
        for name in ["σοφ", "σοφία", "σοφ\u{10ffff}zz"] {
            assert!(name >= "σοφ" && name < high.as_str(), "{name}");
        }
    }
}
