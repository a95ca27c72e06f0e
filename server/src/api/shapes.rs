//! The JSON shapes of Dioptra's responses, with its field names and key order.

use app::ssr::{
    accounts::{GroupDetails, Membership, User},
    clock::Micros,
};
use serde_json::{Value, json};

/// `2026-11-29T08:04:32.230380+00:00`: microseconds and an explicit UTC offset, as Dioptra sends.
pub fn timestamp(micros: Micros) -> String {
    let at = micros.to_datetime();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.microsecond()
    )
}

pub fn user_url(user_id: i64) -> String {
    format!("/api/v1/users/{user_id}")
}

pub fn group_url(group_id: i64) -> String {
    format!("/api/v1/groups/{group_id}")
}

/// `User`: what anyone signed in may see of an account.
pub fn user(user: &User) -> Value {
    json!({"username": user.username, "email": user.email, "id": user.user_id})
}

/// `CurrentUser`: an account as its owner sees it.
pub fn current_user(user: &User, memberships: &[Membership]) -> Value {
    let groups: Vec<Value> = memberships
        .iter()
        .map(|m| json!({"id": m.group_id, "name": m.group_name, "url": group_url(m.group_id)}))
        .collect();
    json!({
        "username": user.username,
        "email": user.email,
        "id": user.user_id,
        "groups": groups,
        "createdOn": timestamp(user.created_on),
        "lastModifiedOn": timestamp(user.last_modified_on),
        "lastLoginOn": user.last_login_on.map(timestamp),
        "passwordExpiresOn": user.password_expires_on.map(timestamp),
    })
}

/// `Group`: a group with its creator and members.
pub fn group(group: &GroupDetails) -> Value {
    let group_ref = json!({"id": group.group_id, "name": group.name, "url": group_url(group.group_id)});
    let members: Vec<Value> = group
        .members
        .iter()
        .map(|m| {
            json!({
                "user": {"id": m.user_id, "username": m.username, "url": user_url(m.user_id)},
                "group": group_ref,
                "permissions": {
                    "read": m.can_read, "write": m.can_write, "shareRead": m.can_share_read,
                    "shareWrite": m.can_share_write, "owner": m.is_owner, "admin": m.is_admin,
                },
            })
        })
        .collect();
    json!({
        "name": group.name,
        "id": group.group_id,
        "user": {"id": group.creator_id, "username": group.creator_username, "url": user_url(group.creator_id)},
        "members": members,
        "createdOn": timestamp(group.created_on),
        "lastModifiedOn": timestamp(group.last_modified_on),
    })
}
