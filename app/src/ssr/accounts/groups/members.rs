//! Who is in a group and what they may do there (spec Part C §4–§5). Admins (and the owner) add
//! members, change their permissions and remove them; only the owner grants or takes back `admin`
//! and hands ownership on; any member may leave, except the owner. A group has exactly one owner,
//! who holds every permission. The default group's membership is everyone's and cannot change;
//! its managers may still change permissions in it.

use super::{
    ADD_MEMBER, Accounts, GroupMember, Role, RowLock, Standing, live_user_sql, lock_group, manage::group_label,
    member_columns, not_permitted,
};
use crate::{
    domain::MemberFlags,
    error::{AccountError, GroupRefusal},
    ssr::{
        accounts::{AuditEvent, ClientInfo, User},
        clock::now_micros,
        db::{BeginWrite, is_unique_violation, on_pool},
    },
};

/// A change of a member's permissions: each flag named is set, the others kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlagChange {
    pub read: Option<bool>,
    pub write: Option<bool>,
    pub share_read: Option<bool>,
    pub share_write: Option<bool>,
    pub admin: Option<bool>,
    pub owner: Option<bool>,
}

const MEMBER: &str =
    concat!("SELECT ", member_columns!(), " WHERE group_members.group_id = $1 AND group_members.user_id = $2");
const SET_FLAGS: &str = "UPDATE group_members SET can_read = $3, can_write = $4, can_share_read = $5, \
     can_share_write = $6 WHERE group_id = $1 AND user_id = $2";

fn flags_of(member: &GroupMember) -> MemberFlags {
    MemberFlags {
        read: member.can_read,
        write: member.can_write,
        share_read: member.can_share_read,
        share_write: member.can_share_write,
    }
}

fn checked(flags: MemberFlags) -> Result<MemberFlags, AccountError> {
    flags
        .checked()
        .map_err(|broken| GroupRefusal::Flags { flag: broken.flag.to_owned(), sentence: broken.sentence() }.into())
}

fn membership_is_fixed() -> AccountError {
    GroupRefusal::rule(
        crate::error::RuleClass::DioptraError,
        format!("Every account is a member of the default group ({}): nobody joins or leaves it.", super::PUBLIC_GROUP),
    )
}

/// In the audit trail: the member and their permissions afterwards.
fn member_label(member: &GroupMember) -> String {
    let flags = [
        (member.can_read, "read"),
        (member.can_write, "write"),
        (member.can_share_read, "shareRead"),
        (member.can_share_write, "shareWrite"),
        (member.is_admin, "admin"),
        (member.is_owner, "owner"),
    ];
    let granted: Vec<&str> = flags.into_iter().filter(|(on, _)| *on).map(|(_, name)| name).collect();
    format!(
        "member {} {:?}: {}",
        member.user_id,
        member.username,
        if granted.is_empty() { "none".into() } else { granted.join(" ") }
    )
}

