//! `/api/v1/groups/{id}/members…`: a group's members and what each may do in it (spec Part C
//! §4–§5). Admins (and the owner) add members, change their permissions and remove them; the
//! owner grants and takes back `admin` and hands ownership on (`owner: true`); a member leaves by
//! removing itself. Every route is also served with a trailing slash.

use app::{
    domain::MemberFlags,
    error::AccountError,
    ssr::{AppState, accounts::FlagChange},
};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use serde_json::json;

use super::{
    errors::ApiError,
    input::{Authenticated, Body, Client, Paging, QueryMap, parse_id},
    json_object::JsonObject,
    shapes::{
        AddMemberRequest, BadGroupRequestBody, ChangeMemberRequest, DeletedBody, DomainErrorBody, MemberBody,
        MessageBody, NotFoundBody, ValidationErrorBody,
    },
};

/// The six permission flags, by their names in the API.
const FLAGS: [&str; 6] = ["read", "write", "shareRead", "shareWrite", "admin", "owner"];

/// The flags of a request body, each `None` when not given.
fn read_flags(object: &mut JsonObject) -> FlagChange {
    let [read, write, share_read, share_write, admin, owner] = FLAGS.map(|flag| object.optional_boolean(flag));
    FlagChange { read, write, share_read, share_write, admin, owner }
}

/// The core's error for a request about member `user_id` of group `group_id`, with 404s naming
/// what is missing (never Dioptra's 401 for an unknown user).
fn member_error(error: AccountError, group_id: i64, user_id: i64) -> ApiError {
    match error {
        AccountError::UserNotFound => ApiError::domain(
            StatusCode::NOT_FOUND,
            "EntityDoesNotExistError",
            &format!("Failed to locate User with user_id having value ({user_id})."),
            json!({"entity_type": "user", "user_id": user_id}),
        ),
        error => ApiError::for_group(error, group_id),
    }
}

/// A group's members in the order they joined, as a bare array (as in Dioptra): at most 1,000
/// (`pageLength`, up to 1,000) from the `index`th. Whoever may see the group may list them.
#[utoipa::path(get, path = "/groups/{id}/members", operation_id = "list_group_members", tag = "members", params(
    ("id" = i64, Path, minimum = 1),
    ("index" = Option<i64>, Query, description = "Offset of the first member (>= 0, default 0)"),
    ("pageLength" = Option<i64>, Query, description = "Members at most (1 to 1000, default 1000)"),
), responses(
    (status = 200, body = Vec<MemberBody>),
    (status = 400, description = "Invalid paging parameters", body = ValidationErrorBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 404, description = "No such group (`EntityDoesNotExistError`)", body = NotFoundBody),
))]
pub async fn list(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    Path(id): Path<String>,
    query: QueryMap,
) -> Result<Json<Vec<MemberBody>>, ApiError> {
    let group_id = parse_id(&id)?;
    let paging = Paging::parse_with_default(&query, &[], 1000)?;
    let group = state
        .accounts
        .group_with_members_from(group_id, signed_in.user.user_id, paging.index, paging.page_length)
        .await?
        .ok_or_else(|| ApiError::group_not_found(group_id))?;
    Ok(Json(group.members.iter().map(MemberBody::from).collect()))
}

/// Add an account to a group: the owner or an admin. Unnamed permissions are `false` but `read`;
/// `admin: true` is the owner's to give. Nobody joins or leaves the default group (`public`):
/// every account is its member.
#[utoipa::path(post, path = "/groups/{id}/members", operation_id = "add_group_member", tag = "members", params(("id" = i64, Path, minimum = 1)), request_body = AddMemberRequest, responses(
    (status = 200, body = MemberBody),
    (status = 400, description = "A missing, invalid or unknown field, a permission without one it needs (named), `owner` given, or the default group (`DioptraError`)", body = BadGroupRequestBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 403, description = "Neither the owner nor an admin, or `admin` given by an admin (`UserPermissionsError`)", body = DomainErrorBody),
    (status = 404, description = "No such group, or no such live account (`EntityDoesNotExistError`)", body = NotFoundBody),
    (status = 409, description = "Already a member (`EntityExistsError`)", body = DomainErrorBody),
))]
pub async fn add(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    Client(client): Client,
    Path(id): Path<String>,
    Body(body): Body,
) -> Result<Json<MemberBody>, ApiError> {
    let group_id = parse_id(&id)?;
    let mut object = JsonObject::read(&body, &["user", "read", "write", "shareRead", "shareWrite", "admin", "owner"])?;
    let user_id = object.integer("user");
    let flags = read_flags(&mut object);
    object.finish()?;
    let user_id = user_id.unwrap_or_default();
    if flags.owner == Some(true) {
        return Err(ApiError::Fields {
            errors: [("owner".to_owned(), json!([OWNER_BY_PATCH]))].into_iter().collect(),
            message: format!("{}: owner: {OWNER_BY_PATCH}", super::errors::INPUT_INVALID),
        });
    }
    let member_flags = MemberFlags {
        read: flags.read.unwrap_or(true),
        write: flags.write.unwrap_or(false),
        share_read: flags.share_read.unwrap_or(false),
        share_write: flags.share_write.unwrap_or(false),
    };
    let admin = flags.admin.unwrap_or(false);
    let member = state
        .accounts
        .add_member(&signed_in.user, group_id, user_id, member_flags, admin, &client)
        .await
        .map_err(|error| member_error(error, group_id, user_id))?;
    Ok(Json(MemberBody::from(&member)))
}

