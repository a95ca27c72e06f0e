//! `/api/v1/groups...`: read-only; groups cannot be created, changed or deleted.

use app::ssr::AppState;
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use serde_json::json;

use super::{
    errors::ApiError,
    input::{Authenticated, Paging, QueryMap, parse_id},
    shapes::{DomainErrorBody, GroupBody, MAX_GROUP_MEMBERS, MessageBody, NotFoundBody, PageBody, ValidationErrorBody},
};

/// Groups cannot be created, changed or deleted: Dioptra supports only the default `public`.
#[utoipa::path(post, path = "/groups", operation_id = "create_group", tag = "groups", responses(
    (status = 405, description = "Groups cannot be created", body = MessageBody),
))]
pub async fn create() -> ApiError {
    super::errors::method_not_allowed().await
}

/// Groups cannot be changed.
#[utoipa::path(put, path = "/groups/{id}", operation_id = "modify_group", tag = "groups", params(("id" = i64, Path, minimum = 1)), responses(
    (status = 405, description = "Groups cannot be changed", body = MessageBody),
))]
pub async fn modify() -> ApiError {
    super::errors::method_not_allowed().await
}

/// Groups cannot be deleted.
#[utoipa::path(delete, path = "/groups/{id}", operation_id = "delete_group", tag = "groups", params(("id" = i64, Path, minimum = 1)), responses(
    (status = 405, description = "Groups cannot be deleted", body = MessageBody),
))]
pub async fn delete() -> ApiError {
    super::errors::method_not_allowed().await
}

/// Every group (there is one: `public`), paged, searchable by `name`. Also served at
/// `/api/v1/groups/`. Each group lists at most its first 1,000 members, in the order they
/// joined; a group with more has `membersTruncated: true` (the users collection lists every
/// account).
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
    _: Authenticated,
    query: QueryMap,
) -> Result<Json<PageBody<GroupBody>>, ApiError> {
    let paging = Paging::parse(&query, &["name"])?;
    let page = state.accounts.list_groups(&paging.terms, paging.index, paging.page_length, MAX_GROUP_MEMBERS).await?;
    let data = page.items.iter().map(GroupBody::from).collect();
    Ok(Json(paging.envelope("/api/v1/groups", page.total, data)))
}

/// One group with its members and their permissions: at most the first 1,000, in the order they
/// joined; a group with more has `membersTruncated: true` (the users collection lists every
/// account).
#[utoipa::path(get, path = "/groups/{id}", operation_id = "get_group", tag = "groups", params(("id" = i64, Path, minimum = 1)), responses(
    (status = 200, body = GroupBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 404, description = "No such group (`EntityDoesNotExistError`)", body = NotFoundBody),
))]
pub async fn by_id(
    State(state): State<AppState>,
    _: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<GroupBody>, ApiError> {
    let group_id = parse_id(&id)?;
    let group = state.accounts.group(group_id, MAX_GROUP_MEMBERS).await?.ok_or_else(|| {
        ApiError::domain(
            StatusCode::NOT_FOUND,
            "EntityDoesNotExistError",
            &format!("Failed to locate Group with group_id having value ({group_id})."),
            json!({"entity_type": "group", "group_id": group_id}),
        )
    })?;
    Ok(Json(GroupBody::from(&group)))
}
