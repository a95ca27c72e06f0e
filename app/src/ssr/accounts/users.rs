//! Accounts as records: reading one (by id or name), renaming, listing with the search language,
//! and deleting. Deletion is soft: the row stays, so its username and email stay taken.

use super::{
    Accounts, AuditEvent, ClientInfo, Page, User, application_passwords, groups, paging::SqlFilters, second_factor,
    sessions, signup::taken_or_failure,
};
use crate::{
    domain::{Field, ProfileForm, SearchTerm, TypedPassword, username_key},
    error::{AccountError, GroupRefusal, RuleClass},
    ssr::{
        clock::now_micros,
        db::{BeginWrite, on_pool},
    },
};

/// `from` (ending in a `WHERE` condition on `users`) narrowed to the accounts matching every
/// search term: the API's search language over usernames and email addresses.
pub(super) fn matching(from: &str, terms: &[SearchTerm]) -> SqlFilters {
    let column = |field: &str| match field {
        "username" => "users.username_key",
        _ => "users.email_key",
    };
    let mut filters = SqlFilters::new(from);
    for term in terms {
        filters.push(" AND (");
        match &term.field {
            Some(field) => filters.like(column(field), &term.pattern),
            None => {
                filters.like("users.username_key", &term.pattern);
                filters.push(" OR ");
                filters.like("users.email_key", &term.pattern);
            }
        }
        filters.push(")");
    }
    filters
}

/// What a password check needs to know of an account.
pub(super) struct StoredCredentials {
    pub username: String,
    pub email: String,
    pub password_hash: String,
    /// Disabled by an administrator: a correct password is answered `AccountDisabled`.
    pub disabled: bool,
}

impl Accounts {
    /// A live account by id.
    pub async fn user(&self, user_id: i64) -> Result<Option<User>, AccountError> {
        const SQL: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE user_id = $1 AND ", live_account!());
        Ok(on_pool!(&self.db, |pool| sqlx::query_as(SQL).bind(user_id).fetch_optional(pool).await?))
    }

    /// A live account by username, in any case.
    pub async fn user_named(&self, username: &str) -> Result<Option<User>, AccountError> {
        const SQL: &str =
            concat!("SELECT ", user_columns!(), " FROM users WHERE username_key = $1 AND ", live_account!());
        let key = username_key(username);
        Ok(on_pool!(&self.db, |pool| sqlx::query_as(SQL).bind(&key).fetch_optional(pool).await?))
    }

    /// The id of the account (live or deleted) holding a username or email key.
    pub async fn holder_of(&self, field: Field, key: &str) -> Result<Option<i64>, AccountError> {
        let sql = match field {
            Field::Username => "SELECT user_id FROM users WHERE username_key = $1",
            _ => "SELECT user_id FROM users WHERE email_key = $1",
        };
        Ok(on_pool!(&self.db, |pool| sqlx::query_scalar(sql).bind(key).fetch_optional(pool).await?))
    }

    /// The username, email and password hash of a live account.
    pub(super) async fn credentials_of(&self, user_id: i64) -> Result<StoredCredentials, AccountError> {
        const SQL: &str = concat!(
            "SELECT username, email, password_hash, (disabled_on IS NOT NULL) FROM users WHERE user_id = $1 AND ",
            live_account!()
        );
        let row: Option<(String, String, String, bool)> =
            on_pool!(&self.db, |pool| sqlx::query_as(SQL).bind(user_id).fetch_optional(pool).await?);
        let (username, email, password_hash, disabled) = row.ok_or(AccountError::UserNotFound)?;
        Ok(StoredCredentials { username, email, password_hash, disabled })
    }

    /// What a password check needs of the live account holding username key `key`, if its
    /// password has expired: renewing a password is for those accounts only.
    pub(super) async fn expired_credentials(
        &self,
        key: &str,
    ) -> Result<Option<(i64, StoredCredentials)>, AccountError> {
        const SQL: &str = concat!(
            "SELECT user_id, username, email, password_hash FROM users WHERE username_key = $1 AND ",
            usable_account!(),
            // An account with a second factor renews nothing on its password alone: its owner
            // logs in with the code and changes the password on the account page.
            " AND password_expires_on <= $2 AND NOT ",
            second_factor_on!()
        );
        let row: Option<(i64, String, String, String)> =
            on_pool!(&self.db, |pool| sqlx::query_as(SQL).bind(key).bind(now_micros()).fetch_optional(pool).await?);
        Ok(row.map(|(user_id, username, email, password_hash)| {
            (user_id, StoredCredentials { username, email, password_hash, disabled: false })
        }))
    }

    /// Changes the username and email address of an account.
    #[tracing::instrument(skip_all, fields(user_id = user_id))]
    pub async fn modify(&self, user_id: i64, form: &ProfileForm) -> Result<User, AccountError> {
        const SQL: &str = concat!(
            "UPDATE users SET username = $1, username_key = $2, email = $3, email_key = $4, last_modified_on = $5 \
             WHERE user_id = $6 AND ",
            live_account!()
        );
        let (username, email) = form.parse()?;
        let changed = on_pool!(&self.db, |pool| {
            sqlx::query(SQL)
                .bind(username.as_str())
                .bind(username.key())
                .bind(email.as_str())
                .bind(email.key())
                .bind(now_micros())
                .bind(user_id)
                .execute(pool)
                .await
                .map_err(taken_or_failure)?
                .rows_affected()
        });
        if changed == 0 {
            return Err(AccountError::UserNotFound);
        }
        self.user(user_id).await?.ok_or(AccountError::UserNotFound)
    }

