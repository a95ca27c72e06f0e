//! Creating, renaming and deleting groups. Any account creates groups (it becomes their owner);
//! the owner and admins rename one; only the owner deletes it. The default group can be neither
//! renamed nor deleted.

use super::{
    ADD_MEMBER, ADD_OWNER_ADMIN, Accounts, GroupDetails, Role, RowLock, Standing, default_group_refusal, delete_group,
    live_user_sql, lock_group,
};
use crate::{
    domain::{Field, FieldErrors, GroupName},
    error::{AccountError, GroupRefusal},
    ssr::{
        accounts::{AuditEvent, ClientInfo, User},
        clock::now_micros,
        db::{BeginWrite, is_unique_violation, on_pool},
    },
};

/// The most groups one account may create, deleted ones included (their names stay reserved):
/// each costs a row that outlives it, and no one needs thousands.
pub const MAX_GROUPS_PER_CREATOR: i64 = 1000;

/// How a group is labelled in the audit trail: its name quoted and escaped, so that no name can
/// pass for more of the record.
pub(in crate::ssr::accounts) fn group_label(group_id: i64, name: &str) -> String {
    format!("group {group_id} {name:?}")
}

fn parse_name(raw: &str) -> Result<GroupName, AccountError> {
    GroupName::parse(raw).map_err(|message| AccountError::Invalid(FieldErrors::single(Field::GroupName, message)))
}

impl Accounts {
    /// Creates a group named `name`, public (seen by every account) or private (seen by its
    /// members only), with `creator` as its owner and only member.
    #[tracing::instrument(skip_all, fields(user_id = creator.user_id))]
    pub async fn create_group(
        &self,
        creator: &User,
        name: &str,
        public: bool,
        client: &ClientInfo,
    ) -> Result<GroupDetails, AccountError> {
        let name = parse_name(name)?;
        let now = now_micros();
        let creator_sql = live_user_sql(&self.db, RowLock::Update);
        let group_id: i64 = on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let live: Option<String> =
                sqlx::query_scalar(creator_sql).bind(creator.user_id).fetch_optional(&mut *tx).await?;
            if live.is_none() {
                return Err(AccountError::Unauthenticated);
            }
            let created: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM groups WHERE creator_id = $1")
                .bind(creator.user_id)
                .fetch_one(&mut *tx)
                .await?;
            if created >= MAX_GROUPS_PER_CREATOR {
                return Err(GroupRefusal::rule(
                    crate::error::RuleClass::GroupLimitError,
                    format!("An account can create at most {MAX_GROUPS_PER_CREATOR} groups, deleted ones included."),
                ));
            }
            let group_id: i64 = sqlx::query_scalar(
                "INSERT INTO groups (name, name_key, creator_id, is_public, created_on, last_modified_on) \
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING group_id",
            )
            .bind(name.as_str())
            .bind(name.key())
            .bind(creator.user_id)
            .bind(public)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|error| name_taken_or_failure(error, &name))?;
            sqlx::query(ADD_MEMBER)
                .bind(group_id)
                .bind(creator.user_id)
                .bind(true)
                .bind(true)
                .bind(true)
                .bind(true)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(ADD_OWNER_ADMIN).bind(group_id).bind(creator.user_id).execute(&mut *tx).await?;
            tx.commit().await?;
            group_id
        });
        let privacy = if public { "public" } else { "private" };
        let detail = format!("{}, {privacy}", group_label(group_id, name.as_str()));
        self.audit_detail(AuditEvent::GroupCreated, creator, &detail, client).await;
        self.group(group_id, creator.user_id, super::MAX_GROUP_MEMBERS).await?.ok_or(AccountError::GroupNotFound)
    }

    /// Renames a group (its owner or an admin). The same name again changes nothing.
    #[tracing::instrument(skip_all, fields(user_id = actor.user_id, group_id))]
    pub async fn rename_group(
        &self,
        actor: &User,
        group_id: i64,
        name: &str,
        client: &ClientInfo,
    ) -> Result<GroupDetails, AccountError> {
        let name = parse_name(name)?;
        let old_name = on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let (standing, role): (Standing, Option<Role>) = lock_group!(tx, group_id, actor.user_id, now_micros());
            if standing.is_default {
                return Err(default_group_refusal("modified"));
            }
            Role::require_admin(role, group_id)?;
            if standing.name != name.as_str() {
                sqlx::query("UPDATE groups SET name = $1, name_key = $2 WHERE group_id = $3")
                    .bind(name.as_str())
                    .bind(name.key())
                    .bind(group_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(|error| name_taken_or_failure(error, &name))?;
                tx.commit().await?;
            }
            // Unchanged, the transaction rolls back: not even the modification time moves.
            standing.name
        });
        if old_name != name.as_str() {
            let detail = format!("{} renamed {:?}", group_label(group_id, &old_name), name.as_str());
            self.audit_detail(AuditEvent::GroupRenamed, actor, &detail, client).await;
        }
        self.group(group_id, actor.user_id, super::MAX_GROUP_MEMBERS).await?.ok_or(AccountError::GroupNotFound)
    }

    /// Deletes a group (its owner only), for good: its members and managers are removed, and it
    /// is gone from every listing. The row stays, so that its name stays reserved for its creator.
    #[tracing::instrument(skip_all, fields(user_id = actor.user_id, group_id))]
    pub async fn delete_group(&self, actor: &User, group_id: i64, client: &ClientInfo) -> Result<(), AccountError> {
        let now = now_micros();
        let name = on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let (standing, role): (Standing, Option<Role>) = lock_group!(tx, group_id, actor.user_id, now);
            if standing.is_default {
                return Err(default_group_refusal("deleted"));
            }
            Role::require_owner(role, group_id)?;
            delete_group!(tx, group_id, now);
            tx.commit().await?;
            standing.name
        });
        self.audit_detail(AuditEvent::GroupDeleted, actor, &group_label(group_id, &name), client).await;
        Ok(())
    }
}

/// A name the creator already gave another group (a deleted one too) is a 409; any other failure
/// is the database's.
fn name_taken_or_failure(error: sqlx::Error, name: &GroupName) -> AccountError {
    if is_unique_violation(&error) {
        GroupRefusal::NameTaken { name: name.as_str().to_owned() }.into()
    } else {
        error.into()
    }
}
