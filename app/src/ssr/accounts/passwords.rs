//! Changing a password (by its owner, who proves the current one) and setting one (the
//! operator's command), and the rule that a new password may not be a common one. Either way
//! every other session of the account ends in the transaction that stores the new hash.

use super::{
    Accounts, AuditEvent, ClientInfo, LoginChannel, PasswordChecked, SignInStep, application_passwords, devices,
    reset_links, second_factor, sessions, users::StoredCredentials,
};
use crate::{
    domain::{Field, FieldErrors, LoginForm, NewPassword, PasswordChangeForm, username_key},
    error::AccountError,
    ssr::{
        clock::now_micros,
        common_passwords,
        db::{BeginWrite, on_pool},
        session::{DeviceToken, SessionToken},
    },
};

impl Accounts {
    /// Changes the password of `user_id` after checking its current one. Every session of the
    /// account ends except `keep` (the caller's own, if it is this account's), which continues
    /// under the returned fresh token. An unknown account fails exactly like a wrong current
    /// password, after the same work, so that this cannot tell which ids exist.
    #[tracing::instrument(skip_all, fields(user_id = user_id))]
    pub async fn change_password(
        &self,
        user_id: i64,
        change: PasswordChangeForm,
        keep: Option<&SessionToken>,
        client: &ClientInfo,
    ) -> Result<PasswordChanged, AccountError> {
        let account = match self.credentials_of(user_id).await {
            Ok(account) => Some((user_id, account)),
            Err(AccountError::UserNotFound) => None,
            Err(error) => return Err(error),
        };
        // An unknown id still has a counter of its own, so guessing at it is throttled too.
        let key = account.as_ref().map_or_else(|| format!("#{user_id}"), |(_, stored)| username_key(&stored.username));
        let changed = self.replace_checked_password(account, &key, change, keep, client).await?;
        Ok(PasswordChanged { fresh_token: changed.fresh_token, new_device: changed.new_device })
    }

    /// Renews an expired password: the way back in for someone whose login answered
    /// `PasswordExpired`, and for nobody else. Checks the current password like a login (the
    /// same field limits, the same key for the guessing limits; an unknown username, or an
    /// account whose password has not expired, fails exactly like a wrong password), stores the
    /// new one, ends every other session and starts one for the caller, or, for an account with
    /// a second factor, the login's second step: renewing a password is no way around it.
    pub async fn renew_password(
        &self,
        username: &str,
        change: PasswordChangeForm,
        client: &ClientInfo,
    ) -> Result<SignInStep, AccountError> {
        // The login form's limits: nothing longer than an account can have is looked up.
        let credentials = LoginForm { username: username.to_owned(), password: change.old_password.clone() }.parse()?;
        let key = username_key(&credentials.username);
        let span = tracing::info_span!("renew_password", username = credentials.username.as_str());
        let renewal = async {
            let account = self.expired_credentials(&key).await?;
            let changed = self.replace_checked_password(account, &key, change, None, client).await?;
            let checked = changed.checked.with_new_device(changed.new_device);
            self.finish_login(checked, LoginChannel::Pages, client).await
        };
        tracing::Instrument::instrument(renewal, span).await
    }

    /// A password change once the account (if any) is known: the rules that need no account,
    /// the guessing limits under `key`, the current password (or a dummy), the rules that do
    /// need the account, then the new hash.
    async fn replace_checked_password(
        &self,
        account: Option<(i64, StoredCredentials)>,
        key: &str,
        change: PasswordChangeForm,
        keep: Option<&SessionToken>,
        client: &ClientInfo,
    ) -> Result<PasswordReplaced, AccountError> {
        let (user_id, username, email, disabled) = account
            .as_ref()
            .map(|(user_id, stored)| (Some(*user_id), stored.username.clone(), stored.email.clone(), stored.disabled))
            .unwrap_or_default();
        // Before the current password is checked, only the rules that read nothing of the account:
        // "must not be your username" answered first would confirm an account's name by its id.
        change.parse(self.password_policy(), "", "")?;
        refuse_common(change.new_password.expose(), Field::NewPassword)?;
        let address = client.address.as_deref();
        // Both hashes' places at once: a busy server refuses before the current password is
        // checked, never between that check and storing the new one.
        let (check_place, new_hash_place) = (self.hasher.reserve()?, self.hasher.reserve()?);
        let device = self.proven_device(key, client).await?;
        let attempt = self.guard().check_password_attempt(key, address, device.as_deref()).await?;
        let verified = match account {
            Some((_, stored)) => {
                check_place.verify(change.old_password.clone().into_exposed(), stored.password_hash).await?
            }
            None => check_place.verify_dummy(change.old_password.clone().into_exposed()).await?,
        };
        let Some(user_id) = user_id.filter(|_| verified) else {
            self.guard().record_failure(attempt).await?;
            self.audit_name(AuditEvent::PasswordChangeFailed, user_id, &username, client).await;
            return Err(AccountError::WrongCurrentPassword);
        };
        self.guard().record_success(attempt).await?;
        // Whoever holds the password of a disabled account may not change it: it stays as the
        // administrator found it until the account is enabled.
        if disabled {
            return Err(AccountError::AccountDisabled);
        }
        change.parse(self.password_policy(), &username, &email)?;
        // The old password was just verified, so comparing strings says whether it is unchanged.
        if change.new_password == change.old_password {
            return Err(AccountError::PasswordUnchanged);
        }
        let new_hash = new_hash_place.hash(change.new_password.into_exposed()).await?;
        let fresh_token = keep.map(|_| SessionToken::generate());
        let rekey = keep.zip(fresh_token.as_ref());
        self.replace_password(user_id, &new_hash, rekey, Replacer::Owner).await?;
        // The change ended every device of the account; whoever made it proved the password, so
        // their client becomes the first new one (else an owner who changes the password while
        // the account is under attack could no longer get in).
        let new_device = self.remember_device(user_id).await?;
        self.audit_name(AuditEvent::PasswordChanged, Some(user_id), &username, client).await;
        Ok(PasswordReplaced { checked: PasswordChecked::new(user_id), fresh_token, new_device })
    }

