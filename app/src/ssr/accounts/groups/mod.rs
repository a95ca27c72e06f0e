//! Groups and memberships (spec Part C). The default group, `public`, is founded by the first
//! account and joined by every account at signup (`signup.rs` runs the statements below in the
//! signup's transaction); any account may create groups of its own, public (seen by everyone) or
//! private (seen by its members alone).
//!
//! This file reads; `manage.rs` creates, renames and deletes groups, `members.rs` changes who is
//! in a group and what they may do there, `owned.rs` has the statements that settle the groups an
//! account owns when the account is deleted (`users.rs` runs them). Every change to a group takes
//! the group's row first ([`lock_group!`]), so that changes to one group happen one after another
//! on PostgreSQL too.

mod manage;
mod members;
mod owned;

pub(super) use manage::group_label;
pub(super) use owned::{
    HAS_OTHER_LIVE_MEMBERS, LOCK_OWNED_GROUPS, STILL_OWNED, delete_group, hand_on, successor_of_owner_sql,
};

use super::{Accounts, GroupDetails, GroupMember, Membership, Page, paging::SqlFilters};
use crate::{
    domain::SearchTerm,
    error::AccountError,
    ssr::{clock::Micros, db::on_pool},
};

pub use manage::MAX_GROUPS_PER_CREATOR;
pub use members::FlagChange;

/// The name of the default group, the one every account belongs to.
pub const PUBLIC_GROUP: &str = "public";

/// The most members a group's listing (`GET /api/v1/groups/{id}`) carries: `public` holds every
/// account, and listing them all made one answer about 100 MB of JSON at a million accounts.
pub const MAX_GROUP_MEMBERS: i64 = 1000;

/// The most members one page of a group listing carries in all: a page of 1,000 groups of 1,000
/// members each would be a million member objects (a gigabyte of JSON with long names). A page of
/// up to 10 groups lists 1,000 members of each; longer pages list fewer of each.
pub const MAX_LISTED_MEMBERS: i64 = 10_000;

/// How many members each group of a listing page of `page_length` groups lists.
pub fn members_per_listed_group(page_length: i64) -> i64 {
    (MAX_LISTED_MEMBERS / page_length.max(1)).clamp(1, MAX_GROUP_MEMBERS)
}

/// Founds the default group `$1` with creator `$2` at `$3`, unless it exists. Looked for first,
/// so that a signup takes no group id when it exists (an insert that conflicts would take one);
/// the conflict clause settles two first signups at once.
pub(super) const FOUND_PUBLIC: &str = "INSERT INTO groups (name, name_key, creator_id, is_default, created_on, \
     last_modified_on) SELECT $1, $1, $2, TRUE, $3, $3 WHERE NOT EXISTS (SELECT 1 FROM groups WHERE is_default) \
     ON CONFLICT (is_default) WHERE is_default DO NOTHING";
/// The id and creator of the default group.
pub(super) const GROUP_ID_AND_CREATOR: &str = "SELECT group_id, creator_id FROM groups WHERE is_default";
/// Adds member `$2` to group `$1` with read, write, share-read and share-write `$3`–`$6`, at `$7`.
pub(super) const ADD_MEMBER: &str = "INSERT INTO group_members (group_id, user_id, can_read, can_write, \
     can_share_read, can_share_write, joined_on) VALUES ($1, $2, $3, $4, $5, $6, $7)";
/// Makes member `$2` owner and admin of group `$1`.
pub(super) const ADD_OWNER_ADMIN: &str =
    "INSERT INTO group_managers (group_id, user_id, is_owner, is_admin) VALUES ($1, $2, TRUE, TRUE)";

/// The condition, on a `groups` row, that the account whose id is parameter `$param` (e.g.
/// `"$2"`) may see the group: it is public, or the account is a member.
macro_rules! visible_to {
    ($param:literal) => {
        concat!(
            "(groups.is_public OR EXISTS (SELECT 1 FROM group_members AS viewer \
             WHERE viewer.group_id = groups.group_id AND viewer.user_id = ",
            $param,
            "))"
        )
    };
}

