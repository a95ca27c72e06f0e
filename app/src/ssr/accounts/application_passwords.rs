//! Application passwords: credentials of their own for scripts. Dioptra's Python client can send
//! only a username and a password, so a script logs in with one of these in place of the
//! account's password (`POST /api/v1/auth/login`), and keeps working whatever protects the
//! account's own login. The session it gets is an *API session*: the REST API serves it, the
//! pages treat it as signed out, and it cannot change the password, delete the account or make
//! administrative acts. Revoking the application password ends its sessions.
//!
//! Each is [`SECRET_CHARS`] characters from a 31-letter alphabet without look-alikes (about 119
//! random bits), shown once; the database keeps its SHA-256 (a secret that random needs no slow
//! hash: nobody can try 2^119 guesses against a stolen table).

use std::time::Duration;

use sha2::{Digest, Sha256};

use super::{Accounts, AuditEvent, ClientInfo, SignedIn};
use crate::{
    domain::{Field, FieldErrors, is_format_character, nfc},
    error::AccountError,
    ssr::{
        clean_up::{CleanUp, clean_up, delete_in_batches},
        clock::{Micros, now_micros},
        db::{BeginWrite, on_pool},
        typable_secret,
    },
};

/// How many random characters an application password has.
pub const SECRET_CHARS: usize = 24;
/// How many application passwords an account may hold at once.
pub const MAX_APPLICATION_PASSWORDS: i64 = 20;
/// The longest name an application password may have, in characters.
pub const MAX_APPLICATION_PASSWORD_NAME_CHARS: usize = 64;

/// Ends every application password of account `$1`, and with them their sessions (`ON DELETE
/// CASCADE`: one statement, so no login can slip a session in between).
pub(super) const FORGET_ALL: &str = "DELETE FROM application_passwords WHERE user_id = $1";

/// An application password as its owner holds it: shown once, never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct ApplicationSecret(String);

impl std::fmt::Debug for ApplicationSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApplicationSecret(<redacted>)")
    }
}

impl ApplicationSecret {
    fn generate() -> Self {
        Self(typable_secret::generate(SECRET_CHARS))
    }

    /// What someone typed, if it has an application password's shape: hyphens and spaces (as it
    /// was shown, or as it was typed) and case do not matter.
    pub fn parse(typed: &str) -> Option<Self> {
        typable_secret::read_back(typed, SECRET_CHARS).map(Self)
    }

    /// As it is shown: groups of four, joined with hyphens.
    pub fn shown(&self) -> String {
        typable_secret::grouped(&self.0)
    }

    /// What the database stores and looks up.
    pub fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.0.as_bytes()).to_vec()
    }
}

/// How long a new application password works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplicationPasswordExpiry {
    Never,
    Days(u16),
}

impl ApplicationPasswordExpiry {
    /// The choices the account page offers, as (form value, words).
    pub const CHOICES: [(&'static str, &'static str); 4] =
        [("never", "Never"), ("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year")];

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "never" | "" => Some(Self::Never),
            "30" => Some(Self::Days(30)),
            "90" => Some(Self::Days(90)),
            "365" => Some(Self::Days(365)),
            _ => None,
        }
    }

    fn expires_on(self, now: Micros) -> Option<Micros> {
        match self {
            Self::Never => None,
            Self::Days(days) => Some(now.plus(Duration::from_secs(u64::from(days) * 86_400))),
        }
    }
}

/// An application password's name: trimmed, NFC, 1 to 64 characters, no control characters.
pub fn parse_application_password_name(raw: &str) -> Result<String, AccountError> {
    let name = nfc(raw.trim()).into_owned();
    let refuse = |message: &str| AccountError::Invalid(FieldErrors::single(Field::CredentialName, message));
    if name.is_empty() {
        return Err(refuse("Name it after where it is used, e.g. notebook."));
    }
    if name.chars().count() > MAX_APPLICATION_PASSWORD_NAME_CHARS {
        return Err(refuse(&format!("A name has at most {MAX_APPLICATION_PASSWORD_NAME_CHARS} characters.")));
    }
    if name.chars().any(|c| c.is_control() || is_format_character(c)) {
        return Err(refuse("A name cannot contain control or invisible characters."));
    }
    Ok(name)
}

