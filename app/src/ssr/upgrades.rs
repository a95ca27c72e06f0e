//! Data upgrades that SQL alone cannot make, run right after the migrations. A migration records
//! the upgrade in `pending_upgrades`; the first server (or command) to migrate makes it and removes
//! the record. Each is idempotent, so replicas starting together may both run one.

use crate::{
    domain::{nfc, username_key},
    ssr::db::{Database, on_pool, unique_violation},
};

/// Makes every pending upgrade this server knows; one it does not know (from a newer version)
/// stays pending.
pub async fn make_pending(db: &Database) -> Result<(), sqlx::Error> {
    let pending: Vec<String> =
        on_pool!(db, |pool| sqlx::query_scalar("SELECT name FROM pending_upgrades").fetch_all(pool).await?);
    for name in pending {
        let done = match name.as_str() {
            "usernames_in_nfc" => usernames_in_nfc(db).await?,
            unknown => {
                tracing::warn!(upgrade = unknown, "a pending data upgrade this version does not know; left pending");
                false
            }
        };
        if !done {
            continue;
        }
        on_pool!(db, |pool| {
            sqlx::query("DELETE FROM pending_upgrades WHERE name = $1").bind(&name).execute(pool).await?;
        });
        tracing::info!(upgrade = name, "data upgrade made");
    }
    Ok(())
}

/// Usernames and their keys in Unicode's composed form (NFC), which every name is compared in
/// since 2026-12: a name stored decomposed would otherwise no longer log in. Two accounts whose
/// names become one are left as they are, the operator is told, and the upgrade stays pending
/// (`false`) until one of them is renamed or deleted.
async fn usernames_in_nfc(db: &Database) -> Result<bool, sqlx::Error> {
    const PAGE: i64 = 1_000;
    let mut after = 0_i64;
    let mut all_composed = true;
    loop {
        let page: Vec<(i64, String, String)> = on_pool!(db, |pool| {
            sqlx::query_as(
                "SELECT user_id, username, username_key FROM users WHERE user_id > $1 ORDER BY user_id LIMIT $2",
            )
            .bind(after)
            .bind(PAGE)
            .fetch_all(pool)
            .await?
        });
        let Some(&(last, ..)) = page.last() else { return Ok(all_composed) };
        after = last;
        for (user_id, username, key) in page {
            let (composed, composed_key) = (nfc(&username).into_owned(), username_key(&username));
            if composed == username && composed_key == key {
                continue;
            }
            let updated = on_pool!(db, |pool| {
                sqlx::query("UPDATE users SET username = $1, username_key = $2 WHERE user_id = $3")
                    .bind(&composed)
                    .bind(&composed_key)
                    .bind(user_id)
                    .execute(pool)
                    .await
                    .map(|_| ())
            });
            match updated {
                Ok(()) => tracing::info!(user_id, username = composed.escape_debug().to_string(), "username composed"),
                Err(error) if unique_violation(&error).is_some() => {
                    all_composed = false;
                    tracing::error!(
                        user_id,
                        username = username.escape_debug().to_string(),
                        "this account's name, composed, is another account's, so it cannot log in: \
                         rename the other on its account page, or delete one (`users delete`); \
                         this is checked again at the next start"
                    );
                }
                Err(error) => return Err(error),
            }
        }
    }
}