/// A group member's columns, from `group_members` joined with `users` and `group_managers`.
macro_rules! member_columns {
    () => {
        "group_members.group_id, groups.name AS group_name, group_members.user_id, users.username, can_read, \
         can_write, can_share_read, can_share_write, COALESCE(is_owner, FALSE) AS is_owner, \
         COALESCE(is_admin, FALSE) AS is_admin, (users.deleted_on IS NOT NULL) AS is_deleted \
         FROM group_members JOIN users ON users.user_id = group_members.user_id \
         JOIN groups ON groups.group_id = group_members.group_id \
         LEFT JOIN group_managers ON group_managers.group_id = group_members.group_id \
           AND group_managers.user_id = group_members.user_id"
    };
}
use member_columns;

#[derive(Clone, Debug, sqlx::FromRow)]
struct GroupRow {
    group_id: i64,
    name: String,
    creator_id: i64,
    creator_username: String,
    is_public: bool,
    is_default: bool,
    created_on: Micros,
    last_modified_on: Micros,
}

#[derive(sqlx::FromRow)]
struct IdRow {
    id: i64,
}

impl Accounts {
    /// The id of the default group, `public`; `GroupNotFound` before the first account founds it.
    pub async fn default_group_id(&self) -> Result<i64, AccountError> {
        let id: Option<i64> = on_pool!(&self.db, |pool| {
            sqlx::query_scalar("SELECT group_id FROM groups WHERE is_default").fetch_optional(pool).await?
        });
        id.ok_or(AccountError::GroupNotFound)
    }