    /// Live accounts matching every search term, ordered by id.
    pub async fn list_users(&self, terms: &[SearchTerm], index: i64, limit: i64) -> Result<Page<User>, AccountError> {
        let filters = matching(concat!(" FROM users WHERE ", live_account!()), terms);
        self.page(concat!("SELECT ", user_columns!()), "users.user_id", &filters, index, limit).await
    }

    /// Deletes an account after checking its password. The row stays (its username and email
    /// remain taken) and every session ends.
    #[tracing::instrument(skip_all, fields(user_id = user.user_id))]
    pub async fn delete(&self, user: &User, password: TypedPassword, client: &ClientInfo) -> Result<(), AccountError> {
        self.check_own_password(user, password, AuditEvent::AccountDeletionFailed, client).await?;
        self.remove(user.user_id, client).await
    }

    /// Deletes an account without asking for its password (the operator's command): the row
    /// stays, so its username and email remain taken, and every session ends. An account that
    /// owns a group with other members is not deleted (ownership must pass to one of them
    /// first); the groups it is alone in go with it; the default group passes to its live admin
    /// who joined first.
    #[tracing::instrument(skip_all, fields(user_id = user_id))]
    pub async fn remove(&self, user_id: i64, client: &ClientInfo) -> Result<(), AccountError> {
        const SQL: &str =
            concat!("UPDATE users SET deleted_on = $1 WHERE user_id = $2 AND ", live_account!(), " RETURNING username");
        let now = now_micros();
        let successor_sql = groups::successor_of_owner_sql(&self.db);
        let (username, deleted_groups, handed_on) = on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            // The account's row first: on PostgreSQL, a group change that makes it an owner locks
            // that row (`FOR SHARE`) until it commits, so the groups read below are all it owns.
            let deleted: Option<String> =
                sqlx::query_scalar(SQL).bind(now).bind(user_id).fetch_optional(&mut *tx).await?;
            let username = deleted.ok_or(AccountError::UserNotFound)?;
            let mut owned: Vec<(i64, String, bool)> =
                sqlx::query_as(groups::LOCK_OWNED_GROUPS).bind(user_id).bind(now).fetch_all(&mut *tx).await?;
            let still_owned: Vec<i64> =
                sqlx::query_scalar(groups::STILL_OWNED).bind(user_id).fetch_all(&mut *tx).await?;
            owned.retain(|(group_id, ..)| still_owned.contains(group_id));
            let mut shared = Vec::new();
            let mut default_shared = false;
            for (group_id, name, default_group) in &owned {
                let others: bool = sqlx::query_scalar(groups::HAS_OTHER_LIVE_MEMBERS)
                    .bind(user_id)
                    .bind(group_id)
                    .fetch_one(&mut *tx)
                    .await?;
                if others && !default_group {
                    shared.push(format!("{name:?}"));
                }
                default_shared |= others && *default_group;
            }
            if !shared.is_empty() {
                let more = if shared.len() > 5 { format!(" and {} more", shared.len() - 5) } else { String::new() };
                shared.truncate(5);
                return Err(GroupRefusal::rule(
                    RuleClass::UserIsManagerError,
                    format!(
                        "This account owns groups that have other members ({}{more}): make another member the \
                         owner of each, or delete them, before deleting the account.",
                        shared.join(", ")
                    ),
                ));
            }
            let mut deleted_groups = Vec::new();
            let mut handed_on = None;
            for (group_id, name, default_group) in owned {
                if default_group {
                    // Everyone's group cannot be deleted; it passes to one of its admins. With
                    // none, the account may go only when nobody else is left to be locked out.
                    let successor: Option<(i64, String)> =
                        sqlx::query_as(successor_sql).bind(group_id).bind(user_id).fetch_optional(&mut *tx).await?;
                    match successor {
                        Some((successor_id, successor_name)) => {
                            groups::hand_on!(tx, group_id, user_id, successor_id);
                            handed_on = Some((group_id, name, successor_id, successor_name));
                        }
                        // Only disabled accounts are left: none of them could run the deployment.
                        None if default_shared => {
                            return Err(GroupRefusal::rule(
                                RuleClass::UserIsManagerError,
                                "This account owns the public group and every other account is disabled, so none \
                                 could take it over: enable one first.",
                            ));
                        }
                        None => {}
                    }
                } else {
                    groups::delete_group!(tx, group_id, now);
                    deleted_groups.push((group_id, name));
                }
            }
            sqlx::query(sessions::END_ALL).bind(user_id).execute(&mut *tx).await?;
            sqlx::query(application_passwords::FORGET_ALL).bind(user_id).execute(&mut *tx).await?;
            // Nothing of a deleted account's second factor is kept.
            for sql in second_factor::FORGET_ALL {
                sqlx::query(sql).bind(user_id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            (username, deleted_groups, handed_on)
        });
        self.audit_name(AuditEvent::AccountDeleted, Some(user_id), &username, client).await;
        for (group_id, name) in deleted_groups {
            let detail = format!("{}, with its owner's account", groups::group_label(group_id, &name));
            self.audit_by(AuditEvent::GroupDeleted, user_id, &username, &detail, client).await;
        }
        if let Some((group_id, name, successor_id, successor_name)) = handed_on {
            let detail = format!(
                "{}, member {successor_id} {successor_name:?}: its owner's account was deleted",
                groups::group_label(group_id, &name)
            );
            self.audit_by(AuditEvent::OwnershipTransferred, user_id, &username, &detail, client).await;
        }
        Ok(())
    }
}
