//! The audit trail: who did what to which account, when, and from where. Written to the
//! `audit_events` table (shared by replicas) and to the log's `audit` target.
//!
//! Refused guesses are the one event an attacker can repeat at will, so they are aggregated: one
//! row per client (an IPv6 address by its /64) and minute, counting its `repeats`, and one log
//! line per row.

use super::{Accounts, ClientInfo, User};
use crate::ssr::{
    clean_up::{CleanUp, clean_up, delete_in_batches},
    clock::now_micros,
    db::on_pool,
    guard::client_subject,
};

/// Declares [`AuditEvent`] with each event's name in the trail, and the list of them all, from
/// one table.
macro_rules! audit_events {
    ($($variant:ident => $name:literal,)*) => {
        /// What an audit record says happened.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum AuditEvent {
            $($variant,)*
        }

        impl AuditEvent {
            /// Every kind of event, in the order declared.
            pub const ALL: &[AuditEvent] = &[$(AuditEvent::$variant,)*];

            /// The event's name in the audit trail.
            pub fn name(self) -> &'static str {
                match self {
                    $(AuditEvent::$variant => $name,)*
                }
            }
        }
    };
}

audit_events! {
    Signup => "signup",
    LoginSucceeded => "login_succeeded",
    LoginFailed => "login_failed",
    LoginThrottled => "login_throttled",
    LoginPasswordExpired => "login_password_expired",
    Logout => "logout",
    LogoutEverywhere => "logout_everywhere",
    PasswordChanged => "password_changed",
    PasswordChangeFailed => "password_change_failed",
    PasswordSetByOperator => "password_set_by_operator",
    SessionRevoked => "session_revoked",
    AccountDeleted => "account_deleted",
    AccountDeletionFailed => "account_deletion_failed",
    GroupCreated => "group_created",
    GroupRenamed => "group_renamed",
    GroupDeleted => "group_deleted",
    MemberAdded => "member_added",
    MemberChanged => "member_changed",
    MemberRemoved => "member_removed",
    MemberLeft => "member_left",
    AdminGranted => "admin_granted",
    AdminRevoked => "admin_revoked",
    OwnershipTransferred => "ownership_transferred",
    LoginDisabled => "login_disabled",
    AdminConfirmed => "admin_confirmed",
    AdminConfirmationFailed => "admin_confirmation_failed",
    AccountDisabled => "account_disabled",
    AccountEnabled => "account_enabled",
    PasswordExpiredByAdmin => "password_expired_by_admin",
    SessionsEndedByAdmin => "sessions_ended_by_admin",
    AccountDeletedByAdmin => "account_deleted_by_admin",
    ResetLinkIssued => "reset_link_issued",
    PasswordResetByLink => "password_reset_by_link",
    SettingChanged => "setting_changed",
    ApplicationPasswordCreated => "application_password_created",
    ApplicationPasswordRevoked => "application_password_revoked",
    ApplicationPasswordUsed => "application_password_used",
    PasswordConfirmationFailed => "password_confirmation_failed",
    SecondFactorAdded => "second_factor_added",
    SecondFactorRemoved => "second_factor_removed",
    SecondFactorUsed => "second_factor_used",
    SecondFactorFailed => "second_factor_failed",
    RecoveryCodesMade => "recovery_codes_made",
}

/// Audit events older than the retention (`$2`, its start).
pub(crate) const OLD_AUDIT_EVENTS: CleanUp = clean_up!(from "audit_events" by "event_id" where "occurred_on < $2");

impl Accounts {
    /// Deletes audit events older than the retention; returns how many.
    pub(super) async fn forget_old_audit_events(&self) -> Result<u64, crate::error::AccountError> {
        let Some(retention) = self.settings.audit_retention else { return Ok(0) };
        let before = now_micros().minus(retention);
        Ok(delete_in_batches(&self.db, &OLD_AUDIT_EVENTS, &[before]).await?)
    }

