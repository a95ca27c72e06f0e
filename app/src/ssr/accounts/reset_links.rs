//! Password reset links: an administrator (or the operator) makes one for an account and hands
//! it to the account's owner, who opens it and chooses a new password. A link works once, within
//! [`RESET_LINK_LIFETIME`]; the account's newest link is its only one; any new password, and
//! disabling the account, end it. The database keeps only the SHA-256 of the link's token.

use std::time::Duration;

use super::{Accounts, AuditEvent, ClientInfo, passwords::refuse_common};
use crate::{
    domain::{Field, PasswordResetForm},
    error::AccountError,
    ssr::{
        clock::{Micros, now_micros},
        db::{BeginWrite, delete_in_batches, on_pool},
        session::ResetToken,
    },
};

/// How long a reset link works after it is made.
pub const RESET_LINK_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// The path of the page a reset link opens; the token follows as `?token=`. A query, not a path
/// segment: request logs record paths, never queries.
pub const RESET_PAGE_PATH: &str = "/password/reset";

/// Ends every reset link of account `$1`.
pub(super) const FORGET_ALL: &str = "DELETE FROM reset_links WHERE user_id = $1";

/// A link just made: its token, shown once, and when it stops working.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedResetLink {
    pub token: ResetToken,
    pub expires_on: Micros,
}

impl IssuedResetLink {
    /// The whole link, at the deployment's address `origin` (`scheme://host[:port]`).
    pub fn url(&self, origin: &str) -> String {
        reset_url(origin, &self.token)
    }
}

/// The whole link of reset token `token` at the deployment's address `origin`.
pub fn reset_url(origin: &str, token: &ResetToken) -> String {
    format!("{origin}{RESET_PAGE_PATH}?token={}", token.as_str())
}

/// The account a working reset link opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResetLink {
    pub user_id: i64,
    pub username: String,
    pub expires_on: Micros,
    email: String,
}

impl Accounts {
    /// Makes a reset link for account `user_id`, ending any earlier one: `None` when the account
    /// is no longer usable (deleted or disabled meanwhile). `created_by`: the administrator.
    pub(super) async fn make_reset_link(
        &self,
        user_id: i64,
        created_by: Option<i64>,
    ) -> Result<Option<IssuedResetLink>, AccountError> {
        const MAKE: &str = concat!(
            "INSERT INTO reset_links (token_hash, user_id, created_by, created_on, expires_on) \
             SELECT $1, users.user_id, $2, $3, $4 FROM users WHERE users.user_id = $5 AND ",
            usable_account!()
        );
        let token = ResetToken::generate();
        let now = now_micros();
        let expires_on = now.plus(RESET_LINK_LIFETIME);
        let made = on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(FORGET_ALL).bind(user_id).execute(&mut *tx).await?;
            let made = sqlx::query(MAKE)
                .bind(token.hash())
                .bind(created_by)
                .bind(now)
                .bind(expires_on)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            made
        });
        Ok((made == 1).then_some(IssuedResetLink { token, expires_on }))
    }

    /// The account that the reset link with `token` opens: `ResetLinkInvalid` for a link that
    /// was used, replaced or never made, or has expired, or whose account was deleted;
    /// `AccountDisabled` while its account is disabled.
    pub async fn reset_link(&self, token: &str) -> Result<ResetLink, AccountError> {
        const SQL: &str = concat!(
            "SELECT users.user_id, users.username, users.email, users.disabled_on IS NOT NULL, reset_links.expires_on \
             FROM reset_links JOIN users ON users.user_id = reset_links.user_id \
             WHERE reset_links.token_hash = $1 AND reset_links.expires_on > $2 AND ",
            live_account!()
        );
        let token = ResetToken::parse(token).ok_or(AccountError::ResetLinkInvalid)?;
        let row: Option<(i64, String, String, bool, Micros)> = on_pool!(&self.db, |pool| {
            sqlx::query_as(SQL).bind(token.hash()).bind(now_micros()).fetch_optional(pool).await?
        });
        let (user_id, username, email, disabled, expires_on) = row.ok_or(AccountError::ResetLinkInvalid)?;
        if disabled {
            return Err(AccountError::AccountDisabled);
        }
        Ok(ResetLink { user_id, username, expires_on, email })
    }

    /// Sets the new password that the owner of a reset link chose, using the link up: of two
    /// uses at once, one sets the password and the other is `ResetLinkInvalid`. Every session
    /// and known device of the account ends. Returns the account's username.
    pub async fn reset_password(&self, form: PasswordResetForm, client: &ClientInfo) -> Result<String, AccountError> {
        let link = self.reset_link(&form.token).await?;
        let new_password = form.parse(self.settings.password_policy, &link.username, &link.email)?;
        refuse_common(new_password.expose(), Field::NewPassword)?;
        let new_hash = self.hasher.hash(new_password.expose().to_owned()).await?;
        let token = ResetToken::parse(&form.token).ok_or(AccountError::ResetLinkInvalid)?;
        self.replace_password(link.user_id, &new_hash, None, super::passwords::Replacer::ResetLink(&token.hash()))
            .await?;
        self.audit_name(AuditEvent::PasswordResetByLink, Some(link.user_id), &link.username, client).await;
        Ok(link.username)
    }

    /// The deployment's address for a link: the configured public URL, else `http://` and the
    /// `host` the request named, if it is one (letters, digits, `.-:[]`), else localhost.
    pub fn origin_for(&self, host: Option<&str>) -> String {
        if let Some(public_url) = &self.settings.public_url {
            return public_url.clone();
        }
        let plain =
            |host: &&str| !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
        format!("http://{}", host.filter(plain).unwrap_or("localhost"))
    }

    /// Deletes reset links past their lifetime (the periodic clean-up).
    pub(super) async fn forget_expired_reset_links(&self) -> Result<u64, AccountError> {
        let now = now_micros();
        Ok(delete_in_batches!(
            &self.db,
            "DELETE FROM reset_links WHERE token_hash IN \
             (SELECT token_hash FROM reset_links WHERE expires_on <= $1 LIMIT $2) AND expires_on <= $1",
            now
        ))
    }
}
