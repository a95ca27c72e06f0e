//! Deleting rows past their time in batches: the periodic clean-up's one way to delete.
//!
//! Each batch is a statement of its own with a query budget of its own: one statement over millions
//! of rows (counters an attacker made from many addresses, say) would run out of its budget every
//! time, and the table that most needs cleaning would never be cleaned. A batch finds its rows
//! through an index on the time it compares (`migrations/*/20261207000001_clean_up_indexes.sql`),
//! so it reads the rows it deletes and not the live ones, and deletes them by key (SQLite) or by
//! the rows' own addresses (PostgreSQL's `ctid`: its planner may otherwise hash every row the
//! condition matches, the whole backlog, for each batch of a thousand). The condition is repeated
//! outside: PostgreSQL re-checks only the outer one for a row another statement changed meanwhile
//! (a counter that a new guess has just renewed must stay).

use super::{
    clock::Micros,
    db::{Database, on_pool},
};

/// Rows deleted per statement.
pub const BATCH: i64 = 1_000;

/// One table's clean-up statement, written for each backend by [`clean_up!`].
#[derive(Debug)]
pub struct CleanUp {
    pub table: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

/// The [`CleanUp`] of the rows of table `$table` (keyed by `$key`, one column or several separated
/// by commas) that meet `$condition`, whose parameters are `$2`, `$3`, …: `$1` is the batch size.
macro_rules! clean_up {
    (from $table:literal by $key:literal where $condition:literal) => {
        $crate::ssr::clean_up::CleanUp {
            table: $table,
            sqlite: concat!(
                "DELETE FROM ",
                $table,
                " WHERE (",
                $key,
                ") IN (SELECT ",
                $key,
                " FROM ",
                $table,
                " WHERE ",
                $condition,
                " LIMIT $1) AND (",
                $condition,
                ")"
            ),
            postgres: concat!(
                "DELETE FROM ",
                $table,
                " WHERE ctid = ANY(ARRAY(SELECT ctid FROM ",
                $table,
                " WHERE ",
                $condition,
                " LIMIT $1)) AND (",
                $condition,
                ")"
            ),
        }
    };
}
pub(crate) use clean_up;

/// Runs `clean_up` with the times its condition compares (`$2`, `$3`, …) batch after batch, until
/// a batch deletes fewer than [`BATCH`]; returns how many rows it deleted.
pub async fn delete_in_batches(db: &Database, clean_up: &CleanUp, times: &[Micros]) -> Result<u64, sqlx::Error> {
    let mut deleted: u64 = 0;
    loop {
        let batch = on_pool!(db, |pool| {
            let statement = if matches!(db, Database::Sqlite(_)) { clean_up.sqlite } else { clean_up.postgres };
            let mut query = sqlx::query(statement).bind(BATCH);
            for time in times {
                query = query.bind(*time);
            }
            query.execute(pool).await?.rows_affected()
        });
        deleted += batch;
        if batch < BATCH.unsigned_abs() {
            return Ok(deleted);
        }
    }
}
