//! What an administrator (or the operator) can do to an account: disable and enable it, expire
//! its password, end its sessions, make it a password reset link, grant and take back the admin
//! role, delete it. Each act is one
//! transaction, refuses what it cannot do (an unknown or deleted account, the owner of the
//! default group, an act already done) with a sentence saying why, and is recorded in the audit
//! trail with the actor's name.

use super::{Accounts, Acting};
use crate::{
    error::AccountError,
    ssr::{
        accounts::{AuditEvent, ClientInfo, FlagChange, IssuedResetLink, application_passwords, reset_links, sessions},
        clock::{Micros, now_micros},
        db::{BeginWrite, on_pool},
    },
};

/// An administrative act on an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminAct {
    Disable,
    Enable,
    ExpirePassword,
    EndSessions,
    ResetLink,
    MakeAdmin,
    RemoveAdmin,
    RemoveSecondFactor,
    Delete,
}

impl AdminAct {
    pub const ALL: [AdminAct; 9] = [
        AdminAct::Disable,
        AdminAct::Enable,
        AdminAct::ExpirePassword,
        AdminAct::EndSessions,
        AdminAct::ResetLink,
        AdminAct::MakeAdmin,
        AdminAct::RemoveAdmin,
        AdminAct::RemoveSecondFactor,
        AdminAct::Delete,
    ];

    /// The act's name in addresses, forms and the API's paths.
    pub fn slug(self) -> &'static str {
        match self {
            AdminAct::Disable => "disable",
            AdminAct::Enable => "enable",
            AdminAct::ExpirePassword => "expire-password",
            AdminAct::EndSessions => "end-sessions",
            AdminAct::ResetLink => "reset-link",
            AdminAct::MakeAdmin => "make-admin",
            AdminAct::RemoveAdmin => "remove-admin",
            AdminAct::RemoveSecondFactor => "remove-second-factor",
            AdminAct::Delete => "delete",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|act| act.slug() == slug)
    }

    /// The act as its button says it.
    pub fn label(self) -> &'static str {
        match self {
            AdminAct::Disable => "Disable",
            AdminAct::Enable => "Enable",
            AdminAct::ExpirePassword => "Expire password",
            AdminAct::EndSessions => "End sessions",
            AdminAct::ResetLink => "Reset link",
            AdminAct::MakeAdmin => "Make admin",
            AdminAct::RemoveAdmin => "Remove admin",
            AdminAct::RemoveSecondFactor => "Turn off two-step login",
            AdminAct::Delete => "Delete",
        }
    }

    /// The question the page that confirms the act asks.
    pub fn question(self, username: &str) -> String {
        match self {
            AdminAct::Disable => format!("Disable {username}?"),
            AdminAct::Enable => format!("Enable {username}?"),
            AdminAct::ExpirePassword => format!("Expire the password of {username}?"),
            AdminAct::EndSessions => format!("End the sessions of {username}?"),
            AdminAct::ResetLink => format!("Make a password reset link for {username}?"),
            AdminAct::MakeAdmin => format!("Make {username} an administrator?"),
            AdminAct::RemoveAdmin => format!("Remove {username} as an administrator?"),
            AdminAct::RemoveSecondFactor => format!("Turn off two-step login for {username}?"),
            AdminAct::Delete => format!("Delete {username}?"),
        }
    }

    /// What the act will do to `username`, for the page that asks to confirm it.
    pub fn consequence(self, username: &str) -> String {
        match self {
            AdminAct::Disable => {
                format!("{username} will not be able to log in, and every session of the account ends now.")
            }
            AdminAct::Enable => format!("{username} will be able to log in again."),
            AdminAct::ExpirePassword => format!("{username} will have to choose a new password at the next login."),
            AdminAct::EndSessions => format!("Every session of {username} ends now, on every device."),
            AdminAct::ResetLink => format!(
                "You get a link to hand to {username}, shown once. Opening it lets them choose a new password, once, \
                 within 24 hours; then every session of the account ends. An earlier link of the account stops working."
            ),
            AdminAct::MakeAdmin => format!("{username} becomes an admin of the public group: an administrator."),
            AdminAct::RemoveAdmin => {
                format!("{username} stops being an admin of the public group and an administrator.")
            }
            AdminAct::RemoveSecondFactor => format!(
                "{username}'s authenticator app, passkeys and recovery codes stop working, and every session of \
                 the account ends: the password alone logs in until they set up a second factor again. Do this \
                 only for an owner who has lost all of them, and whom you have made sure is who they say."
            ),
            AdminAct::Delete => format!(
                "The account {username} is deleted for good: its sessions end, its name stays taken, the groups it \
                 is alone in are deleted with it."
            ),
        }
    }

    fn audit_event(self) -> Option<AuditEvent> {
        match self {
            AdminAct::Disable => Some(AuditEvent::AccountDisabled),
            AdminAct::Enable => Some(AuditEvent::AccountEnabled),
            AdminAct::ExpirePassword => Some(AuditEvent::PasswordExpiredByAdmin),
            AdminAct::EndSessions => Some(AuditEvent::SessionsEndedByAdmin),
            AdminAct::ResetLink => Some(AuditEvent::ResetLinkIssued),
            AdminAct::Delete => Some(AuditEvent::AccountDeletedByAdmin),
            AdminAct::RemoveSecondFactor => Some(AuditEvent::SecondFactorRemoved),
            // Recorded by the group's own change (admin_granted, admin_revoked).
            AdminAct::MakeAdmin | AdminAct::RemoveAdmin => None,
        }
    }
}

