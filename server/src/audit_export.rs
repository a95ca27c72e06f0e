//! The audit trail as people and programs read it outside the database: each event's shape
//! (the API's JSON, a CSV row), and the downloads of every event a filter matches, a thousand
//! at a time. The API's `/admin/audit/export` and the operator's `audit` commands both use it.

use std::sync::Arc;

use app::{
    error::AccountError,
    ssr::accounts::{Accounts, AuditCursor, AuditQuery, AuditRecord},
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::shapes::timestamp;

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

/// A download's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    /// `csv` or `jsonl`, as the API's `format` and the operator's `--format` name them.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "csv" => Some(Format::Csv),
            "jsonl" => Some(Format::JsonLines),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::JsonLines => "application/x-ndjson",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::JsonLines => "jsonl",
        }
    }
}

/// A download of every event that `filters` match, newest first, a chunk at a time.
pub struct Export {
    accounts: Arc<Accounts>,
    filters: AuditQuery,
    after: Option<AuditCursor>,
    format: Format,
    header: bool,
    done: bool,
}

impl Export {
    pub fn new(accounts: Arc<Accounts>, filters: AuditQuery, format: Format) -> Self {
        Self { accounts, filters, after: None, format, header: format == Format::Csv, done: false }
    }

    /// The next thousand events, rendered (the CSV's header row before the first); `None` once
    /// every event is out. After an error there is nothing more.
    pub async fn next_chunk(&mut self) -> Option<Result<Vec<u8>, AccountError>> {
        if self.done {
            return None;
        }
        let records = match self.accounts.audit_trail(&self.filters, self.after, EXPORT_CHUNK).await {
            Ok(records) => records,
            Err(error) => {
                self.done = true;
                return Some(Err(error));
            }
        };
        self.done = i64::try_from(records.len()).unwrap_or(i64::MAX) < EXPORT_CHUNK;
        self.after = records.last().map(AuditRecord::cursor);
        let bodies: Vec<AuditEventBody> = records.iter().map(AuditEventBody::from).collect();
        let rendered = match self.format {
            Format::Csv => render_csv(&bodies, std::mem::take(&mut self.header)).map_err(|error| {
                tracing::error!(%error, "an audit event could not be written as CSV");
                AccountError::Internal
            }),
            Format::JsonLines => Ok(render_json_lines(&bodies)),
        };
        Some(rendered)
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
