//! `/admin/audit`: the audit trail, newest first, fifty events to a page, narrowed by account,
//! kind of event, client address and dates; with links to download what the filters match as
//! CSV or JSON lines (the API's export). A GET form and GET links: no script.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{AdminNav, Section, administrator};
use crate::{
    pages::not_found::NotFound,
    ssr::accounts::{AuditCursor, AuditEvent, AuditQuery, AuditRecord},
};

const EVENTS_PAGE: i64 = 50;

/// The filter form's fields as typed, in the names the API's export takes.
#[derive(Clone, Default)]
struct Fields {
    username: String,
    event: String,
    client_address: String,
    from: String,
    until: String,
}

impl Fields {
    fn query_string(&self) -> form_urlencoded::Serializer<'static, String> {
        let mut pairs = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("username", &self.username),
            ("event", &self.event),
            ("clientAddress", &self.client_address),
            ("from", &self.from),
            ("until", &self.until),
        ] {
            if !value.trim().is_empty() {
                pairs.append_pair(name, value);
            }
        }
        pairs
    }
}

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let query = use_query_map();
    let (fields, after) = query.with_untracked(|q| {
        let get = |name: &str| q.get(name).unwrap_or_default();
        let fields = Fields {
            username: get("username"),
            event: get("event"),
            client_address: get("clientAddress"),
            from: get("from"),
            until: get("until"),
        };
        (fields, q.get("after").as_deref().and_then(AuditCursor::decode))
    });
    view! {
        <Title text="Audit trail · Administration"/>
        <Suspense>
            {Suspend::new(async move {
                if administrator().is_none() {
                    return view! { <NotFound/> }.into_any();
                }
                let parsed = AuditQuery::parse(
                    Some(&fields.username),
                    Some(&fields.event),
                    Some(&fields.client_address),
                    Some(&fields.from),
                    Some(&fields.until),
                );
                let listing = match parsed {
                    Ok(filters) => crate::ssr::accounts()
                        .audit_trail(&filters, after, EVENTS_PAGE)
                        .await
                        .map_err(|error| error.to_string()),
                    Err((_, sentence)) => Err(sentence),
                };
                let (records, error) = match listing {
                    Ok(records) => (records, None),
                    Err(error) => (Vec::new(), Some(error)),
                };
                let full = i64::try_from(records.len()).unwrap_or(i64::MAX) == EVENTS_PAGE;
                let older = records.last().filter(|_| full).map(|last| {
                    format!("/admin/audit?{}", fields.query_string().append_pair("after", &last.cursor().encode()).finish())
                });
                let filtered = fields.query_string().finish();
                let newest = after.map(|_| format!("/admin/audit?{filtered}"));
                let export = |format: &str| {
                    format!("/api/v1/admin/audit/export?{}", fields.query_string().append_pair("format", format).finish())
                };
                let shown = match (records.len(), after.is_some()) {
                    (0, _) => "No events match.".to_owned(),
                    (1, false) => "The one event that matches".to_owned(),
                    (n, false) if full => format!("The {n} newest events that match"),
                    (n, false) => format!("The {n} events that match"),
                    (n, true) => format!("{n} older events that match"),
                };
                let no_records = records.is_empty();
                view! {
                    <section class="card card-table" aria-labelledby="audit-heading">
                        <h1 id="audit-heading">"Audit trail"</h1>
                        <AdminNav current=Section::Audit/>
                        {filter_form(&fields)}
                        {error.map(|e| view! { <p class="notice notice-error" role="alert">{e}</p> })}
                        <p class="export-links">
                            <a href=export("csv") download="">"Export CSV"</a>
                            <a href=export("jsonl") download="">"Export JSON lines"</a>
                        </p>
                        <p role="status">{shown}</p>
                        <div class="table-scroll" tabindex="0" role="region" aria-label="Audit events" hidden=no_records>
                            <table class="table">
                                <thead>
                                    <tr>
                                        <th scope="col" data-zone="Time">"Time (UTC)"</th>
                                        <th scope="col">"Event"</th>
                                        <th scope="col">"Account"</th>
                                        <th scope="col">"Client address"</th>
                                        <th scope="col">"Detail"</th>
                                    </tr>
                                </thead>
                                <tbody>{records.into_iter().map(event_row).collect_view()}</tbody>
                            </table>
                        </div>
                        <nav class="pager" aria-label="Pages of events">
                            {newest.map(|href| view! { <a href=href>"Newest"</a> })}
                            {older.map(|href| view! { <a href=href rel="next">"Older"</a> })}
                        </nav>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

fn filter_form(fields: &Fields) -> AnyView {
    let kinds = AuditEvent::ALL.iter().map(|kind| {
        let name = kind.name();
        view! { <option value=name selected=fields.event == name>{name.replace('_', " ")}</option> }
    });
    view! {
        <form class="filters" method="get" action="/admin/audit" role="search" aria-label="Filter the audit trail">
            <div class="field">
                <label for="audit-username">"Account"</label>
                <input id="audit-username" name="username" value=fields.username.clone() autocomplete="off"/>
            </div>
            <div class="field">
                <label for="audit-event">"Kind of event"</label>
                <select id="audit-event" name="event">
                    <option value="" selected=fields.event.is_empty()>"Any"</option>
                    {kinds.collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="audit-address">"Client address"</label>
                <input id="audit-address" name="clientAddress" value=fields.client_address.clone() autocomplete="off"/>
            </div>
            <div class="field">
                <label for="audit-from">"From"</label>
                <input id="audit-from" name="from" type="date" value=fields.from.clone()/>
            </div>
            <div class="field">
                <label for="audit-until">"Until"</label>
                <input id="audit-until" name="until" type="date" value=fields.until.clone()/>
            </div>
            <button class="button button-primary" type="submit">"Filter"</button>
        </form>
    }
    .into_any()
}

fn event_row(record: AuditRecord) -> AnyView {
    let when = record.occurred_on.to_minute_utc().trim_end_matches(" UTC").to_owned();
    let repeats = (record.repeats > 1).then(|| format!(" ({} times)", record.repeats));
    let account = match (record.username, record.user_id) {
        (Some(name), _) => name,
        (None, Some(id)) => format!("account {id}"),
        (None, None) => "—".to_owned(),
    };
    view! {
        <tr>
            <td><time datetime=record.occurred_on.to_rfc3339() data-local="">{when}</time></td>
            <td>{record.event.replace('_', " ")}{repeats}</td>
            <td>{account}</td>
            <td>{record.client_address.unwrap_or_default()}</td>
            <td class="detail">{record.detail.unwrap_or_default()}</td>
        </tr>
    }
    .into_any()
}
