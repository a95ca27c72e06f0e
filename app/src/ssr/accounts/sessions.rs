//! Sessions: every statement about the `sessions` table is here. A session is a row keyed by the
//! SHA-256 of its token (the token itself is never stored), live until its absolute expiry and
//! while used within the idle timeout.

use std::time::Duration;

use super::{Accounts, AuditEvent, ClientInfo, PasswordChecked, SessionInfo, SignedIn, User};
use crate::{
    error::AccountError,
    ssr::{
        clean_up::{CleanUp, clean_up, delete_in_batches},
        clock::{Micros, now_micros},
        db::{BeginWrite, on_pool},
        session::SessionToken,
    },
};

/// Sessions past their absolute expiry (`$2`, now). Apart from the idle ones: with the two times
/// in one condition, PostgreSQL would gather every row either index finds for each batch.
pub(crate) const EXPIRED_SESSIONS: CleanUp = clean_up!(from "sessions" by "token_hash" where "expires_on <= $2");

/// Sessions unused since `$2`.
pub(crate) const IDLE_SESSIONS: CleanUp = clean_up!(from "sessions" by "token_hash" where "last_seen_on <= $2");

/// Ends every session of account `$1`. Run inside other operations' transactions too.
pub(super) const END_ALL: &str = "DELETE FROM sessions WHERE user_id = $1";
/// Ends every session of account `$1` except the one whose token hash is `$2`.
pub(super) const END_ALL_BUT: &str = "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2";
/// Moves account `$3`'s session with token hash `$2` to the token hash `$1`: the same session
/// under a new token.
pub(super) const REKEY: &str = "UPDATE sessions SET token_hash = $1 WHERE token_hash = $2 AND user_id = $3";

/// A session's account, its token hash and when the session was last seen.
#[derive(sqlx::FromRow)]
struct SessionUser {
    #[sqlx(flatten)]
    user: User,
    token_hash: Vec<u8>,
    last_seen_on: Micros,
    confirmed_on: Micros,
    is_administrator: bool,
    application_password_id: Option<i64>,
}

