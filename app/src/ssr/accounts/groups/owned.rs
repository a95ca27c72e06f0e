//! The groups an account owns, when the account is deleted: taken, checked for other live
//! members, deleted when it was alone in them, and the default group handed on to an admin.
//! `users.rs` runs these statements in the deletion's transaction; `manage.rs` deletes a group
//! with [`delete_group!`] too.

/// Takes the rows of the groups account `$1` owns at `$2`, returning their ids, names and whether
/// each is the default group: a step of deleting the account, so that nobody joins them meanwhile.
pub(in crate::ssr::accounts) const LOCK_OWNED_GROUPS: &str = "UPDATE groups SET last_modified_on = $2 \
     WHERE deleted_on IS NULL AND group_id IN (SELECT group_id FROM group_managers WHERE user_id = $1 AND is_owner) \
     RETURNING group_id, name, is_default";
/// The groups account `$1` owns, read again after [`LOCK_OWNED_GROUPS`] took their rows: a group
/// its owner handed on meanwhile is not the account's any more.
pub(in crate::ssr::accounts) const STILL_OWNED: &str =
    "SELECT group_id FROM group_managers WHERE user_id = $1 AND is_owner";

/// Who group `$1` passes to when its owner, account `$2`, is deleted: its usable admin who joined
/// first (one its owner trusted to help run it), or, with none, its usable member who joined
/// first, so that the default group never stays with a deleted owner and the deployment keeps an
/// administrator (Dioptra's clients delete their own account, the founder's too). Disabled
/// accounts are passed over: they could run nothing. On PostgreSQL the row is locked
/// (`FOR SHARE OF users`), so that it cannot be deleted before the hand-on commits; a row deleted
/// meanwhile is skipped for the next.
pub(in crate::ssr::accounts) fn successor_of_owner_sql(db: &crate::ssr::db::Database) -> &'static str {
    macro_rules! successor_of_owner {
        ($lock:literal) => {
            concat!(
                "SELECT group_members.user_id, users.username FROM group_members \
                 JOIN users ON users.user_id = group_members.user_id \
                 LEFT JOIN group_managers ON group_managers.group_id = group_members.group_id \
                   AND group_managers.user_id = group_members.user_id \
                 WHERE group_members.group_id = $1 AND group_members.user_id <> $2 AND ",
                usable_account!(),
                " ORDER BY COALESCE(group_managers.is_admin, FALSE) DESC, joined_on, group_members.user_id LIMIT 1",
                $lock
            )
        };
    }
    match db {
        crate::ssr::db::Database::Sqlite(_) => successor_of_owner!(""),
        crate::ssr::db::Database::Postgres(_) => successor_of_owner!(" FOR SHARE OF users"),
    }
}
/// In transaction `$tx`: hands group `$group_id` from its owner `$from` to member `$to`, who gets
/// every permission. The old owner's row is changed first: the unique index allows one owner.
macro_rules! hand_on {
    ($tx:expr, $group_id:expr, $from:expr, $to:expr) => {{
        sqlx::query("UPDATE group_managers SET is_owner = FALSE WHERE group_id = $1 AND user_id = $2 AND is_owner")
            .bind($group_id)
            .bind($from)
            .execute(&mut *$tx)
            .await?;
        sqlx::query(
            "INSERT INTO group_managers (group_id, user_id, is_owner, is_admin) VALUES ($1, $2, TRUE, TRUE) \
             ON CONFLICT (group_id, user_id) DO UPDATE SET is_owner = TRUE, is_admin = TRUE",
        )
        .bind($group_id)
        .bind($to)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "UPDATE group_members SET can_read = TRUE, can_write = TRUE, can_share_read = TRUE, \
             can_share_write = TRUE WHERE group_id = $1 AND user_id = $2",
        )
        .bind($group_id)
        .bind($to)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(in crate::ssr::accounts) use hand_on;
/// Of groups `$2…` (owned by account `$1`), whether it has another live member.
pub(in crate::ssr::accounts) const HAS_OTHER_LIVE_MEMBERS: &str = concat!(
    "SELECT EXISTS (SELECT 1 FROM group_members JOIN users ON users.user_id = group_members.user_id \
     WHERE group_members.group_id = $2 AND group_members.user_id <> $1 AND ",
    live_account!(),
    ")"
);
/// In transaction `$tx`: deletes group `$group_id` at `$now`, and every membership in it. The row
/// stays, so that its name stays its creator's.
macro_rules! delete_group {
    ($tx:expr, $group_id:expr, $now:expr) => {{
        sqlx::query("UPDATE groups SET deleted_on = $1 WHERE group_id = $2")
            .bind($now)
            .bind($group_id)
            .execute(&mut *$tx)
            .await?;
        sqlx::query("DELETE FROM group_managers WHERE group_id = $1").bind($group_id).execute(&mut *$tx).await?;
        sqlx::query("DELETE FROM group_members WHERE group_id = $1").bind($group_id).execute(&mut *$tx).await?;
    }};
}
pub(in crate::ssr::accounts) use delete_group;
