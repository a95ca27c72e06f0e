//! The audit trail as administrators read it: every recorded event, newest first, narrowed by
//! account, kind of event, client address and time, a page at a time. Pages follow a cursor (the
//! last event's time and id), not an offset, so the thousandth page of ten million events costs
//! what the first does.

use super::Accounts;
use crate::{
    error::AccountError,
    ssr::{accounts::AuditEvent, clock::Micros, db::on_pool},
};

/// Which events to read. Every field narrows; none reads them all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// The account's name as recorded (the actor, or the name a login tried), exactly.
    pub username: Option<String>,
    /// An event name (`AuditEvent::name`).
    pub event: Option<String>,
    pub client_address: Option<String>,
    /// From this moment on.
    pub from: Option<Micros>,
    /// Before this moment.
    pub until: Option<Micros>,
}

impl AuditQuery {
    /// The query from the fields of a form or a request, each optional (blank is absent): the
    /// event's name must be one the trail records, and the times readable by
    /// [`Micros::parse`] (`until` a date means to the end of that day). Otherwise, which field is
    /// wrong and why.
    pub fn parse(
        username: Option<&str>,
        event: Option<&str>,
        client_address: Option<&str>,
        from: Option<&str>,
        until: Option<&str>,
    ) -> Result<Self, (&'static str, String)> {
        let given = |value: Option<&str>| value.map(str::trim).filter(|value| !value.is_empty()).map(str::to_owned);
        let event = given(event);
        if let Some(name) = &event
            && !AuditEvent::ALL.iter().any(|known| known.name() == name)
        {
            return Err(("event", format!("There is no kind of event named {name:?}.")));
        }
        let moment = |field: &'static str, value: Option<&str>, end_of_day: bool| match given(value) {
            None => Ok(None),
            Some(text) => Micros::parse(&text, end_of_day).map(Some).ok_or_else(|| {
                (field, format!("{text:?} is not a date (2026-12-03) or a time (2026-12-03T08:00:00Z)."))
            }),
        };
        Ok(Self {
            username: given(username),
            event,
            client_address: given(client_address),
            from: moment("from", from, false)?,
            until: moment("until", until, true)?,
        })
    }
}

/// Where a page of the trail ends: the next page starts after this event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditCursor {
    pub occurred_on: Micros,
    pub event_id: i64,
}

impl AuditCursor {
    /// The cursor as an address carries it: `time.id`.
    pub fn encode(self) -> String {
        format!("{}.{}", self.occurred_on.0, self.event_id)
    }

    pub fn decode(text: &str) -> Option<Self> {
        let (time, id) = text.split_once('.')?;
        Some(Self { occurred_on: Micros(time.parse().ok()?), event_id: id.parse().ok()? })
    }
}

/// One recorded event.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRecord {
    pub event_id: i64,
    pub occurred_on: Micros,
    pub event: String,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub client_address: Option<String>,
    pub detail: Option<String>,
    /// How many times it happened: throttled attempts are one row a minute per client.
    pub repeats: i64,
    pub last_occurred_on: Option<Micros>,
}

impl AuditRecord {
    pub fn cursor(&self) -> AuditCursor {
        AuditCursor { occurred_on: self.occurred_on, event_id: self.event_id }
    }
}

impl Accounts {
    /// Up to `limit` events matching `query`, newest first, after `after` when given.
    pub async fn audit_trail(
        &self,
        query: &AuditQuery,
        after: Option<AuditCursor>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, AccountError> {
        Ok(on_pool!(&self.db, |pool| {
            let mut sql = sqlx::QueryBuilder::new(
                "SELECT event_id, occurred_on, event, user_id, username, client_address, detail, repeats, \
                 last_occurred_on FROM audit_events WHERE 1 = 1",
            );
            if let Some(username) = &query.username {
                sql.push(" AND username = ").push_bind(username.clone());
            }
            if let Some(event) = &query.event {
                sql.push(" AND event = ").push_bind(event.clone());
            }
            if let Some(address) = &query.client_address {
                sql.push(" AND client_address = ").push_bind(address.clone());
            }
            if let Some(from) = query.from {
                sql.push(" AND occurred_on >= ").push_bind(from);
            }
            if let Some(until) = query.until {
                sql.push(" AND occurred_on < ").push_bind(until);
            }
            if let Some(after) = after {
                // The plain range first, which an index on time can seek to; the OR alone would
                // make every page read all the pages before it.
                sql.push(" AND occurred_on <= ").push_bind(after.occurred_on);
                sql.push(" AND (occurred_on < ").push_bind(after.occurred_on);
                sql.push(" OR event_id < ").push_bind(after.event_id).push(")");
            }
            sql.push(" ORDER BY occurred_on DESC, event_id DESC LIMIT ").push_bind(limit);
            sql.build_query_as().fetch_all(pool).await?
        }))
    }
}