/// What an act did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActDone {
    pub act: AdminAct,
    pub user_id: i64,
    pub username: String,
    /// How many sessions it ended.
    pub sessions_ended: u64,
    /// The reset link it made, to be shown once.
    pub reset_link: Option<IssuedResetLink>,
}

impl ActDone {
    /// The act as done, in a sentence.
    pub fn sentence(&self) -> String {
        let name = &self.username;
        match self.act {
            AdminAct::Disable => format!("{name} is disabled; {} ended.", sessions_words(self.sessions_ended)),
            AdminAct::Enable => format!("{name} is enabled and can log in again."),
            AdminAct::ExpirePassword => {
                format!("{name}'s password has expired: a new one is needed at the next login.")
            }
            AdminAct::EndSessions => format!("{} of {name} ended.", capitalised(&sessions_words(self.sessions_ended))),
            AdminAct::ResetLink => {
                format!("A password reset link for {name} is ready. It works once, within 24 hours.")
            }
            AdminAct::MakeAdmin => format!("{name} is now an administrator."),
            AdminAct::RemoveAdmin => format!("{name} is no longer an administrator."),
            AdminAct::RemoveSecondFactor => {
                format!("{name}'s two-step login is off; {} ended.", sessions_words(self.sessions_ended))
            }
            AdminAct::Delete => format!("{name} is deleted."),
        }
    }
}

fn sessions_words(count: u64) -> String {
    match count {
        0 => "no session was open".to_owned(),
        1 => "1 session".to_owned(),
        n => format!("{n} sessions"),
    }
}