const OWNER_BY_PATCH: &str =
    "A new member cannot be the owner: add them, then make them the owner with PATCH {\"owner\": true}.";

/// One member and its permissions. Whoever may see the group may read it.
#[utoipa::path(get, path = "/groups/{id}/members/{userId}", operation_id = "get_group_member", tag = "members", params(("id" = i64, Path, minimum = 1), ("userId" = i64, Path, minimum = 1)), responses(
    (status = 200, body = MemberBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 404, description = "No such group, or not a member (`EntityDoesNotExistError`)", body = NotFoundBody),
))]
pub async fn by_id(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<Json<MemberBody>, ApiError> {
    let (group_id, user_id) = (parse_id(&id)?, parse_id(&user_id)?);
    let member = state
        .accounts
        .group_member(group_id, user_id, signed_in.user.user_id)
        .await
        .map_err(|error| member_error(error, group_id, user_id))?;
    Ok(Json(MemberBody::from(&member)))
}

/// Change a member's permissions; those not named stay. Admins change those of members who are
/// not managers (and their own); the owner changes anyone's, grants and takes back `admin`, and
/// makes another member the owner with `owner: true` (the new owner gets every permission; the
/// old one stays an admin). The owner always holds every permission.
#[utoipa::path(patch, path = "/groups/{id}/members/{userId}", operation_id = "modify_group_member", tag = "members", params(("id" = i64, Path, minimum = 1), ("userId" = i64, Path, minimum = 1)), request_body = ChangeMemberRequest, responses(
    (status = 200, body = MemberBody),
    (status = 400, description = "An invalid or unknown field, a permission without one it needs (named), or one the owner must keep (`GroupNeedsAManagerError`)", body = BadGroupRequestBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 403, description = "Not allowed to change this member so, or `admin`/`owner` from a session started with an application password (`UserPermissionsError`)", body = DomainErrorBody),
    (status = 404, description = "No such group, or not a member (`EntityDoesNotExistError`)", body = NotFoundBody),
))]
pub async fn modify(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    Client(client): Client,
    Path((id, user_id)): Path<(String, String)>,
    Body(body): Body,
) -> Result<Json<MemberBody>, ApiError> {
    let (group_id, user_id) = (parse_id(&id)?, parse_id(&user_id)?);
    let mut object = JsonObject::read(&body, &FLAGS)?;
    let change = read_flags(&mut object);
    object.finish()?;
    // Who manages a group (the default group's admins run the deployment) is not a script's to
    // change: an application password's session cannot grant or take back admin or owner.
    if change.admin.is_some() || change.owner.is_some() {
        signed_in.refuse_application_session()?;
    }
    let member = state
        .accounts
        .change_member(&signed_in.user, group_id, user_id, change, &client)
        .await
        .map_err(|error| member_error(error, group_id, user_id))?;
    Ok(Json(MemberBody::from(&member)))
}

/// Remove a member: an admin removes members who are not managers, the owner removes admins too,
/// and any member but the owner removes itself (leaves). Nobody leaves the default group.
#[utoipa::path(delete, path = "/groups/{id}/members/{userId}", operation_id = "remove_group_member", tag = "members", params(("id" = i64, Path, minimum = 1), ("userId" = i64, Path, minimum = 1)), responses(
    (status = 200, body = DeletedBody),
    (status = 400, description = "The owner (`UserIsManagerError`), or the default group (`DioptraError`)", body = DomainErrorBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 403, description = "Not allowed to remove this member (`UserPermissionsError`)", body = DomainErrorBody),
    (status = 404, description = "No such group, or not a member (`EntityDoesNotExistError`)", body = NotFoundBody),
))]
pub async fn remove(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    Client(client): Client,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<Json<DeletedBody>, ApiError> {
    let (group_id, user_id) = (parse_id(&id)?, parse_id(&user_id)?);
    state
        .accounts
        .remove_member(&signed_in.user, group_id, user_id, &client)
        .await
        .map_err(|error| member_error(error, group_id, user_id))?;
    Ok(Json(DeletedBody { id: vec![user_id], status: "Success".into() }))
}