impl Accounts {
    /// Starts a new session for an account whose owner has just proven who they are, under a new
    /// token.
    #[tracing::instrument(skip_all, fields(user_id = checked.user_id()))]
    pub(super) async fn start_session(
        &self,
        checked: PasswordChecked,
        client: &ClientInfo,
    ) -> Result<SignedIn, AccountError> {
        let user_id = checked.user_id();
        let application_password_id = checked.application().map(|login| login.application_password_id);
        let token = SessionToken::generate();
        let now = now_micros();
        let mut expires_on = now.plus(self.settings.session_lifetime);
        // An application password's session ends with it, and confirms no administrative act:
        // its password was never typed.
        let confirmed_on = match checked.application() {
            Some(login) => {
                expires_on = login.expires_on.map_or(expires_on, |until| until.min(expires_on));
                Micros(0)
            }
            None => now,
        };
        const START: &str = concat!(
            "INSERT INTO sessions (token_hash, user_id, created_on, last_seen_on, expires_on, client_address, \
             user_agent, confirmed_on, application_password_id) SELECT $1, $2, $3, $3, $4, $5, $6, $7, $8 \
             FROM users WHERE users.user_id = $2 AND ($8 IS NULL OR EXISTS (SELECT 1 FROM application_passwords \
             WHERE application_passwords.application_password_id = $8)) AND ",
            usable_account!()
        );
        on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            // An account disabled between the password check and now gets no session.
            let started = sqlx::query(START)
                .bind(token.hash())
                .bind(user_id)
                .bind(now)
                .bind(expires_on)
                .bind(client.address.as_deref())
                .bind(client.user_agent.as_deref())
                .bind(confirmed_on)
                .bind(application_password_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if started == 0 {
                // Revoked meanwhile, or the account disabled meanwhile.
                return Err(match application_password_id {
                    Some(_) => AccountError::InvalidCredentials,
                    None => AccountError::AccountDisabled,
                });
            }
            // Ended sessions of this user are no use to anyone; this keeps the table bounded by
            // the number of live logins.
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND (expires_on <= $2 OR last_seen_on <= $3)")
                .bind(user_id)
                .bind(now)
                .bind(now.minus(self.settings.session_idle_timeout))
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE users SET last_login_on = $1 WHERE user_id = $2")
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        metrics::counter!("dioptra_logins_total", "outcome" => "success").increment(1);
        let user = self.user(user_id).await?.ok_or(AccountError::InvalidCredentials)?;
        self.audit(AuditEvent::LoginSucceeded, Some(&user), client).await;
        let is_administrator = self.is_administrator(user_id).await?;
        Ok(SignedIn { user, token, other_tokens: Vec::new(), confirmed_on, is_administrator, application_password_id })
    }

    /// The first of a request's session tokens (in the order the browser sent them) that opens a
    /// live session of a usable account, with the others; none when they open sessions of
    /// different accounts. All are looked up in one query: a
    /// browser may hold cookies planted beside its own, and they must not hide it. Marks the
    /// session as seen, but writes that down at most once a minute: a request is one indexed
    /// read, not a write.
    pub async fn authenticate(&self, candidates: Vec<SessionToken>) -> Result<Option<SignedIn>, AccountError> {
        const LIVE_SESSIONS: &str = concat!(
            "SELECT ",
            user_columns!(),
            ", sessions.token_hash, sessions.last_seen_on, sessions.confirmed_on, sessions.application_password_id, ",
            is_administrator!(),
            " AS is_administrator FROM sessions JOIN users ON users.user_id = sessions.user_id WHERE ",
            usable_account!(),
            " AND sessions.expires_on > "
        );
        if candidates.is_empty() {
            return Ok(None);
        }
        let now = now_micros();
        let idle_timeout = self.settings.session_idle_timeout;
        let hashes: Vec<Vec<u8>> = candidates.iter().map(SessionToken::hash).collect();
        let found: Vec<SessionUser> = on_pool!(&self.db, |pool| {
            let mut query = sqlx::QueryBuilder::new(LIVE_SESSIONS);
            query.push_bind(now).push(" AND sessions.last_seen_on > ").push_bind(now.minus(idle_timeout));
            query.push(" AND sessions.token_hash IN (");
            let mut list = query.separated(", ");
            for hash in &hashes {
                list.push_bind(hash.clone());
            }
            list.push_unseparated(")");
            query.build_query_as().fetch_all(pool).await?
        });
        // Live sessions of two accounts in one browser: one of them was planted (a sibling
        // subdomain can set cookies for this host over plain http). Which one is the person's
        // cannot be told, and acting as the planter's account is worse than asking to log in.
        if found.iter().any(|row| row.user.user_id != found[0].user.user_id) {
            tracing::warn!("a request carried live sessions of several accounts; treated as signed out");
            return Ok(None);
        }
        let Some(index) = hashes.iter().position(|hash| found.iter().any(|row| &row.token_hash == hash)) else {
            return Ok(None);
        };
        let Some(SessionUser {
            user,
            token_hash,
            last_seen_on,
            confirmed_on,
            is_administrator,
            application_password_id,
        }) = found.into_iter().find(|row| row.token_hash == hashes[index])
        else {
            return Ok(None);
        };
        let note_every = (idle_timeout / 10).min(Duration::from_secs(60));
        if last_seen_on < now.minus(note_every) {
            on_pool!(&self.db, |pool| {
                sqlx::query("UPDATE sessions SET last_seen_on = $1 WHERE token_hash = $2")
                    .bind(now)
                    .bind(&token_hash)
                    .execute(pool)
                    .await?;
            });
        }
        let mut others = candidates;
        let token = others.remove(index);
        Ok(Some(SignedIn {
            user,
            token,
            other_tokens: others,
            confirmed_on,
            is_administrator,
            application_password_id,
        }))
    }

    /// The live sessions of an account, most recently used first.
    pub async fn sessions_of(&self, user_id: i64) -> Result<Vec<SessionInfo>, AccountError> {
        let now = now_micros();
        Ok(on_pool!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT token_hash, sessions.created_on, last_seen_on, sessions.expires_on, client_address, user_agent, \
                 application_passwords.name AS application_password FROM sessions LEFT JOIN application_passwords \
                 USING (application_password_id) WHERE sessions.user_id = $1 AND sessions.expires_on > $2 \
                 AND last_seen_on > $3 ORDER BY last_seen_on DESC",
            )
            .bind(user_id)
            .bind(now)
            .bind(now.minus(self.settings.session_idle_timeout))
            .fetch_all(pool)
            .await?
        }))
    }

    /// How many sessions are live now, across every replica.
    pub async fn active_sessions(&self) -> Result<i64, AccountError> {
        Ok(on_pool!(&self.db, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE expires_on > $1")
                .bind(now_micros())
                .fetch_one(pool)
                .await?
        }))
    }

    /// Ends the request's session, and every other session whose cookie the browser presented
    /// beside it. Ending a session that is already gone is not an error.
    #[tracing::instrument(skip_all, fields(user_id = signed_in.user.user_id))]
    pub async fn log_out(&self, signed_in: &SignedIn, client: &ClientInfo) -> Result<(), AccountError> {
        let tokens = std::iter::once(&signed_in.token).chain(&signed_in.other_tokens);
        let hashes: Vec<Vec<u8>> = tokens.map(SessionToken::hash).collect();
        on_pool!(&self.db, |pool| {
            let mut query = sqlx::QueryBuilder::new("DELETE FROM sessions WHERE token_hash IN (");
            let mut list = query.separated(", ");
            for hash in &hashes {
                list.push_bind(hash.clone());
            }
            list.push_unseparated(")");
            query.build().execute(pool).await?;
        });
        self.audit(AuditEvent::Logout, Some(&signed_in.user), client).await;
        Ok(())
    }

    /// Ends every session of an account, on every device.
    #[tracing::instrument(skip_all, fields(user_id = user.user_id))]
    pub async fn log_out_everywhere(&self, user: &User, client: &ClientInfo) -> Result<(), AccountError> {
        on_pool!(&self.db, |pool| {
            sqlx::query(END_ALL).bind(user.user_id).execute(pool).await?;
        });
        self.audit(AuditEvent::LogoutEverywhere, Some(user), client).await;
        Ok(())
    }

    /// Ends one of an account's sessions, named by its id (`SessionInfo::id`).
    #[tracing::instrument(skip_all, fields(user_id = user.user_id))]
    pub async fn revoke_session(&self, user: &User, session_id: &str, client: &ClientInfo) -> Result<(), AccountError> {
        let token_hash = hex::decode(session_id).map_err(|_| AccountError::SessionNotFound)?;
        let ended = on_pool!(&self.db, |pool| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1 AND user_id = $2")
                .bind(&token_hash)
                .bind(user.user_id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if ended == 0 {
            return Err(AccountError::SessionNotFound);
        }
        self.audit(AuditEvent::SessionRevoked, Some(user), client).await;
        Ok(())
    }

    /// Deletes ended sessions; returns how many.
    pub(super) async fn forget_ended_sessions(&self) -> Result<u64, AccountError> {
        let now = now_micros();
        let expired = delete_in_batches(&self.db, &EXPIRED_SESSIONS, &[now]).await?;
        let idle =
            delete_in_batches(&self.db, &IDLE_SESSIONS, &[now.minus(self.settings.session_idle_timeout)]).await?;
        Ok(expired + idle)
    }
}
