//! Fresh authentication ("sudo mode"): an administrative act needs the administrator's password
//! typed on this session within the last ten minutes. A login counts as typing it; otherwise the
//! console asks for it. A stolen session cookie alone therefore cannot disable accounts, and a
//! wrong password here counts against the guessing limits like a wrong login. The same rule
//! guards an owner's new credentials (an application password): see
//! [`Accounts::confirm_own_password`].

use std::time::Duration;

use super::{Accounts, Acting};
use crate::{
    domain::{TypedPassword, username_key},
    error::AccountError,
    ssr::{
        accounts::{AuditEvent, ClientInfo, SignedIn, User},
        clock::now_micros,
        db::on_pool,
    },
};

/// How long a typed password keeps a session fresh for administrative acts.
pub const CONFIRMATION_LIFETIME: Duration = Duration::from_secs(10 * 60);

impl Accounts {
    /// Checks the signed-in administrator's password and marks the session fresh: the acts of
    /// the next [`CONFIRMATION_LIFETIME`] need no password.
    #[tracing::instrument(skip_all, fields(user_id = signed_in.user.user_id))]
    pub async fn confirm_administrator(
        &self,
        signed_in: &SignedIn,
        password: TypedPassword,
        client: &ClientInfo,
    ) -> Result<Acting, AccountError> {
        signed_in.refuse_application_session()?;
        if !self.is_administrator(signed_in.user.user_id).await? {
            return Err(AccountError::NotAdministrator);
        }
        self.check_own_password(&signed_in.user, password, AuditEvent::AdminConfirmationFailed, client).await?;
        self.mark_confirmed(signed_in).await?;
        self.audit(AuditEvent::AdminConfirmed, Some(&signed_in.user), client).await;
        Ok(Acting { administrator: Some(signed_in.user.clone()) })
    }

    /// Checks the signed-in account's own password and marks the session fresh, for what a
    /// stolen session cookie alone must not do to an account (make it a new credential).
    pub async fn confirm_own_password(
        &self,
        signed_in: &SignedIn,
        password: TypedPassword,
        client: &ClientInfo,
    ) -> Result<(), AccountError> {
        signed_in.refuse_application_session()?;
        self.check_own_password(&signed_in.user, password, AuditEvent::PasswordConfirmationFailed, client).await?;
        self.mark_confirmed(signed_in).await
    }

    async fn mark_confirmed(&self, signed_in: &SignedIn) -> Result<(), AccountError> {
        on_pool!(&self.db, |pool| {
            sqlx::query("UPDATE sessions SET confirmed_on = $1 WHERE token_hash = $2")
                .bind(now_micros())
                .bind(signed_in.token.hash())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Checks a signed-in account's own password within the guessing limits (a refusal costs no
    /// hashing), recording `failure` in the audit trail when it is wrong. A correct password that
    /// has expired is `PasswordExpired`: it has to be renewed before it confirms anything.
    pub(in crate::ssr::accounts) async fn check_own_password(
        &self,
        user: &User,
        password: TypedPassword,
        failure: AuditEvent,
        client: &ClientInfo,
    ) -> Result<(), AccountError> {
        let stored = self.credentials_of(user.user_id).await?;
        let key = username_key(&stored.username);
        let address = client.address.as_deref();
        let place = self.hasher.reserve()?;
        let device = self.proven_device(&key, client).await?;
        let attempt = self.guard().check_password_attempt(&key, address, device.as_deref()).await?;
        if !place.verify(password.into_exposed(), stored.password_hash).await? {
            self.guard().record_failure(attempt).await?;
            self.audit(failure, Some(user), client).await;
            return Err(AccountError::WrongPassword);
        }
        self.guard().record_success(attempt).await?;
        if user.password_expired(now_micros()) {
            return Err(AccountError::PasswordExpired);
        }
        Ok(())
    }
}