fn capitalised(words: &str) -> String {
    let mut chars = words.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The target of an act as it stands.
#[derive(sqlx::FromRow)]
struct Target {
    username: String,
    deleted_on: Option<Micros>,
    disabled_on: Option<Micros>,
    password_expires_on: Option<Micros>,
    owns_default_group: bool,
    manages_default_group: bool,
}

impl Accounts {
    /// Does `act` to account `user_id`.
    #[tracing::instrument(skip_all, fields(act = act.slug(), user_id = user_id))]
    pub async fn act_on(
        &self,
        by: &Acting,
        act: AdminAct,
        user_id: i64,
        client: &ClientInfo,
    ) -> Result<ActDone, AccountError> {
        let target = self.target(user_id).await?;
        let name = target.username.clone();
        let refuse = |sentence: String| Err(AccountError::AdminRefused(sentence));
        if target.deleted_on.is_some() {
            return refuse(format!("{name} has been deleted: nothing more can be done to the account."));
        }
        let own = by.administrator().is_some_and(|admin| admin.user_id == user_id);
        if own && act == AdminAct::RemoveSecondFactor {
            return refuse("Turn off your own two-step login on your account page, with a code from the app.".into());
        }
        if own && matches!(act, AdminAct::Disable | AdminAct::Delete) {
            return refuse(format!(
                "You cannot {} your own account here: another administrator can, or use your account page.",
                act.label().to_lowercase()
            ));
        }
        if target.owns_default_group && matches!(act, AdminAct::Disable | AdminAct::Delete | AdminAct::RemoveAdmin) {
            return refuse(format!(
                "{name} owns the public group, so the account cannot be disabled or deleted or stop being an \
                 administrator: the deployment would be left without its owner. Make another member the owner on \
                 the public group's page first."
            ));
        }
        // The group rules, for the console: only the owner acts on another manager of `public`.
        if target.manages_default_group
            && !own
            && act != AdminAct::MakeAdmin
            && let Some(admin) = by.administrator()
            && !self.target(admin.user_id).await?.owns_default_group
        {
            return refuse(format!(
                "{name} is an administrator: only the owner of the public group can act on another administrator."
            ));
        }
        if act == AdminAct::ResetLink && target.disabled_on.is_some() {
            return refuse(format!("{name} is disabled: enable the account before making it a reset link."));
        }
        let now = now_micros();
        let mut sessions_ended = 0;
        let mut reset_link = None;
        match act {
            AdminAct::Disable => {
                sessions_ended = self
                    .change_and_end_sessions(
                        // Not the owner of `public`, asked again here: ownership may have passed to
                        // the account since it was read.
                        concat!(
                            "UPDATE users SET disabled_on = $1 WHERE user_id = $2 AND disabled_on IS NULL AND ",
                            live_account!(),
                            " AND NOT EXISTS (SELECT 1 FROM group_managers JOIN groups \
                             ON groups.group_id = group_managers.group_id WHERE groups.is_default \
                             AND group_managers.user_id = users.user_id AND group_managers.is_owner)"
                        ),
                        now,
                        user_id,
                    )
                    .await?
                    .ok_or_else(|| {
                        AccountError::AdminRefused(format!("{name} is disabled already, or owns the public group now."))
                    })?;
            }
            AdminAct::Enable => {
                const SQL: &str = concat!(
                    "UPDATE users SET disabled_on = NULL WHERE user_id = $1 AND disabled_on IS NOT NULL AND ",
                    live_account!()
                );
                if target.disabled_on.is_none() || self.update(SQL, None, user_id).await? == 0 {
                    return refuse(format!("{name} is not disabled."));
                }
                // Nothing made before or while it was disabled opens it now.
                self.update(reset_links::FORGET_ALL, None, user_id).await?;
            }
            AdminAct::ExpirePassword => {
                const SQL: &str = concat!(
                    "UPDATE users SET password_expires_on = $1 WHERE user_id = $2 \
                     AND (password_expires_on IS NULL OR password_expires_on > $1) AND ",
                    live_account!()
                );
                let expired = target.password_expires_on.is_some_and(|expiry| expiry <= now);
                if expired || self.update(SQL, Some(now), user_id).await? == 0 {
                    return refuse(format!("{name}'s password has expired already."));
                }
                // The password is no longer trusted, nor what was made with it.
                self.update(application_passwords::FORGET_ALL, None, user_id).await?;
            }
            AdminAct::EndSessions => {
                sessions_ended = on_pool!(&self.db, |pool| {
                    sqlx::query(sessions::END_ALL).bind(user_id).execute(pool).await?.rows_affected()
                });
            }
            AdminAct::ResetLink => {
                let made_by = by.administrator().map(|admin| admin.user_id);
                reset_link = Some(self.make_reset_link(user_id, made_by).await?.ok_or_else(|| {
                    AccountError::AdminRefused(format!("{name} was disabled or deleted meanwhile: no link was made."))
                })?);
            }
            AdminAct::MakeAdmin | AdminAct::RemoveAdmin => {
                let Some(admin) = by.administrator() else {
                    return refuse(
                        "The admin role is granted from the console or the API, by an administrator.".into(),
                    );
                };
                let change = FlagChange { admin: Some(act == AdminAct::MakeAdmin), ..FlagChange::default() };
                let public = self.default_group_id().await?;
                let member = self.group_member(public, user_id, admin.user_id).await?;
                if member.is_admin == (act == AdminAct::MakeAdmin) {
                    let already = if member.is_admin { "an administrator already" } else { "not an administrator" };
                    return refuse(format!("{name} is {already}."));
                }
                self.change_member(admin, public, user_id, change, client).await?;
            }
            AdminAct::RemoveSecondFactor => {
                sessions_ended = self
                    .remove_second_factor(user_id)
                    .await?
                    .ok_or_else(|| AccountError::AdminRefused(format!("{name} has no second factor to turn off.")))?;
            }
            AdminAct::Delete => {
                sessions_ended = u64::try_from(self.sessions_of(user_id).await?.len()).unwrap_or(u64::MAX);
                self.remove(user_id, client).await?;
            }
        }
        let done = ActDone { act, user_id, username: name, sessions_ended, reset_link };
        if let Some(event) = act.audit_event() {
            let detail = format!("account {user_id} {:?}: {}", done.username, done.sentence());
            match by.administrator() {
                Some(admin) => self.audit_detail(event, admin, &detail, client).await,
                None => self.record_operator(event, &detail, client).await,
            }
        }
        Ok(done)
    }

    async fn target(&self, user_id: i64) -> Result<Target, AccountError> {
        const SQL: &str = concat!(
            "SELECT username, deleted_on, disabled_on, password_expires_on, EXISTS (SELECT 1 \
             FROM group_managers JOIN groups ON groups.group_id = group_managers.group_id WHERE groups.is_default \
             AND group_managers.user_id = users.user_id AND group_managers.is_owner) AS owns_default_group, ",
            is_administrator!(),
            " AS manages_default_group FROM users WHERE user_id = $1"
        );
        let target: Option<Target> =
            on_pool!(&self.db, |pool| sqlx::query_as(SQL).bind(user_id).fetch_optional(pool).await?);
        target.ok_or(AccountError::UserNotFound)
    }

    /// Runs `sql` (binding `now` as `$1` when given, then the account's id), returning how many
    /// rows it changed.
    async fn update(&self, sql: &'static str, now: Option<Micros>, user_id: i64) -> Result<u64, AccountError> {
        Ok(on_pool!(&self.db, |pool| {
            let query = sqlx::query(sql);
            let query = match now {
                Some(now) => query.bind(now).bind(user_id),
                None => query.bind(user_id),
            };
            query.execute(pool).await?.rows_affected()
        }))
    }

    /// Runs `sql` (`$1` now, `$2` the account) and, when it changed the account, ends all of its
    /// sessions in the same transaction: an account is never disabled with a session still
    /// alive. The number of sessions ended, or `None` when `sql` changed nothing.
    async fn change_and_end_sessions(
        &self,
        sql: &'static str,
        now: Micros,
        user_id: i64,
    ) -> Result<Option<u64>, AccountError> {
        // The default group's row first, as every change to a group takes it (`lock_group!`): a
        // transfer of `public` to this account then runs wholly before or after this statement,
        // which re-reads who owns `public`. SQLite's writers take turns anyway.
        let lock_public = match &self.db {
            crate::ssr::db::Database::Postgres(_) => "SELECT group_id FROM groups WHERE is_default FOR UPDATE",
            crate::ssr::db::Database::Sqlite(_) => "SELECT group_id FROM groups WHERE is_default",
        };
        Ok(on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(lock_public).execute(&mut *tx).await?;
            if sqlx::query(sql).bind(now).bind(user_id).execute(&mut *tx).await?.rows_affected() == 0 {
                return Ok(None);
            }
            let ended = sqlx::query(sessions::END_ALL).bind(user_id).execute(&mut *tx).await?.rows_affected();
            // A disabled account keeps no way back in for when it is enabled again.
            sqlx::query(reset_links::FORGET_ALL).bind(user_id).execute(&mut *tx).await?;
            sqlx::query(application_passwords::FORGET_ALL).bind(user_id).execute(&mut *tx).await?;
            tx.commit().await?;
            Some(ended)
        }))
    }
}
