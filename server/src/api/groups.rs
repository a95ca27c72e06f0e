//! `/api/v1/groups...`: read-only; groups cannot be created, changed or deleted.

use app::ssr::AppState;
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use serde_json::{Value, json};

use super::{
    errors::ApiError,
    input::{Authenticated, Paging, QueryMap, parse_id},
    shapes,
};

/// `GET /groups`: paged, searchable by `name`.
pub async fn list(State(state): State<AppState>, _: Authenticated, query: QueryMap) -> Result<Json<Value>, ApiError> {
    let paging = Paging::parse(&query, &["name"])?;
    let page = state.accounts.list_groups(&paging.terms, paging.index, paging.page_length).await?;
    let data = page.items.iter().map(shapes::group).collect();
    Ok(Json(paging.envelope("/api/v1/groups", page.total, data)))
}

/// `GET /groups/{id}`
pub async fn by_id(
    State(state): State<AppState>,
    _: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let group_id = parse_id(&id)?;
    let group = state.accounts.group(group_id).await?.ok_or_else(|| {
        ApiError::domain(
            StatusCode::NOT_FOUND,
            "EntityDoesNotExistError",
            &format!("Failed to locate Group with group_id having value ({group_id})."),
            json!({"entity_type": "group", "group_id": group_id}),
        )
    })?;
    Ok(Json(shapes::group(&group)))
}