    /// Sets a new password without asking for the current one (the operator's command), and
    /// ends every session of the account.
    #[tracing::instrument(skip_all, fields(user_id = user_id))]
    pub async fn set_password(&self, user_id: i64, new_password: &str) -> Result<(), AccountError> {
        let stored = self.credentials_of(user_id).await?;
        let password =
            NewPassword::parse(new_password, self.password_policy(), Some(&stored.username), Some(&stored.email))
                .map_err(|message| FieldErrors::single(Field::Password, message))?;
        refuse_common(password.expose(), Field::Password)?;
        let new_hash = self.hasher.hash(password.expose().to_owned()).await?;
        self.replace_password(user_id, &new_hash, None, Replacer::Operator).await?;
        self.audit_name(AuditEvent::PasswordSetByOperator, Some(user_id), &stored.username, &ClientInfo::operator())
            .await;
        Ok(())
    }

    /// Stores a new password hash (restarting its expiry) and ends every known device and every
    /// session of the account, except that `rekey` = (old, new) moves the caller's session to a new token.
    pub(super) async fn replace_password(
        &self,
        user_id: i64,
        new_hash: &str,
        rekey: Option<(&SessionToken, &SessionToken)>,
        by: Replacer<'_>,
    ) -> Result<(), AccountError> {
        /// The owner's change: the account must still be usable when the new hash is stored
        /// (it may have been disabled while the old password was being checked).
        const BY_OWNER: &str = concat!(
            "UPDATE users SET password_hash = $1, last_modified_on = $2, password_expires_on = $3 WHERE user_id = $4 AND ",
            usable_account!()
        );
        const BY_OPERATOR: &str =
            "UPDATE users SET password_hash = $1, last_modified_on = $2, password_expires_on = $3 WHERE user_id = $4";
        let sql = match by {
            // The link's owner, like the owner, needs a usable account.
            Replacer::Owner | Replacer::ResetLink(_) => BY_OWNER,
            Replacer::Operator => BY_OPERATOR,
        };
        let now = now_micros();
        let password_expires_on = self.settings.password_lifetime.map(|lifetime| now.plus(lifetime));
        let keep_hash = rekey.map(|(_, fresh)| fresh.hash()).unwrap_or_default();
        on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            if let Replacer::ResetLink(token_hash) = by {
                // Used up in the transaction that stores the new hash: of two uses at once, only
                // one stores a password.
                let used = sqlx::query(reset_links::USE_LINK)
                    .bind(token_hash)
                    .bind(user_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                if used.rows_affected() == 0 {
                    return Err(AccountError::ResetLinkInvalid);
                }
            }
            let stored = sqlx::query(sql)
                .bind(new_hash)
                .bind(now)
                .bind(password_expires_on)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if stored == 0 {
                return Err(AccountError::AccountDisabled);
            }
            if let Some((kept, fresh)) = rekey {
                sqlx::query(sessions::REKEY)
                    .bind(fresh.hash())
                    .bind(kept.hash())
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(sessions::END_ALL_BUT).bind(user_id).bind(&keep_hash).execute(&mut *tx).await?;
            // Whoever knew the old password may have made devices with it.
            sqlx::query(devices::FORGET_ALL).bind(user_id).execute(&mut *tx).await?;
            // A new password makes any reset link of the account moot.
            sqlx::query(reset_links::FORGET_ALL).bind(user_id).execute(&mut *tx).await?;
            // Logins begun with the old password wait for their code no more.
            sqlx::query(second_factor::FORGET_CHALLENGES).bind(user_id).execute(&mut *tx).await?;
            // A reset link or the operator is how an account is taken back: nothing made with the
            // old password may outlive that. The owner's own change keeps their scripts working.
            if !matches!(by, Replacer::Owner) {
                sqlx::query(application_passwords::FORGET_ALL).bind(user_id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}

/// Who replaces a password: its owner (who proved the old one), the operator, or whoever holds
/// the reset link whose token has this hash.
#[derive(Clone, Copy)]
pub(super) enum Replacer<'link> {
    Owner,
    Operator,
    ResetLink(&'link [u8]),
}

/// What a password change leaves: proof that the current password was checked, the caller's
/// re-keyed session token (if one was kept), and the caller's new device.
struct PasswordReplaced {
    checked: PasswordChecked,
    fresh_token: Option<SessionToken>,
    new_device: DeviceToken,
}

/// What a password change hands back to the caller: the re-keyed session token (if the caller's
/// session was kept) and a device cookie's token for the caller's client.
#[derive(Debug)]
pub struct PasswordChanged {
    pub fresh_token: Option<SessionToken>,
    pub new_device: DeviceToken,
}

/// Refuses a new password that is on the list of common passwords, as an error on `field`.
pub(super) fn refuse_common(password: &str, field: Field) -> Result<(), AccountError> {
    if common_passwords::is_common(password) {
        let message = "This password is one of the most common ones, which attackers try first. Please choose another.";
        return Err(FieldErrors::single(field, message).into());
    }
    Ok(())
}
