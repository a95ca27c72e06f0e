//! `/api/v1/admin/audit…`: the audit trail for administrators, newest first and narrowed by
//! account, kind of event, client address and time; a page at a time as JSON, or every matching
//! event as a CSV or JSON-lines download, streamed a thousand rows at a time.

use std::collections::HashMap;

use app::ssr::{
    AppState,
    accounts::{Accounts, AuditCursor, AuditQuery, AuditRecord},
};
use axum::{
    Json,
    body::Body,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{
    admin::administrator,
    errors::{ApiError, INPUT_INVALID},
    input::{Authenticated, MAX_PAGE_LENGTH, QueryMap},
    shapes::{DomainErrorBody, MessageBody, ValidationErrorBody, timestamp},
};

/// Events per page unless `pageLength` says otherwise.
const DEFAULT_PAGE: i64 = 50;
/// Events read from the database per chunk of a download.
const EXPORT_CHUNK: i64 = 1000;

/// One recorded event.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEventBody {
    pub id: i64,
    pub occurred_on: String,
    /// The kind of event, e.g. `login_failed`, `account_disabled`.
    pub event: String,
    /// The account that acted (or that a login named), when known.
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub client_address: Option<String>,
    /// What was done to what, for acts on groups and accounts.
    pub detail: Option<String>,
    /// How many times it happened: throttled attempts are one event a minute per client.
    pub repeats: i64,
    pub last_occurred_on: Option<String>,
}

impl From<&AuditRecord> for AuditEventBody {
    fn from(record: &AuditRecord) -> Self {
        Self {
            id: record.event_id,
            occurred_on: timestamp(record.occurred_on),
            event: record.event.clone(),
            user_id: record.user_id,
            username: record.username.clone(),
            client_address: record.client_address.clone(),
            detail: record.detail.clone(),
            repeats: record.repeats,
            last_occurred_on: record.last_occurred_on.map(timestamp),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditPageBody {
    pub data: Vec<AuditEventBody>,
    /// The next (older) page, when there may be one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// Dioptra's validation error for one field.
fn invalid(field: &str, sentence: &str) -> ApiError {
    ApiError::Fields {
        errors: [(field.to_owned(), json!([sentence]))].into_iter().collect(),
        message: format!("{INPUT_INVALID}: {field}: {sentence}"),
    }
}

/// The filters of a request, or the validation error naming the one that is wrong.
fn filters(query: &HashMap<String, String>) -> Result<AuditQuery, ApiError> {
    let get = |name: &str| query.get(name).map(String::as_str);
    AuditQuery::parse(get("username"), get("event"), get("clientAddress"), get("from"), get("until"))
        .map_err(|(field, sentence)| invalid(field, &sentence))
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
        Some(text) => Some(AuditCursor::decode(text).ok_or_else(|| invalid("after", "Not a cursor of this trail."))?),
    };
    let page_length = match query.get("pageLength") {
        None => DEFAULT_PAGE,
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|length| (1..=MAX_PAGE_LENGTH).contains(length))
            .ok_or_else(|| invalid("pageLength", "Must be an integer from 1 to 1000."))?,
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
    let (format, content_type) = match query.get("format").map(String::as_str) {
        Some("csv") => (Format::Csv, "text/csv; charset=utf-8"),
        Some("jsonl") => (Format::JsonLines, "application/x-ndjson"),
        _ => return Err(invalid("format", "Must be csv or jsonl.")),
    };
    let accounts = state.accounts.clone();
    let start = Chunk { accounts, filters, after: None, format, header: format == Format::Csv, done: false };
    let stream = futures_util::stream::unfold(start, Chunk::next);
    let extension = if format == Format::Csv { "csv" } else { "jsonl" };
    let disposition = format!("attachment; filename=\"audit-trail.{extension}\"");
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        Body::from_stream(stream),
    )
        .into_response())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    JsonLines,
}

/// Where a download has got to.
struct Chunk {
    accounts: std::sync::Arc<Accounts>,
    filters: AuditQuery,
    after: Option<AuditCursor>,
    format: Format,
    header: bool,
    done: bool,
}

impl Chunk {
    /// The next thousand events, rendered; an error ends the download (the client sees a
    /// truncated body, and the log says why).
    async fn next(mut self) -> Option<(Result<Vec<u8>, std::io::Error>, Self)> {
        if self.done {
            return None;
        }
        let records = match self.accounts.audit_trail(&self.filters, self.after, EXPORT_CHUNK).await {
            Ok(records) => records,
            Err(error) => {
                tracing::error!(%error, "an audit trail download stopped");
                return Some((Err(std::io::Error::other(error.to_string())), Self { done: true, ..self }));
            }
        };
        self.done = i64::try_from(records.len()).unwrap_or(i64::MAX) < EXPORT_CHUNK;
        self.after = records.last().map(AuditRecord::cursor);
        let bodies: Vec<AuditEventBody> = records.iter().map(AuditEventBody::from).collect();
        let rendered = match self.format {
            Format::Csv => render_csv(&bodies, std::mem::take(&mut self.header)),
            Format::JsonLines => Ok(render_json_lines(&bodies)),
        };
        Some((rendered, self))
    }
}

/// A text cell a spreadsheet would not run as a formula: a login can record any name it was
/// typed with, so `=HYPERLINK(…)` in the username column is an attacker's, and is written with a
/// `'` before it (OWASP's advice for CSV injection).
fn inert(text: &Option<String>) -> Option<String> {
    text.as_ref().map(|text| match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '|') => format!("'{text}"),
        _ => text.clone(),
    })
}

fn render_csv(bodies: &[AuditEventBody], header: bool) -> Result<Vec<u8>, std::io::Error> {
    // Every cell quoted: a `;` inside a name would start a new cell (and perhaps a formula) in
    // spreadsheets whose list separator it is.
    let mut writer =
        csv::WriterBuilder::new().has_headers(header).quote_style(csv::QuoteStyle::Always).from_writer(Vec::new());
    for body in bodies {
        let cells = AuditEventBody {
            username: inert(&body.username),
            client_address: inert(&body.client_address),
            detail: inert(&body.detail),
            event: body.event.clone(),
            occurred_on: body.occurred_on.clone(),
            last_occurred_on: body.last_occurred_on.clone(),
            ..*body
        };
        writer.serialize(&cells).map_err(std::io::Error::other)?;
    }
    if header && bodies.is_empty() {
        writer
            .write_record([
                "id",
                "occurredOn",
                "event",
                "userId",
                "username",
                "clientAddress",
                "detail",
                "repeats",
                "lastOccurredOn",
            ])
            .map_err(std::io::Error::other)?;
    }
    writer.into_inner().map_err(|error| std::io::Error::other(error.to_string()))
}

fn render_json_lines(bodies: &[AuditEventBody]) -> Vec<u8> {
    let mut out = Vec::new();
    for body in bodies {
        // A struct of strings and numbers always serializes.
        if serde_json::to_writer(&mut out, body).is_ok() {
            out.push(b'\n');
        }
    }
    out
}
