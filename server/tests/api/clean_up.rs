//! The periodic clean-up: it forgets any backlog of stale rows in batches, each within its query
//! budget, and each batch finds its rows through an index rather than reading the table again.

use std::time::Duration;

use app::ssr::{accounts::Accounts, db::Database};

use crate::helpers::TestDatabase;

#[tokio::test]
async fn the_clean_up_forgets_any_number_of_stale_counters_within_each_query_budget() {
    // What an attacker leaves behind by knocking once from each of 300,000 addresses (an IPv6
    // network gives far more): one DELETE of them all outlasts a 100 ms budget on either database.
    // No server runs here, so that no clean-up but the test's own touches them.
    let database = TestDatabase::new().await;
    let setup = Database::connect(&database.url, Duration::from_secs(600)).await.unwrap();
    setup.migrate().await.unwrap();
    let now =
        i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros()).unwrap();
    let fill = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) \
         INSERT INTO attempt_counters (scope, subject, attempts, window_started_on, last_attempt_on, blocked_until) \
         SELECT 'address', 'stale-' || i, 1, 0, 0, 0 FROM n \
         UNION ALL SELECT 'address', 'still-counting', 1, {now}, {now}, 0"
    );
    match &setup {
        Database::Sqlite(pool) => {
            sqlx::query(sqlx::AssertSqlSafe(fill)).execute(pool).await.unwrap();
            // Out of the write-ahead log, as SQLite does on its own after ordinary writes.
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await.unwrap();
        }
        Database::Postgres(pool) => {
            sqlx::query(sqlx::AssertSqlSafe(fill)).execute(pool).await.unwrap();
            // The statistics autovacuum would gather by itself, a while later.
            sqlx::query("ANALYZE attempt_counters").execute(pool).await.unwrap();
        }
    }

    // The clean-up with a budget of 100 ms a statement.
    let tight = Database::connect(&database.url, Duration::from_millis(100)).await.unwrap();
    let accounts = Accounts::new(tight, Default::default());
    accounts.clean_up().await.unwrap();
    let left: Vec<String> = match &setup {
        Database::Sqlite(pool) => sqlx::query_scalar("SELECT subject FROM attempt_counters").fetch_all(pool).await,
        Database::Postgres(pool) => sqlx::query_scalar("SELECT subject FROM attempt_counters").fetch_all(pool).await,
    }
    .unwrap();
    assert_eq!(left, ["still-counting"]);
}

/// The highest `$n` in `sql`: how many parameters it takes.
fn parameters(sql: &str) -> usize {
    sql.split('$')
        .skip(1)
        .filter_map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn each_clean_up_batch_finds_its_rows_through_an_index() {
    // A batch that read its table whole would read the live rows again for every thousand stale
    // ones it deletes. Asked of the statements the clean-up runs, with their parameters bound.
    let database = TestDatabase::new().await;
    let db = Database::connect(&database.url, Duration::from_secs(60)).await.unwrap();
    db.migrate().await.unwrap();
    for clean_up in Accounts::CLEAN_UPS {
        let plan: Vec<String> = match &db {
            Database::Sqlite(pool) => {
                let explain = format!("EXPLAIN QUERY PLAN {}", clean_up.sqlite);
                let mut query = sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(explain));
                for _ in 0..parameters(clean_up.sqlite) {
                    query = query.bind(1_i64);
                }
                query.fetch_all(pool).await.unwrap().into_iter().map(|row| row.3).collect()
            }
            Database::Postgres(pool) => {
                // An empty table is cheapest to read whole; reading whole is priced out, so that
                // the plan shows what an index can do for the condition when the table is large.
                let mut connection = pool.acquire().await.unwrap();
                sqlx::query("SET enable_seqscan = off").execute(&mut *connection).await.unwrap();
                // EXPLAIN takes no parameters; a prepared statement does, and so shows its plan.
                let prepare = format!("PREPARE clean_up AS {}", clean_up.postgres);
                sqlx::raw_sql(sqlx::AssertSqlSafe(prepare)).execute(&mut *connection).await.unwrap();
                let values = vec!["1"; parameters(clean_up.postgres)].join(", ");
                let explain = format!("EXPLAIN EXECUTE clean_up({values})");
                let plan = sqlx::query_scalar(sqlx::AssertSqlSafe(explain)).fetch_all(&mut *connection).await.unwrap();
                sqlx::raw_sql("DEALLOCATE clean_up; RESET enable_seqscan").execute(&mut *connection).await.unwrap();
                plan
            }
        };
        // SQLite says SCAN for a table read whole; PostgreSQL, with reading whole priced out,
        // would read a whole index instead, which shows no `Index Cond`.
        let whole = plan.iter().any(|step| step.starts_with("SCAN ") || step.contains("Seq Scan"));
        let found = matches!(db, Database::Sqlite(_)) || plan.iter().any(|step| step.contains("Index Cond"));
        assert!(!whole && found, "{}: {plan:#?}", clean_up.table);
    }
}