/// An application password just made: its secret, shown once.
#[derive(Debug)]
pub struct CreatedApplicationPassword {
    pub application_password_id: i64,
    pub secret: ApplicationSecret,
}

/// One of an account's application passwords, as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ApplicationPasswordInfo {
    pub application_password_id: i64,
    pub name: String,
    pub created_on: Micros,
    pub expires_on: Option<Micros>,
    pub last_used_on: Option<Micros>,
}

/// An application password that a login has just matched: which one, and until when it works
/// (the session it starts ends then at the latest).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationLogin {
    pub user_id: i64,
    pub application_password_id: i64,
    pub name: String,
    pub expires_on: Option<Micros>,
}

/// Application passwords past their expiry (`$2`, now); their sessions go with them.
pub(crate) const EXPIRED_APPLICATION_PASSWORDS: CleanUp =
    clean_up!(from "application_passwords" by "application_password_id" where "expires_on <= $2");

impl Accounts {
    /// Makes an application password for the signed-in account. The caller has checked that the
    /// session's password is fresh: a stolen session cookie alone must not mint a credential that
    /// outlives it.
    pub async fn create_application_password(
        &self,
        signed_in: &SignedIn,
        name: &str,
        expiry: ApplicationPasswordExpiry,
        client: &ClientInfo,
    ) -> Result<CreatedApplicationPassword, AccountError> {
        signed_in.refuse_application_session()?;
        let name = parse_application_password_name(name)?;
        let user_id = signed_in.user.user_id;
        let secret = ApplicationSecret::generate();
        let now = now_micros();
        // Expired ones no longer count (nor work); their sessions go with them.
        const FORGET_EXPIRED: &str = "DELETE FROM application_passwords WHERE user_id = $1 AND expires_on <= $2";
        // Counted and added in one statement, under the account's lock.
        const ADD: &str = "INSERT INTO application_passwords (user_id, name, secret_hash, created_on, expires_on) \
                           SELECT $1, $2, $3, $4, $5 WHERE (SELECT COUNT(*) FROM application_passwords \
                           WHERE user_id = $1) < $6 RETURNING application_password_id";
        // The account's row first, on PostgreSQL: parallel requests then count one after another
        // (SQLite's writers take turns anyway).
        let lock_account = match &self.db {
            crate::ssr::db::Database::Postgres(_) => "SELECT user_id FROM users WHERE user_id = $1 FOR UPDATE",
            crate::ssr::db::Database::Sqlite(_) => "SELECT user_id FROM users WHERE user_id = $1",
        };
        let application_password_id = on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(lock_account).bind(user_id).execute(&mut *tx).await?;
            sqlx::query(FORGET_EXPIRED).bind(user_id).bind(now).execute(&mut *tx).await?;
            let added: Option<i64> = sqlx::query_scalar(ADD)
                .bind(user_id)
                .bind(&name)
                .bind(secret.hash())
                .bind(now)
                .bind(expiry.expires_on(now))
                .bind(MAX_APPLICATION_PASSWORDS)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(id) = added else {
                let message = format!(
                    "An account has at most {MAX_APPLICATION_PASSWORDS} application passwords. Revoke one you no \
                     longer use first."
                );
                return Err(AccountError::Invalid(FieldErrors::single(Field::CredentialName, message)));
            };
            tx.commit().await?;
            id
        });
        self.audit_detail(AuditEvent::ApplicationPasswordCreated, &signed_in.user, &format!("{name:?}"), client).await;
        Ok(CreatedApplicationPassword { application_password_id, secret })
    }

    /// The application passwords of account `user_id` that still work, newest first.
    pub async fn application_passwords_of(&self, user_id: i64) -> Result<Vec<ApplicationPasswordInfo>, AccountError> {
        const LIST: &str = "SELECT application_password_id, name, created_on, expires_on, last_used_on \
                            FROM application_passwords WHERE user_id = $1 AND (expires_on IS NULL OR expires_on > $2) \
                            ORDER BY created_on DESC, application_password_id DESC";
        Ok(on_pool!(&self.db, |pool| { sqlx::query_as(LIST).bind(user_id).bind(now_micros()).fetch_all(pool).await? }))
    }

    /// Whether the application password `application_password_id` of account `user_id` was made
    /// at or after `since` and has secret `secret`: what the account page checks before it shows
    /// a secret it was handed in a cookie.
    pub async fn is_new_application_password(
        &self,
        user_id: i64,
        application_password_id: i64,
        secret: &ApplicationSecret,
        since: Micros,
    ) -> Result<bool, AccountError> {
        const FIND: &str = "SELECT application_password_id FROM application_passwords WHERE \
                            application_password_id = $1 AND user_id = $2 AND secret_hash = $3 AND created_on >= $4";
        let found: Option<i64> = on_pool!(&self.db, |pool| {
            sqlx::query_scalar(FIND)
                .bind(application_password_id)
                .bind(user_id)
                .bind(secret.hash())
                .bind(since)
                .fetch_optional(pool)
                .await?
        });
        Ok(found.is_some())
    }

    /// Revokes one of the signed-in account's application passwords, ending its sessions.
    pub async fn revoke_application_password(
        &self,
        signed_in: &SignedIn,
        application_password_id: i64,
        client: &ClientInfo,
    ) -> Result<(), AccountError> {
        signed_in.refuse_application_session()?;
        let user_id = signed_in.user.user_id;
        // Its sessions go with it (`ON DELETE CASCADE`).
        let name: Option<String> = on_pool!(&self.db, |pool| {
            sqlx::query_scalar(
                "DELETE FROM application_passwords WHERE user_id = $1 AND application_password_id = $2 RETURNING name",
            )
            .bind(user_id)
            .bind(application_password_id)
            .fetch_optional(pool)
            .await?
        });
        let Some(name) = name else {
            return Err(AccountError::ApplicationPasswordNotFound);
        };
        self.audit_detail(AuditEvent::ApplicationPasswordRevoked, &signed_in.user, &format!("{name:?}"), client).await;
        Ok(())
    }

    /// The working application password of the live account with username key `key` that
    /// `typed` is, if any, and whether the account is disabled; notes that it was used. One
    /// indexed read, and a write only on a match.
    pub(super) async fn match_application_password(
        &self,
        key: &str,
        typed: &str,
    ) -> Result<Option<(ApplicationLogin, bool)>, AccountError> {
        let Some(secret) = ApplicationSecret::parse(typed) else { return Ok(None) };
        let now = now_micros();
        const FIND: &str = concat!(
            "SELECT users.user_id, application_passwords.application_password_id, application_passwords.name, \
             application_passwords.expires_on, users.disabled_on IS NOT NULL AS disabled \
             FROM application_passwords JOIN users ON users.user_id = application_passwords.user_id \
             WHERE users.username_key = $1 AND application_passwords.secret_hash = $2 \
             AND (application_passwords.expires_on IS NULL OR application_passwords.expires_on > $3) AND ",
            live_account!()
        );
        let found: Option<(i64, i64, String, Option<Micros>, bool)> = on_pool!(&self.db, |pool| {
            sqlx::query_as(FIND).bind(key).bind(secret.hash()).bind(now).fetch_optional(pool).await?
        });
        let Some((user_id, application_password_id, name, expires_on, disabled)) = found else { return Ok(None) };
        on_pool!(&self.db, |pool| {
            sqlx::query("UPDATE application_passwords SET last_used_on = $1 WHERE application_password_id = $2")
                .bind(now)
                .bind(application_password_id)
                .execute(pool)
                .await?;
        });
        Ok(Some((ApplicationLogin { user_id, application_password_id, name, expires_on }, disabled)))
    }

    /// Deletes application passwords past their expiry, with their sessions (the periodic
    /// clean-up).
    pub(super) async fn forget_expired_application_passwords(&self) -> Result<u64, AccountError> {
        Ok(delete_in_batches(&self.db, &EXPIRED_APPLICATION_PASSWORDS, &[now_micros()]).await?)
    }
}
