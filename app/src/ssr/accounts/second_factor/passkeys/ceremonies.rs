//! Passkey ceremonies under way: the state of the first half (the challenge the browser's
//! authenticator must sign), waiting in `passkey_ceremonies` for the second. Each ceremony has a
//! random id (only its SHA-256 is kept), lives 5 minutes and is used once: taking it deletes it,
//! so a replayed answer finds nothing. Anyone may start a sign-in, so one address (an IPv6
//! address by its /64) may have only a few waiting at a time, and the table as a whole is
//! bounded.

use std::time::Duration;

use serde::Serialize;

use super::super::super::{Accounts, ClientInfo};
use crate::{
    error::AccountError,
    ssr::{
        clean_up::{CleanUp, clean_up, delete_in_batches},
        clock::now_micros,
        db::on_pool,
        guard::client_subject,
        session::SessionToken,
    },
};

/// How long a ceremony waits for the browser's answer.
pub const CEREMONY_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// How many ceremonies one address may have waiting: the login screen starts one for its
/// autofill each time it is shown, and many people may share one address behind a NAT.
const WAITING_PER_ADDRESS: i64 = 50;
/// How many ceremonies may wait in all: past it, new ones wait for old ones to end.
const WAITING_IN_ALL: i64 = 50_000;

/// What a ceremony is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Purpose {
    /// Adding a passkey to a signed-in account.
    Add,
    /// Signing in with a passkey.
    SignIn,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Add => "add",
            Purpose::SignIn => "sign-in",
        }
    }
}

/// The first half of a ceremony, for the browser: the id to send back with the answer, and the
/// options (JSON) for `navigator.credentials`.
#[derive(Debug)]
pub struct PasskeyCeremony {
    pub id: SessionToken,
    pub options: String,
}

/// A ceremony taken from the table to be finished.
pub(super) struct Waiting {
    pub user_id: Option<i64>,
    pub passkey_name: Option<String>,
    pub state: String,
}

/// The answer to a ceremony that is not waiting (timed out, used, or never started).
pub(super) fn timed_out() -> AccountError {
    AccountError::Passkey("This passkey request has timed out. Try again.".into())
}

/// Passkey ceremonies past their lifetime (`$2`, now).
pub(crate) const EXPIRED_PASSKEY_CEREMONIES: CleanUp =
    clean_up!(from "passkey_ceremonies" by "ceremony_hash" where "expires_on <= $2");

impl Accounts {
    /// Starts a ceremony: keeps `state` for 5 minutes and returns its id with `options`.
    pub(super) async fn begin_ceremony(
        &self,
        purpose: Purpose,
        user_id: Option<i64>,
        passkey_name: Option<&str>,
        state: &impl Serialize,
        options: &impl Serialize,
        client: &ClientInfo,
    ) -> Result<PasskeyCeremony, AccountError> {
        let state = serde_json::to_string(state).map_err(|_| AccountError::Internal)?;
        let options = serde_json::to_string(options).map_err(|_| AccountError::Internal)?;
        let subject = client.address.as_deref().map(client_subject);
        let id = SessionToken::generate();
        let now = now_micros();
        let started = on_pool!(&self.db, |pool| {
            sqlx::query(
                "INSERT INTO passkey_ceremonies \
                 (ceremony_hash, purpose, user_id, passkey_name, client_address, state, expires_on) \
                 SELECT $1, $2, $3, $4, $5, $6, $7 \
                 WHERE (SELECT COUNT(*) FROM passkey_ceremonies WHERE client_address = $5 AND expires_on > $8) < $9 \
                 AND (SELECT COUNT(*) FROM passkey_ceremonies WHERE expires_on > $8) < $10",
            )
            .bind(id.hash())
            .bind(purpose.as_str())
            .bind(user_id)
            .bind(passkey_name)
            .bind(subject.as_deref())
            .bind(&state)
            .bind(now.plus(CEREMONY_LIFETIME))
            .bind(now)
            .bind(WAITING_PER_ADDRESS)
            .bind(WAITING_IN_ALL)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if started == 0 {
            return Err(AccountError::TooManyAttempts { retry_after_secs: CEREMONY_LIFETIME.as_secs() });
        }
        Ok(PasskeyCeremony { id, options })
    }

    /// Takes ceremony `id` for `purpose` out of the table, if it is still waiting: once only.
    pub(super) async fn take_ceremony(&self, purpose: Purpose, id: &str) -> Result<Waiting, AccountError> {
        let id = SessionToken::from_cookie_value(id).ok_or_else(timed_out)?;
        let taken: Option<(Option<i64>, Option<String>, String)> = on_pool!(&self.db, |pool| {
            sqlx::query_as(
                "DELETE FROM passkey_ceremonies WHERE ceremony_hash = $1 AND purpose = $2 AND expires_on > $3 \
                 RETURNING user_id, passkey_name, state",
            )
            .bind(id.hash())
            .bind(purpose.as_str())
            .bind(now_micros())
            .fetch_optional(pool)
            .await?
        });
        let (user_id, passkey_name, state) = taken.ok_or_else(timed_out)?;
        Ok(Waiting { user_id, passkey_name, state })
    }

    /// Deletes ceremonies past their lifetime (the periodic clean-up).
    pub(in crate::ssr::accounts) async fn forget_expired_passkey_ceremonies(&self) -> Result<u64, AccountError> {
        let now = now_micros();
        Ok(delete_in_batches(&self.db, &EXPIRED_PASSKEY_CEREMONIES, &[now]).await?)
    }
}