impl Accounts {
    /// Adds account `user_id` to a group with `flags` (an admin's doing), and as an admin of it
    /// too if `admin` (the owner's doing).
    #[tracing::instrument(skip_all, fields(user_id = actor.user_id, group_id, member_id = user_id))]
    pub async fn add_member(
        &self,
        actor: &User,
        group_id: i64,
        user_id: i64,
        flags: MemberFlags,
        admin: bool,
        client: &ClientInfo,
    ) -> Result<GroupMember, AccountError> {
        let flags = checked(flags)?;
        let now = now_micros();
        let live_user = live_user_sql(&self.db, RowLock::Share);
        let (group_name, member) = on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let (standing, role): (Standing, Option<Role>) = lock_group!(tx, group_id, actor.user_id, now);
            if standing.is_default {
                return Err(membership_is_fixed());
            }
            let role = Role::require_admin(role, group_id)?;
            if admin && !role.is_owner {
                return Err(not_permitted(group_id, "owner"));
            }
            let username: Option<String> = sqlx::query_scalar(live_user).bind(user_id).fetch_optional(&mut *tx).await?;
            let username = username.ok_or(AccountError::UserNotFound)?;
            sqlx::query(ADD_MEMBER)
                .bind(group_id)
                .bind(user_id)
                .bind(flags.read)
                .bind(flags.write)
                .bind(flags.share_read)
                .bind(flags.share_write)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(|error| {
                    if is_unique_violation(&error) {
                        GroupRefusal::AlreadyMember { group_id, user_id, username: username.clone() }.into()
                    } else {
                        AccountError::from(error)
                    }
                })?;
            if admin {
                sqlx::query(
                    "INSERT INTO group_managers (group_id, user_id, is_owner, is_admin) VALUES ($1, $2, FALSE, TRUE)",
                )
                .bind(group_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            }
            let member: GroupMember = sqlx::query_as(MEMBER).bind(group_id).bind(user_id).fetch_one(&mut *tx).await?;
            tx.commit().await?;
            (standing.name, member)
        });
        let detail = format!("{}, {}", group_label(group_id, &group_name), member_label(&member));
        self.audit_detail(AuditEvent::MemberAdded, actor, &detail, client).await;
        Ok(member)
    }

    /// Changes a member's permissions. Admins change those of members who are not managers (and
    /// their own); the owner changes anyone's, grants and takes back `admin`, and hands ownership
    /// on with `owner: true` (the new owner gets every permission, the old one stays an admin).
    #[tracing::instrument(skip_all, fields(user_id = actor.user_id, group_id, member_id = user_id))]
    pub async fn change_member(
        &self,
        actor: &User,
        group_id: i64,
        user_id: i64,
        change: FlagChange,
        client: &ClientInfo,
    ) -> Result<GroupMember, AccountError> {
        let now = now_micros();
        let live_user = live_user_sql(&self.db, RowLock::Share);
        let (group_name, before, after) = on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let (standing, role): (Standing, Option<Role>) = lock_group!(tx, group_id, actor.user_id, now);
            let role = Role::require_admin(role, group_id)?;
            let before: Option<GroupMember> =
                sqlx::query_as(MEMBER).bind(group_id).bind(user_id).fetch_optional(&mut *tx).await?;
            let before = before.ok_or(GroupRefusal::NotAMember { group_id, user_id })?;
            let plan = plan_change(&before, change, actor.user_id, role, group_id)?;
            // A deleted account keeps its rows (as in Dioptra) and may lose permissions, but is
            // given none: a deleted owner could never hand the group on. Asked only when the
            // change gives something, after the rules: the member is then not the group's owner,
            // so its deletion (which takes its row, then its groups') cannot wait on this change
            // while this change waits on its row.
            if plan.grants_to(&before) {
                let live: Option<String> = sqlx::query_scalar(live_user).bind(user_id).fetch_optional(&mut *tx).await?;
                if live.is_none() {
                    return Err(AccountError::UserNotFound);
                }
            }
            if plan.transfer {
                // A disabled owner could run nothing: ownership goes to accounts that can log in.
                let usable: Option<i64> =
                    sqlx::query_scalar(concat!("SELECT user_id FROM users WHERE user_id = $1 AND ", usable_account!()))
                        .bind(user_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                if usable.is_none() {
                    return Err(AccountError::AdminRefused(format!(
                        "{} is disabled: enable the account before making it the owner.",
                        before.username
                    )));
                }
                // The statement that takes ownership from the actor is the one that proves it
                // still has it; the unique index on owners keeps a group at one owner whatever races.
                let taken = sqlx::query(
                    "UPDATE group_managers SET is_owner = FALSE WHERE group_id = $1 AND user_id = $2 AND is_owner",
                )
                .bind(group_id)
                .bind(actor.user_id)
                .execute(&mut *tx)
                .await?;
                if taken.rows_affected() != 1 {
                    return Err(not_permitted(group_id, "owner"));
                }
            }
            sqlx::query(SET_FLAGS)
                .bind(group_id)
                .bind(user_id)
                .bind(plan.flags.read)
                .bind(plan.flags.write)
                .bind(plan.flags.share_read)
                .bind(plan.flags.share_write)
                .execute(&mut *tx)
                .await?;
            if plan.admin || plan.transfer {
                sqlx::query(
                    "INSERT INTO group_managers (group_id, user_id, is_owner, is_admin) VALUES ($1, $2, $3, TRUE) \
                     ON CONFLICT (group_id, user_id) DO UPDATE SET is_owner = excluded.is_owner, is_admin = TRUE",
                )
                .bind(group_id)
                .bind(user_id)
                .bind(plan.transfer || before.is_owner)
                .execute(&mut *tx)
                .await?;
            } else {
                sqlx::query("DELETE FROM group_managers WHERE group_id = $1 AND user_id = $2")
                    .bind(group_id)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let after: GroupMember = sqlx::query_as(MEMBER).bind(group_id).bind(user_id).fetch_one(&mut *tx).await?;
            // Nothing changed: the transaction rolls back, and not even the modification time moves.
            if after != before {
                tx.commit().await?;
            }
            (standing.name, before, after)
        });
        let group = group_label(group_id, &group_name);
        let event = if after.is_owner && !before.is_owner {
            AuditEvent::OwnershipTransferred
        } else if after.is_admin && !before.is_admin {
            AuditEvent::AdminGranted
        } else if before.is_admin && !after.is_admin {
            AuditEvent::AdminRevoked
        } else {
            AuditEvent::MemberChanged
        };
        if before != after {
            self.audit_detail(event, actor, &format!("{group}, {}", member_label(&after)), client).await;
        }
        Ok(after)
    }

    /// Removes a member from a group: an admin removes members who are not managers, the owner
    /// removes admins too (taking `admin` back in the same step), and any member but the owner
    /// may leave. The owner stays until ownership passes to another member or the group is deleted.
    #[tracing::instrument(skip_all, fields(user_id = actor.user_id, group_id, member_id = user_id))]
    pub async fn remove_member(
        &self,
        actor: &User,
        group_id: i64,
        user_id: i64,
        client: &ClientInfo,
    ) -> Result<(), AccountError> {
        let now = now_micros();
        let (group_name, member) = on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let (standing, role): (Standing, Option<Role>) = lock_group!(tx, group_id, actor.user_id, now);
            if standing.is_default {
                return Err(membership_is_fixed());
            }
            let leaving = user_id == actor.user_id;
            let role = if leaving { role } else { Some(Role::require_admin(role, group_id)?) };
            let member: Option<GroupMember> =
                sqlx::query_as(MEMBER).bind(group_id).bind(user_id).fetch_optional(&mut *tx).await?;
            let member = member.ok_or(GroupRefusal::NotAMember { group_id, user_id })?;
            if member.is_owner {
                return Err(GroupRefusal::rule(
                    crate::error::RuleClass::UserIsManagerError,
                    "The owner of a group can not leave it or be removed: make another member the owner first, \
                     or delete the group.",
                ));
            }
            if member.is_admin && !leaving && !role.is_some_and(|role| role.is_owner) {
                return Err(not_permitted(group_id, "owner"));
            }
            sqlx::query("DELETE FROM group_managers WHERE group_id = $1 AND user_id = $2")
                .bind(group_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
                .bind(group_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            (standing.name, member)
        });
        let event = if user_id == actor.user_id { AuditEvent::MemberLeft } else { AuditEvent::MemberRemoved };
        let detail = format!("{}, member {} {:?}", group_label(group_id, &group_name), member.user_id, member.username);
        self.audit_detail(event, actor, &detail, client).await;
        Ok(())
    }
}

