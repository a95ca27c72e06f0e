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
        clean_up::{CleanUp, clean_up, delete_in_batches},
        clock::{Micros, now_micros},
        db::{BeginWrite, on_pool},
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

/// Whether the `reset_links` row in the query may still be used: the act's rules hold as they
/// stand now, not only as they stood when the link was made. Its maker (unless the operator) is
/// still a usable administrator, and when its account has since become an administrator, the
/// maker is the owner of the default group (who alone acts on administrators) or the account.
macro_rules! link_still_authorised {
    () => {
        "(reset_links.created_by IS NULL OR (\
         EXISTS (SELECT 1 FROM users maker JOIN group_managers made ON made.user_id = maker.user_id \
         JOIN groups ON groups.group_id = made.group_id WHERE maker.user_id = reset_links.created_by \
         AND groups.is_default AND (made.is_owner OR made.is_admin) \
         AND maker.deleted_on IS NULL AND maker.disabled_on IS NULL) \
         AND (reset_links.created_by = reset_links.user_id \
         OR NOT EXISTS (SELECT 1 FROM group_managers held JOIN groups ON groups.group_id = held.group_id \
         WHERE groups.is_default AND held.user_id = reset_links.user_id AND (held.is_owner OR held.is_admin)) \
         OR EXISTS (SELECT 1 FROM group_managers owning JOIN groups ON groups.group_id = owning.group_id \
         WHERE groups.is_default AND owning.user_id = reset_links.created_by AND owning.is_owner))))"
    };
}

/// Uses up the link with token hash `$1` of account `$2` if it works at time `$3`.
pub(super) const USE_LINK: &str = concat!(
    "DELETE FROM reset_links WHERE token_hash = $1 AND user_id = $2 AND expires_on > $3 AND ",
    link_still_authorised!()
);

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

/// Whether `origin` is `http://` or `https://` and a plain host.
pub fn plain_origin(origin: &str) -> bool {
    let host = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
    host.is_some_and(plain_host)
}

/// Letters, digits and `.-:[]` only: a name, an address, a port.
fn plain_host(host: &str) -> bool {
    !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
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

/// Reset links past their lifetime (`$2`, now).
pub(crate) const EXPIRED_RESET_LINKS: CleanUp = clean_up!(from "reset_links" by "token_hash" where "expires_on <= $2");

impl Accounts {
    /// Makes a reset link for account `user_id`, ending any earlier one: `None` when the account
    /// is no longer usable (deleted or disabled meanwhile). `created_by`: the administrator.
    pub(super) async fn make_reset_link(
        &self,
        user_id: i64,
        created_by: Option<i64>,
    ) -> Result<Option<IssuedResetLink>, AccountError> {
        const MAKE: &str = "INSERT INTO reset_links (token_hash, user_id, created_by, created_on, expires_on) \
                            VALUES ($1, $2, $3, $4, $5)";
        // The account's row, locked on PostgreSQL: a disable that commits meanwhile either
        // waits for this link (and then ends it) or has ended the account's use first.
        let usable = match &self.db {
            crate::ssr::db::Database::Postgres(_) => {
                concat!("SELECT user_id FROM users WHERE user_id = $1 AND ", usable_account!(), " FOR UPDATE")
            }
            crate::ssr::db::Database::Sqlite(_) => {
                concat!("SELECT user_id FROM users WHERE user_id = $1 AND ", usable_account!())
            }
        };
        let token = ResetToken::generate();
        let now = now_micros();
        let expires_on = now.plus(RESET_LINK_LIFETIME);
        on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let found: Option<i64> = sqlx::query_scalar(usable).bind(user_id).fetch_optional(&mut *tx).await?;
            if found.is_none() {
                return Ok(None);
            }
            sqlx::query(FORGET_ALL).bind(user_id).execute(&mut *tx).await?;
            sqlx::query(MAKE)
                .bind(token.hash())
                .bind(user_id)
                .bind(created_by)
                .bind(now)
                .bind(expires_on)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(Some(IssuedResetLink { token, expires_on }))
    }

    /// The account that the reset link with `token` opens: `ResetLinkInvalid` for a link that
    /// was used, replaced or never made, or has expired, or whose account was deleted, or that
    /// its maker could no longer make; `AccountDisabled` while its account is disabled.
    pub async fn reset_link(&self, token: &str) -> Result<ResetLink, AccountError> {
        const SQL: &str = concat!(
            "SELECT users.user_id, users.username, users.email, users.disabled_on IS NOT NULL, reset_links.expires_on \
             FROM reset_links JOIN users ON users.user_id = reset_links.user_id \
             WHERE reset_links.token_hash = $1 AND reset_links.expires_on > $2 AND ",
            live_account!(),
            " AND ",
            link_still_authorised!()
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
        let link = self.reset_link(form.token.expose()).await?;
        let new_password = form.parse(self.password_policy(), &link.username, &link.email)?;
        refuse_common(new_password.expose(), Field::NewPassword)?;
        let new_hash = self.hasher.hash(new_password.expose().to_owned()).await?;
        let token = ResetToken::parse(form.token.expose()).ok_or(AccountError::ResetLinkInvalid)?;
        self.replace_password(link.user_id, &new_hash, None, super::passwords::Replacer::ResetLink(&token.hash()))
            .await?;
        self.audit_name(AuditEvent::PasswordResetByLink, Some(link.user_id), &link.username, client).await;
        Ok(link.username)
    }

    /// Whether `token` is the working link of account `user_id` that administrator `made_by`
    /// made: the console shows a link from its cookie only then, so a planted cookie shows
    /// nothing.
    pub async fn is_link_made_by(&self, token: &ResetToken, user_id: i64, made_by: i64) -> Result<bool, AccountError> {
        const SQL: &str = "SELECT 1 FROM reset_links WHERE token_hash = $1 AND user_id = $2 AND created_by = $3 \
                           AND expires_on > $4";
        let found: Option<i32> = on_pool!(&self.db, |pool| {
            sqlx::query_scalar(SQL)
                .bind(token.hash())
                .bind(user_id)
                .bind(made_by)
                .bind(now_micros())
                .fetch_optional(pool)
                .await?
        });
        Ok(found.is_some())
    }

    /// The deployment's address for a link: the configured public URL; else the `Origin` the
    /// browser sent (its scheme is the one it used, even behind a proxy that ends TLS; the
    /// cross-site check has matched it to the host); else `http://` and the request's `Host`;
    /// each only if it is a plain `scheme://host[:port]`.
    pub fn origin_for(&self, origin: Option<&str>, host: Option<&str>) -> String {
        if let Some(public_url) = &self.settings.public_url {
            return public_url.clone();
        }
        if let Some(origin) = origin.filter(|origin| plain_origin(origin)) {
            return origin.to_owned();
        }
        format!("http://{}", host.filter(|host| plain_host(host)).unwrap_or("localhost"))
    }

    /// Deletes reset links past their lifetime (the periodic clean-up).
    pub(super) async fn forget_expired_reset_links(&self) -> Result<u64, AccountError> {
        let now = now_micros();
        Ok(delete_in_batches(&self.db, &EXPIRED_RESET_LINKS, &[now]).await?)
    }
}