    pub(super) async fn audit(&self, event: AuditEvent, user: Option<&User>, client: &ClientInfo) {
        let (user_id, username) = user.map_or((None, ""), |user| (Some(user.user_id), user.username.as_str()));
        self.audit_name(event, user_id, username, client).await;
    }

    /// Records `event`, done by `actor`, with `detail` saying what it was done to (the group, the
    /// member, the permissions).
    pub(super) async fn audit_detail(&self, event: AuditEvent, actor: &User, detail: &str, client: &ClientInfo) {
        self.record(event, Some(actor.user_id), &actor.username, Some(detail), client).await;
    }

    /// Like [`Accounts::audit_detail`], for an actor known by id and name (an account being deleted).
    pub(super) async fn audit_by(
        &self,
        event: AuditEvent,
        user_id: i64,
        username: &str,
        detail: &str,
        client: &ClientInfo,
    ) {
        self.record(event, Some(user_id), username, Some(detail), client).await;
    }

    /// Records `event`, done by the operator at the command line (no account), with `detail`
    /// saying what it was done to.
    pub(super) async fn record_operator(&self, event: AuditEvent, detail: &str, client: &ClientInfo) {
        self.record(event, None, "", Some(&format!("by the operator: {detail}")), client).await;
    }

    /// Records a refused guess: the first of its minute from `client` (an IPv6 address by its
    /// /64) as a new event with the username it named (logged), every further one as one more of
    /// its `repeats` (not logged again), whatever names they tried: a client that names a new
    /// account each time still writes one row a minute.
    pub(super) async fn audit_refused_guess(&self, event: AuditEvent, username: &str, client: &ClientInfo) {
        const MINUTE_MICROS: i64 = 60_000_000;
        let address = client.address.as_deref();
        let aggregate_key = address.map_or_else(String::new, client_subject);
        let now = now_micros();
        let repeats: Result<i64, sqlx::Error> = on_pool!(&self.db, |pool| {
            sqlx::query_scalar(
                "INSERT INTO audit_events (occurred_on, event, username, client_address, aggregate_minute, aggregate_key) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (event, aggregate_key, aggregate_minute) WHERE aggregate_minute IS NOT NULL \
                 DO UPDATE SET repeats = audit_events.repeats + 1, last_occurred_on = excluded.occurred_on \
                 RETURNING repeats",
            )
            .bind(now)
            .bind(event.name())
            .bind(Some(username).filter(|name| !name.is_empty()))
            .bind(address)
            .bind(now.0.div_euclid(MINUTE_MICROS))
            .bind(&aggregate_key)
            .fetch_one(pool)
            .await
        });
        match repeats {
            Ok(1) => tracing::info!(target: "audit", event = event.name(), username, client_address = address, "audit"),
            Ok(_) => {}
            Err(error) => {
                tracing::error!(error = %crate::ssr::failure::CauseChain(&error), event = event.name(), "could not record an audit event");
            }
        }
    }

    /// Records `event` in the audit table and the log. A failure to record is logged, never
    /// turned into a failure of the action itself.
    pub(super) async fn audit_name(
        &self,
        event: AuditEvent,
        user_id: Option<i64>,
        username: &str,
        client: &ClientInfo,
    ) {
        self.record(event, user_id, username, None, client).await;
    }

    async fn record(
        &self,
        event: AuditEvent,
        user_id: Option<i64>,
        username: &str,
        detail: Option<&str>,
        client: &ClientInfo,
    ) {
        let address = client.address.as_deref();
        tracing::info!(target: "audit", event = event.name(), user_id, username, detail, client_address = address, "audit");
        let username = Some(username).filter(|name| !name.is_empty());
        let recorded = on_pool!(&self.db, |pool| {
            sqlx::query(
                "INSERT INTO audit_events (occurred_on, event, user_id, username, client_address, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(now_micros())
            .bind(event.name())
            .bind(user_id)
            .bind(username)
            .bind(address)
            .bind(detail)
            .execute(pool)
            .await
            .map(|_| ())
        });
        if let Err(error) = recorded {
            tracing::error!(error = %crate::ssr::failure::CauseChain(&error), event = event.name(), "could not record an audit event");
        }
    }
}
