//! `/api/v1/admin/audit…`: the audit trail for administrators, newest first and narrowed by
//! account, kind of event, client address and time; a page at a time as JSON, or every matching
//! event as a CSV or JSON-lines download, streamed a thousand rows at a time.

use std::collections::HashMap;

use app::ssr::{
    AppState,
    accounts::{AuditCursor, AuditQuery},
};
use axum::{
    Json,
    body::Body,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::audit_export::AuditEventBody;
use crate::audit_export::{Export, Format};

use super::{
    admin::administrator,
    errors::ApiError,
    input::{Authenticated, MAX_PAGE_LENGTH, QueryMap},
    shapes::{DomainErrorBody, MessageBody, ValidationErrorBody},
};

/// Events per page unless `pageLength` says otherwise.
const DEFAULT_PAGE: i64 = 50;

#[derive(Serialize, ToSchema)]
pub struct AuditPageBody {
    pub data: Vec<AuditEventBody>,
    /// The next (older) page, when there may be one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// The filters of a request, or the validation error naming the one that is wrong.
fn filters(query: &HashMap<String, String>) -> Result<AuditQuery, ApiError> {
    let get = |name: &str| query.get(name).map(String::as_str);
    AuditQuery::parse(get("username"), get("event"), get("clientAddress"), get("from"), get("until"))
        .map_err(|(field, sentence)| ApiError::invalid_field(field, &sentence))
}

/// The query string that repeats `query`'s filters, for the links of further pages.
fn filter_pairs(query: &HashMap<String, String>) -> form_urlencoded::Serializer<'static, String> {
    let mut pairs = form_urlencoded::Serializer::new(String::new());
    for name in ["username", "event", "clientAddress", "from", "until"] {
        if let Some(value) = query.get(name).filter(|value| !value.trim().is_empty()) {
            pairs.append_pair(name, value);
        }
    }
    pairs
}

/// Events, newest first. Filters: `username` (as recorded, exactly), `event` (its name),
/// `clientAddress`, `from` and `until` (a date, `until` to the end of it, or an RFC 3339 time).
#[utoipa::path(get, path = "/admin/audit", operation_id = "admin_audit", tag = "admin", params(
    ("username" = Option<String>, Query), ("event" = Option<String>, Query), ("clientAddress" = Option<String>, Query),
    ("from" = Option<String>, Query), ("until" = Option<String>, Query),
    ("after" = Option<String>, Query, description = "The `next` link's cursor"),
    ("pageLength" = Option<i64>, Query, description = "1 to 1000, default 50"),
), responses(
    (status = 200, body = AuditPageBody),
    (status = 400, description = "A filter, cursor or page length that cannot be read", body = ValidationErrorBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 403, description = "Not an administrator (`UserPermissionsError`)", body = DomainErrorBody),
))]
pub async fn trail(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    query: QueryMap,
) -> Result<Json<AuditPageBody>, ApiError> {
    administrator(&state, signed_in.user.user_id).await?;
    let filters = filters(&query)?;
    let after = match query.get("after") {
        None => None,
        Some(text) => Some(
            AuditCursor::decode(text).ok_or_else(|| ApiError::invalid_field("after", "Not a cursor of this trail."))?,
        ),
    };
    let page_length = match query.get("pageLength") {
        None => DEFAULT_PAGE,
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|length| (1..=MAX_PAGE_LENGTH).contains(length))
            .ok_or_else(|| ApiError::invalid_field("pageLength", "Must be an integer from 1 to 1000."))?,
    };
    let records = state.accounts.audit_trail(&filters, after, page_length).await?;
    let full = i64::try_from(records.len()).unwrap_or(i64::MAX) == page_length;
    let next = records.last().filter(|_| full).map(|last| {
        let mut pairs = filter_pairs(&query);
        pairs.append_pair("pageLength", &page_length.to_string()).append_pair("after", &last.cursor().encode());
        format!("/api/v1/admin/audit?{}", pairs.finish())
    });
    Ok(Json(AuditPageBody { data: records.iter().map(AuditEventBody::from).collect(), next }))
}

/// Every event the filters of `GET /admin/audit` match, newest first, as a download:
/// `format=csv` (a header row, then one row an event) or `format=jsonl` (one JSON object a line).
#[utoipa::path(get, path = "/admin/audit/export", operation_id = "admin_audit_export", tag = "admin", params(
    ("format" = String, Query, description = "`csv` or `jsonl`"),
    ("username" = Option<String>, Query), ("event" = Option<String>, Query), ("clientAddress" = Option<String>, Query),
    ("from" = Option<String>, Query), ("until" = Option<String>, Query),
), responses(
    (status = 200, description = "The events, `text/csv` or `application/x-ndjson`, as an attachment"),
    (status = 400, description = "An unknown format, or a filter that cannot be read", body = ValidationErrorBody),
    (status = 401, description = "Not logged in", body = MessageBody),
    (status = 403, description = "Not an administrator (`UserPermissionsError`)", body = DomainErrorBody),
))]
pub async fn export(
    State(state): State<AppState>,
    Authenticated(signed_in): Authenticated,
    query: QueryMap,
) -> Result<Response, ApiError> {
    administrator(&state, signed_in.user.user_id).await?;
    let filters = filters(&query)?;
    let format = query
        .get("format")
        .and_then(|name| Format::from_name(name))
        .ok_or_else(|| ApiError::invalid_field("format", "Must be csv or jsonl."))?;
    let export = Export::new(state.accounts.clone(), filters, format);
    // An error ends the download: the client sees a truncated body, and the log says why.
    let stream = futures_util::stream::unfold(export, |mut export| async move {
        let chunk = export.next_chunk().await?.map_err(|error| {
            tracing::error!(%error, "an audit trail download stopped");
            std::io::Error::other(error.to_string())
        });
        Some((chunk, export))
    });
    let disposition = format!("attachment; filename=\"audit-trail.{}\"", format.extension());
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, format.content_type().to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        Body::from_stream(stream),
    )
        .into_response())
}
