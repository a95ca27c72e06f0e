//! `/api/v1/groups…`: listing, reading, creating, renaming and deleting groups (spec Part C §3).
//! Every route is also served with a trailing slash.

use app::ssr::{
    AppState,
    accounts::{MAX_GROUP_MEMBERS, members_per_listed_group},
};
use axum::{
    Json,
    extract::{Path, State},
};

use super::{
    errors::ApiError,
    input::{Authenticated, Body, Client, Paging, QueryMap, parse_id},
    json_object::JsonObject,
    shapes::{
        BadGroupRequestBody, CreateGroupRequest, DeletedBody, DomainErrorBody, GroupBody, MessageBody, NotFoundBody,
        PageBody, RenameGroupRequest, ValidationErrorBody,
    },
};

/// The groups the caller may see (public groups, and private ones it is a member of), paged,
/// searchable by `name`. Each group lists its first members, in the order they joined: 1,000 on
/// pages of up to 10 groups, fewer on longer pages (10,000 members a page in all); a group with
/// more has `membersTruncated: true` (`GET /groups/{id}/members` pages through all of them).
#[utoipa::path(get, path = "/groups", operation_id = "list_groups", tag = "groups", params(
    ("index" = Option<i64>, Query, description = "Offset of the first result (>= 0, default 0)"),
    ("pageLength" = Option<i64>, Query, description = "Results per page (1 to 1000, default 10)"),
    ("search" = Option<String>, Query, description = "Search query, e.g. `name:pub*` or `public`; at most 10 terms and 256 characters"),
), responses(
    (status = 200, body = PageBody<GroupBody>),
    (status = 400, description = "Invalid paging parameters, or a search over the limits (10 terms, 256 characters)", body = ValidationErrorBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 422, description = "A search that does not parse (`SearchParseError`)", body = DomainErrorBody),
    (status = 503, description = "The database cannot be reached, or the query ran past its time budget", body = MessageBody),
))]
pub async fn list(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    query: QueryMap,
) -> Result<Json<PageBody<GroupBody>>, ApiError> {
    let paging = Paging::parse(&query, &["name"])?;
    let viewer = signed_in.user.user_id;
    let member_limit = members_per_listed_group(paging.page_length);
    let page =
        state.accounts.list_groups(viewer, &paging.terms, paging.index, paging.page_length, member_limit).await?;
    let data = page.items.iter().map(GroupBody::from).collect();
    Ok(Json(paging.envelope("/api/v1/groups", page.total, data)))
}

/// Create a group; the caller becomes its owner and only member, with every permission. A
/// private group (`public: false`) is seen by its members alone.
#[utoipa::path(post, path = "/groups", operation_id = "create_group", tag = "groups", request_body = CreateGroupRequest, responses(
    (status = 200, body = GroupBody),
    (status = 400, description = "A missing, invalid or unknown field, or the caller's 1,000 groups already made (`GroupLimitError`)", body = BadGroupRequestBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 409, description = "The caller already has a group of this name, perhaps deleted (`EntityExistsError`)", body = DomainErrorBody),
))]
pub async fn create(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    Client(client): Client,
    Body(body): Body,
) -> Result<Json<GroupBody>, ApiError> {
    let mut object = JsonObject::read(&body, &["name", "public"])?;
    let name = object.string("name");
    let public = object.optional_boolean("public").unwrap_or(true);
    object.finish()?;
    let name = name.unwrap_or_default();
    let group = state.accounts.create_group(&signed_in.user, &name, public, &client).await?;
    Ok(Json(GroupBody::from(&group)))
}

/// One group with its members and their permissions: at most the first 1,000, in the order they
/// joined; a group with more has `membersTruncated: true`. A private group is a 404 to those
/// who are not its members.
#[utoipa::path(get, path = "/groups/{id}", operation_id = "get_group", tag = "groups", params(("id" = i64, Path, minimum = 1)), responses(
    (status = 200, body = GroupBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 404, description = "No such group, deleted, or private to others (`EntityDoesNotExistError`)", body = NotFoundBody),
))]
pub async fn by_id(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<GroupBody>, ApiError> {
    let group_id = parse_id(&id)?;
    let group = state
        .accounts
        .group(group_id, signed_in.user.user_id, MAX_GROUP_MEMBERS)
        .await?
        .ok_or_else(|| ApiError::group_not_found(group_id))?;
    Ok(Json(GroupBody::from(&group)))
}

/// Rename a group: its owner or an admin. The same name again is a success that changes nothing.
/// The default group (`public`) cannot be renamed.
#[utoipa::path(put, path = "/groups/{id}", operation_id = "modify_group", tag = "groups", params(("id" = i64, Path, minimum = 1)), request_body = RenameGroupRequest, responses(
    (status = 200, body = GroupBody),
    (status = 400, description = "A missing, invalid or unknown field, or the default group (`DioptraError`)", body = BadGroupRequestBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 403, description = "Neither the owner nor an admin (`UserPermissionsError`)", body = DomainErrorBody),
    (status = 404, description = "No such group (`EntityDoesNotExistError`)", body = NotFoundBody),
    (status = 409, description = "The creator already has a group of this name (`EntityExistsError`)", body = DomainErrorBody),
))]
pub async fn modify(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    Client(client): Client,
    Path(id): Path<String>,
    Body(body): Body,
) -> Result<Json<GroupBody>, ApiError> {
    let group_id = parse_id(&id)?;
    let mut object = JsonObject::read(&body, &["name"])?;
    let name = object.string("name");
    object.finish()?;
    let name = name.unwrap_or_default();
    let group = state
        .accounts
        .rename_group(&signed_in.user, group_id, &name, &client)
        .await
        .map_err(|error| ApiError::for_group(error, group_id))?;
    Ok(Json(GroupBody::from(&group)))
}

/// Delete a group: its owner only, and for good. Its members are removed; its name stays
/// reserved for its creator. The default group (`public`) cannot be deleted.
#[utoipa::path(delete, path = "/groups/{id}", operation_id = "delete_group", tag = "groups", params(("id" = i64, Path, minimum = 1)), responses(
    (status = 200, body = DeletedBody),
    (status = 400, description = "The default group (`DioptraError`)", body = DomainErrorBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 403, description = "Not the owner (`UserPermissionsError`)", body = DomainErrorBody),
    (status = 404, description = "No such group (`EntityDoesNotExistError`)", body = NotFoundBody),
))]
pub async fn delete(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    Client(client): Client,
    Path(id): Path<String>,
) -> Result<Json<DeletedBody>, ApiError> {
    let group_id = parse_id(&id)?;
    state
        .accounts
        .delete_group(&signed_in.user, group_id, &client)
        .await
        .map_err(|error| ApiError::for_group(error, group_id))?;
    Ok(Json(DeletedBody { id: vec![group_id], status: "Success".into() }))
}