/// What a permission change comes to, once allowed.
struct Plan {
    flags: MemberFlags,
    /// Whether the member is (or stays) an admin.
    admin: bool,
    /// Whether ownership passes to the member.
    transfer: bool,
}

impl Plan {
    /// Whether the change gives `member` anything it did not have.
    fn grants_to(&self, member: &GroupMember) -> bool {
        let before = flags_of(member);
        let gains = |after: bool, before: bool| after && !before;
        self.transfer
            || gains(self.admin, member.is_admin)
            || gains(self.flags.read, before.read)
            || gains(self.flags.write, before.write)
            || gains(self.flags.share_read, before.share_read)
            || gains(self.flags.share_write, before.share_write)
    }
}

/// Checks `change` to `member`'s permissions, asked for by account `actor_id` with `role`.
fn plan_change(
    member: &GroupMember,
    change: FlagChange,
    actor_id: i64,
    role: Role,
    group_id: i64,
) -> Result<Plan, AccountError> {
    let before = flags_of(member);
    let flags = MemberFlags {
        read: change.read.unwrap_or(before.read),
        write: change.write.unwrap_or(before.write),
        share_read: change.share_read.unwrap_or(before.share_read),
        share_write: change.share_write.unwrap_or(before.share_write),
    };
    let admin = change.admin.unwrap_or(member.is_admin);
    let transfer = change.owner == Some(true) && !member.is_owner;
    let needs_a_manager =
        |sentence: &str| GroupRefusal::rule(crate::error::RuleClass::GroupNeedsAManagerError, sentence);
    if member.is_owner || transfer {
        if change.owner == Some(false) {
            return Err(needs_a_manager("A group always has an owner: make another member the owner instead."));
        }
        if change.admin == Some(false) {
            return Err(needs_a_manager("The owner of a group is always one of its admins."));
        }
        let dropped = [
            (change.read, "read"),
            (change.write, "write"),
            (change.share_read, "shareRead"),
            (change.share_write, "shareWrite"),
        ]
        .into_iter()
        .find(|(value, _)| *value == Some(false));
        if let Some((_, flag)) = dropped {
            return Err(GroupRefusal::Flags {
                flag: flag.to_owned(),
                sentence: format!("The owner of a group holds every permission, so '{flag}' stays."),
            }
            .into());
        }
    }
    let manages_managers = transfer || admin != member.is_admin;
    let changes_a_manager = (member.is_admin || member.is_owner) && member.user_id != actor_id;
    if (manages_managers || changes_a_manager) && !role.is_owner {
        return Err(not_permitted(group_id, "owner"));
    }
    if member.is_owner || transfer {
        return Ok(Plan { flags: MemberFlags::ALL, admin: true, transfer });
    }
    Ok(Plan { flags: checked(flags)?, admin, transfer })
}