    /// The groups `user_id` belongs to, with its permissions in each.
    pub async fn memberships(&self, user_id: i64) -> Result<Vec<Membership>, AccountError> {
        Ok(on_pool!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT groups.group_id, groups.name AS group_name, can_read, can_write, can_share_read, \
                 can_share_write, COALESCE(is_owner, FALSE) AS is_owner, COALESCE(is_admin, FALSE) AS is_admin \
                 FROM group_members \
                 JOIN groups ON groups.group_id = group_members.group_id AND groups.deleted_on IS NULL \
                 LEFT JOIN group_managers ON group_managers.group_id = group_members.group_id \
                   AND group_managers.user_id = group_members.user_id \
                 WHERE group_members.user_id = $1 ORDER BY groups.group_id",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The groups `viewer_id` may see that match every search term (the only searchable field is
    /// `name`), ordered by id. Each lists at most `member_limit` members (see
    /// [`Accounts::group`]).
    pub async fn list_groups(
        &self,
        viewer_id: i64,
        terms: &[SearchTerm],
        index: i64,
        limit: i64,
        member_limit: i64,
    ) -> Result<Page<GroupDetails>, AccountError> {
        let mut filters = SqlFilters::new(
            " FROM groups WHERE deleted_on IS NULL AND (groups.is_public OR EXISTS (SELECT 1 FROM group_members \
             AS viewer WHERE viewer.group_id = groups.group_id AND viewer.user_id = ",
        );
        filters.bind_id(viewer_id);
        filters.push("))");
        for term in terms {
            filters.push(" AND (");
            filters.like("name_key", &term.pattern);
            filters.push(")");
        }
        let ids: Page<IdRow> = self.page("SELECT group_id AS id", "group_id", &filters, index, limit).await?;
        let mut items = Vec::with_capacity(ids.items.len());
        for IdRow { id } in ids.items {
            items.extend(self.group(id, viewer_id, member_limit).await?);
        }
        Ok(Page { total: ids.total, items })
    }

    /// A group `viewer_id` may see, with its creator and its first `member_limit` members in the
    /// order they joined (`public` holds every account, so its whole list could be millions of
    /// rows). `None` for a group that does not exist, is deleted, or is private to others. With a
    /// `member_limit` of 0, `more_members` is false: no member is read.
    pub async fn group(
        &self,
        group_id: i64,
        viewer_id: i64,
        member_limit: i64,
    ) -> Result<Option<GroupDetails>, AccountError> {
        self.group_with_members_from(group_id, viewer_id, 0, member_limit).await
    }

    /// Like [`Accounts::group`], with the members from the `index`th in the order they joined.
    pub async fn group_with_members_from(
        &self,
        group_id: i64,
        viewer_id: i64,
        index: i64,
        member_limit: i64,
    ) -> Result<Option<GroupDetails>, AccountError> {
        const SQL: &str = concat!(
            "SELECT groups.group_id, name, creator_id, users.username AS creator_username, is_public, is_default, \
             groups.created_on, groups.last_modified_on FROM groups JOIN users ON users.user_id = groups.creator_id \
             WHERE group_id = $1 AND groups.deleted_on IS NULL AND ",
            visible_to!("$2")
        );
        let row: Option<GroupRow> = on_pool!(&self.db, |pool| {
            sqlx::query_as(SQL).bind(group_id).bind(viewer_id).fetch_optional(pool).await?
        });
        let Some(row) = row else { return Ok(None) };
        // One more than asked for, to know whether any were left out. Asked for none (a check
        // that the viewer may see the group, a listing of names), none are read.
        let mut members = if member_limit > 0 {
            self.members_page(group_id, index, member_limit.saturating_add(1)).await?
        } else {
            Vec::new()
        };
        let shown = usize::try_from(member_limit).unwrap_or(0);
        let more_members = members.len() > shown;
        members.truncate(shown);
        Ok(Some(GroupDetails {
            group_id: row.group_id,
            name: row.name,
            creator_id: row.creator_id,
            creator_username: row.creator_username,
            is_public: row.is_public,
            is_default: row.is_default,
            created_on: row.created_on,
            last_modified_on: row.last_modified_on,
            members,
            more_members,
        }))
    }

    /// One member of a group `viewer_id` may see.
    pub async fn group_member(&self, group_id: i64, user_id: i64, viewer_id: i64) -> Result<GroupMember, AccountError> {
        if self.group(group_id, viewer_id, 0).await?.is_none() {
            return Err(AccountError::GroupNotFound);
        }
        const SQL: &str =
            concat!("SELECT ", member_columns!(), " WHERE group_members.group_id = $1 AND group_members.user_id = $2");
        let member: Option<GroupMember> =
            on_pool!(&self.db, |pool| { sqlx::query_as(SQL).bind(group_id).bind(user_id).fetch_optional(pool).await? });
        member.ok_or(crate::error::GroupRefusal::NotAMember { group_id, user_id }.into())
    }

    async fn members_page(&self, group_id: i64, index: i64, limit: i64) -> Result<Vec<GroupMember>, AccountError> {
        const SQL: &str = concat!(
            "SELECT ",
            member_columns!(),
            " WHERE group_members.group_id = $1 ORDER BY joined_on, group_members.user_id LIMIT $2 OFFSET $3"
        );
        // A first page reads the group's first members from an index; a page deep in a large
        // group walks every member before it, as a listing does, so it takes a listing's place.
        let _place = if index > 0 { Some(self.listings.take().await?) } else { None };
        Ok(on_pool!(&self.db, |pool| {
            sqlx::query_as(SQL).bind(group_id).bind(limit).bind(index).fetch_all(pool).await?
        }))
    }
}

/// What a group change needs to know of the group and of the account making it, read in the
/// change's transaction after [`LOCK_GROUP`] took the group's row.
#[derive(Debug, sqlx::FromRow)]
struct Standing {
    name: String,
    is_public: bool,
    is_default: bool,
}

/// The account's role in the group, if it is a member.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
struct Role {
    is_admin: bool,
    is_owner: bool,
}

/// Takes group `$1`'s row for the rest of the transaction (PostgreSQL: a second change to the
/// group waits here for this one's commit; SQLite's writers take turns anyway) and marks it
/// modified at `$2`. A deleted group is not taken.
const LOCK_GROUP: &str = "UPDATE groups SET last_modified_on = $2 WHERE group_id = $1 AND deleted_on IS NULL \
     RETURNING name, is_public, is_default";
/// Account `$2`'s role in group `$1`. A statement of its own after [`LOCK_GROUP`]: on PostgreSQL
/// it then sees what the change it waited for committed.
const ROLE: &str = "SELECT COALESCE(is_admin, FALSE) AS is_admin, COALESCE(is_owner, FALSE) AS is_owner \
     FROM group_members LEFT JOIN group_managers ON group_managers.group_id = group_members.group_id \
       AND group_managers.user_id = group_members.user_id \
     WHERE group_members.group_id = $1 AND group_members.user_id = $2";

/// In a write transaction `$tx`: takes group `$group_id`'s row and reads the standing of account
/// `$actor_id` in it; returns `GroupNotFound` from the enclosing function when the group is
/// deleted, unknown, or private and the account is not a member. Evaluates to
/// `(Standing, Option<Role>)`.
macro_rules! lock_group {
    ($tx:expr, $group_id:expr, $actor_id:expr, $now:expr) => {{
        use $crate::ssr::accounts::groups::{LOCK_GROUP, ROLE, Role, Standing};
        let standing: Option<Standing> =
            sqlx::query_as(LOCK_GROUP).bind($group_id).bind($now).fetch_optional(&mut *$tx).await?;
        let Some(standing) = standing else { return Err($crate::error::AccountError::GroupNotFound) };
        let role: Option<Role> = sqlx::query_as(ROLE).bind($group_id).bind($actor_id).fetch_optional(&mut *$tx).await?;
        if !standing.is_public && role.is_none() {
            return Err($crate::error::AccountError::GroupNotFound);
        }
        (standing, role)
    }};
}
use lock_group;

impl Role {
    /// Refuses unless the account is the group's owner or one of its admins.
    fn require_admin(role: Option<Self>, group_id: i64) -> Result<Self, AccountError> {
        match role {
            Some(role) if role.is_admin || role.is_owner => Ok(role),
            _ => Err(not_permitted(group_id, "admin")),
        }
    }

    /// Refuses unless the account is the group's owner.
    fn require_owner(role: Option<Self>, group_id: i64) -> Result<Self, AccountError> {
        match role {
            Some(role) if role.is_owner => Ok(role),
            _ => Err(not_permitted(group_id, "owner")),
        }
    }
}

fn not_permitted(group_id: i64, permission: &str) -> AccountError {
    crate::error::GroupRefusal::NotPermitted { group_id, permission: permission.to_owned() }.into()
}

/// The refusal for a change the default group does not allow (`what`: "modified", "deleted").
fn default_group_refusal(what: &str) -> AccountError {
    crate::error::GroupRefusal::rule(
        crate::error::RuleClass::DioptraError,
        format!("The default group ({PUBLIC_GROUP}) can not be {what}."),
    )
}

/// How [`live_user_sql`] locks the account's row on PostgreSQL until the transaction ends.
#[derive(Clone, Copy)]
pub(super) enum RowLock {
    /// The account cannot be deleted meanwhile (its deletion updates the row first: one of the
    /// two waits for the other).
    Share,
    /// Nor can another transaction take the same lock: one account's group creations count
    /// their groups one after another.
    Update,
}

/// Account `$1`'s username, if the account is live, its row locked on PostgreSQL as `lock` says;
/// SQLite's writers take turns anyway.
pub(super) fn live_user_sql(db: &crate::ssr::db::Database, lock: RowLock) -> &'static str {
    const PLAIN: &str = concat!("SELECT username FROM users WHERE user_id = $1 AND ", live_account!());
    const SHARE: &str = concat!("SELECT username FROM users WHERE user_id = $1 AND ", live_account!(), " FOR SHARE");
    const UPDATE: &str = concat!("SELECT username FROM users WHERE user_id = $1 AND ", live_account!(), " FOR UPDATE");
    match (db, lock) {
        (crate::ssr::db::Database::Sqlite(_), _) => PLAIN,
        (crate::ssr::db::Database::Postgres(_), RowLock::Share) => SHARE,
        (crate::ssr::db::Database::Postgres(_), RowLock::Update) => UPDATE,
    }
}
