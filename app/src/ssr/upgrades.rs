//! Data upgrades that SQL alone cannot make, run right after the migrations. A migration records
//! the upgrade in `pending_upgrades`; the first server (or command) to migrate makes it and removes
//! the record. Each is idempotent, so replicas starting together may both run one.

use crate::{
    domain::{fold_case, nfc, username_key},
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

/// Usernames and the keys of names and email addresses in Unicode's composed form (NFC), which
/// every name is compared in since 2026-12: a name stored decomposed would otherwise no longer log
/// in, and a decomposed email address could be registered a second time. An account whose
/// composed name or address is another account's is left as it is, the operator is told, and the
/// upgrade stays pending (`false`) until one of them is renamed.
async fn usernames_in_nfc(db: &Database) -> Result<bool, sqlx::Error> {
    const PAGE: i64 = 1_000;
    let mut after = 0_i64;
    let mut all_composed = true;
    loop {
        let page: Vec<(i64, String, String, String, String)> = on_pool!(db, |pool| {
            sqlx::query_as(
                "SELECT user_id, username, username_key, email, email_key FROM users \
                 WHERE user_id > $1 ORDER BY user_id LIMIT $2",
            )
            .bind(after)
            .bind(PAGE)
            .fetch_all(pool)
            .await?
        });
        let Some(&(last, ..)) = page.last() else { return Ok(all_composed) };
        after = last;
        for (user_id, username, name_key, email, email_key) in page {
            let composed = (nfc(&username).into_owned(), username_key(&username), fold_case(&email));
            if (&composed.0, &composed.1, &composed.2) == (&username, &name_key, &email_key) {
                continue;
            }
            // Only if the row is as read: a replica may have renamed the account meanwhile.
            let updated = on_pool!(db, |pool| {
                sqlx::query(
                    "UPDATE users SET username = $1, username_key = $2, email_key = $3 \
                     WHERE user_id = $4 AND username = $5 AND email_key = $6",
                )
                .bind(&composed.0)
                .bind(&composed.1)
                .bind(&composed.2)
                .bind(user_id)
                .bind(&username)
                .bind(&email_key)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
            });
            match updated {
                Ok(0) => {} // Renamed meanwhile, by a replica that composes names itself.
                Ok(_) => tracing::info!(user_id, "username and email address keys composed"),
                Err(error) => {
                    let Some(constraint) = unique_violation(&error) else { return Err(error) };
                    all_composed = false;
                    let taken = if constraint == "email_key" { "email address" } else { "name" };
                    tracing::error!(
                        user_id,
                        username = username.escape_debug().to_string(),
                        "this account's {taken}, composed, is another account's, so it cannot be used: \
                         change one of the two on its account page; this is checked again at the next start"
                    );
                }
            }
        }
    }
}
