//! Groups and memberships. Today there is one group, `public`: the first account founds it as
//! owner and admin, and every account joins it at signup (`signup.rs` runs the statements below
//! in the signup's transaction).

use super::{Accounts, GroupDetails, GroupMember, Membership, Page, paging::SqlFilters};
use crate::{
    domain::SearchTerm,
    error::AccountError,
    ssr::{clock::Micros, db::on_pool},
};

/// The one group every account belongs to; Dioptra creates no others.
pub const PUBLIC_GROUP: &str = "public";

/// Creates the group `$1` with creator `$2` at `$3`, unless it exists.
pub(super) const FOUND_PUBLIC: &str = "INSERT INTO groups (name, creator_id, created_on, last_modified_on) \
     VALUES ($1, $2, $3, $3) ON CONFLICT (name) DO NOTHING";
/// The id and creator of the group named `$1`.
pub(super) const GROUP_ID_AND_CREATOR: &str = "SELECT group_id, creator_id FROM groups WHERE name = $1";
/// Adds member `$2` to group `$1` with read, write, share-read and share-write `$3`–`$6`, at `$7`.
pub(super) const ADD_MEMBER: &str = "INSERT INTO group_members (group_id, user_id, can_read, can_write, \
     can_share_read, can_share_write, joined_on) VALUES ($1, $2, $3, $4, $5, $6, $7)";
/// Makes member `$2` owner and admin of group `$1`.
pub(super) const ADD_OWNER_ADMIN: &str =
    "INSERT INTO group_managers (group_id, user_id, is_owner, is_admin) VALUES ($1, $2, TRUE, TRUE)";

#[derive(Clone, Debug, sqlx::FromRow)]
struct GroupRow {
    group_id: i64,
    name: String,
    creator_id: i64,
    creator_username: String,
    created_on: Micros,
    last_modified_on: Micros,
}

#[derive(sqlx::FromRow)]
struct IdRow {
    id: i64,
}

impl Accounts {
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

    /// Groups matching every search term (the only searchable field is `name`), ordered by id.
    /// Each group lists at most `member_limit` members (see [`Accounts::group`]).
    pub async fn list_groups(
        &self,
        terms: &[SearchTerm],
        index: i64,
        limit: i64,
        member_limit: i64,
    ) -> Result<Page<GroupDetails>, AccountError> {
        let mut filters = SqlFilters::new(" FROM groups WHERE deleted_on IS NULL");
        for term in terms {
            filters.push(" AND (");
            filters.like("lower(name)", &term.pattern);
            filters.push(")");
        }
        let ids: Page<IdRow> = self.page("SELECT group_id AS id", "group_id", &filters, index, limit).await?;
        let mut items = Vec::with_capacity(ids.items.len());
        for IdRow { id } in ids.items {
            items.extend(self.group(id, member_limit).await?);
        }
        Ok(Page { total: ids.total, items })
    }

    /// A group with its creator and its first `member_limit` members, in the order they joined
    /// (`public` holds every account, so its whole list could be millions of rows).
    pub async fn group(&self, group_id: i64, member_limit: i64) -> Result<Option<GroupDetails>, AccountError> {
        let row: Option<GroupRow> = on_pool!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT groups.group_id, name, creator_id, users.username AS creator_username, groups.created_on, \
                 groups.last_modified_on FROM groups JOIN users ON users.user_id = groups.creator_id \
                 WHERE group_id = $1 AND groups.deleted_on IS NULL",
            )
            .bind(group_id)
            .fetch_optional(pool)
            .await?
        });
        let Some(row) = row else { return Ok(None) };
        let mut members: Vec<GroupMember> = on_pool!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT group_members.group_id, group_members.user_id, users.username, can_read, can_write, \
                 can_share_read, can_share_write, COALESCE(is_owner, FALSE) AS is_owner, \
                 COALESCE(is_admin, FALSE) AS is_admin, (users.deleted_on IS NOT NULL) AS is_deleted \
                 FROM group_members JOIN users ON users.user_id = group_members.user_id \
                 LEFT JOIN group_managers ON group_managers.group_id = group_members.group_id \
                   AND group_managers.user_id = group_members.user_id \
                 WHERE group_members.group_id = $1 ORDER BY joined_on, group_members.user_id LIMIT $2",
            )
            .bind(group_id)
            // One more than asked for, to know whether any were left out.
            .bind(member_limit.saturating_add(1))
            .fetch_all(pool)
            .await?
        });
        let shown = usize::try_from(member_limit).unwrap_or(0);
        let more_members = members.len() > shown;
        members.truncate(shown);
        Ok(Some(GroupDetails {
            group_id: row.group_id,
            name: row.name,
            creator_id: row.creator_id,
            creator_username: row.creator_username,
            created_on: row.created_on,
            last_modified_on: row.last_modified_on,
            members,
            more_members,
        }))
    }
}
