//! Known devices: browsers (and scripts that keep their cookies) that have logged in to an account
//! before. A successful login that showed no device of the account gets a new one, handed out in
//! the device cookie; while the account is past its guessing limit, only clients showing one of its
//! devices may still try its password (`guard/`). The table keeps only each token's SHA-256,
//! bound to one account; a password change or reset ends them all.

use std::time::Duration;

use super::{Accounts, ClientInfo};
use crate::{
    error::AccountError,
    ssr::{
        clean_up::{CleanUp, clean_up, delete_in_batches},
        clock::now_micros,
        db::on_pool,
        session::DeviceToken,
    },
};

/// How long a device cookie proves anything.
pub const DEVICE_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// The newest devices an account keeps; older ones are forgotten as new ones come (a script that
/// logs in without keeping cookies makes one each time).
const DEVICES_KEPT: i64 = 32;

/// Ends every device of the account `$1`. Run in the transaction that stores a new password.
pub(super) const FORGET_ALL: &str = "DELETE FROM known_devices WHERE user_id = $1";

/// Devices past their lifetime (`$2`, now).
pub(crate) const EXPIRED_DEVICES: CleanUp = clean_up!(from "known_devices" by "token_hash" where "expires_on <= $2");

impl Accounts {
    /// The hash of the first of the client's device tokens that is a live device of the account
    /// whose username key is `key`, all looked up in one query (planted cookies on longer paths
    /// come first and must not hide the real one). The same query for an account that does not
    /// exist (and none at all without a device cookie), so the answer's time tells nothing about it.
    pub(super) async fn proven_device(&self, key: &str, client: &ClientInfo) -> Result<Option<Vec<u8>>, AccountError> {
        const SQL: &str = concat!(
            "SELECT known_devices.token_hash FROM known_devices ",
            "JOIN users ON users.user_id = known_devices.user_id ",
            "WHERE ",
            live_account!(),
            " AND users.username_key = "
        );
        let hashes: Vec<Vec<u8>> = client.devices.iter().map(DeviceToken::hash).collect();
        if hashes.is_empty() {
            return Ok(None);
        }
        let now = now_micros();
        let found: Vec<Vec<u8>> = on_pool!(&self.db, |pool| {
            let mut query = sqlx::QueryBuilder::new(SQL);
            query.push_bind(key).push(" AND known_devices.expires_on > ").push_bind(now);
            query.push(" AND known_devices.token_hash IN (");
            let mut list = query.separated(", ");
            for hash in &hashes {
                list.push_bind(hash.clone());
            }
            list.push_unseparated(")");
            query.build_query_scalar().fetch_all(pool).await?
        });
        Ok(hashes.into_iter().find(|hash| found.contains(hash)))
    }

    /// Makes a new device of `user_id` and forgets the account's oldest beyond the newest few.
    pub(super) async fn remember_device(&self, user_id: i64) -> Result<DeviceToken, AccountError> {
        let token = DeviceToken::generate();
        let now = now_micros();
        on_pool!(&self.db, |pool| {
            sqlx::query(
                "INSERT INTO known_devices (token_hash, user_id, created_on, expires_on) VALUES ($1, $2, $3, $4)",
            )
            .bind(token.hash())
            .bind(user_id)
            .bind(now)
            .bind(now.plus(DEVICE_LIFETIME))
            .execute(pool)
            .await?;
            sqlx::query(
                "DELETE FROM known_devices WHERE user_id = $1 AND token_hash NOT IN \
                 (SELECT token_hash FROM known_devices WHERE user_id = $1 ORDER BY created_on DESC LIMIT $2)",
            )
            .bind(user_id)
            .bind(DEVICES_KEPT)
            .execute(pool)
            .await?;
        });
        Ok(token)
    }

    /// Deletes devices past their lifetime (the periodic clean-up).
    pub(super) async fn forget_expired_devices(&self) -> Result<u64, AccountError> {
        let now = now_micros();
        Ok(delete_in_batches(&self.db, &EXPIRED_DEVICES, &[now]).await?)
    }
}
