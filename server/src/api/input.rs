//! Reading requests as Dioptra's schemas do: JSON objects of strings with unknown keys refused,
//! paging parameters with their bounds, the signed-in user, and integer ids.

use std::collections::HashMap;

use app::{
    domain::{SearchError, SearchTerm, check_fields, parse_search},
    ssr::accounts::{ClientInfo, SignedIn},
};
use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Query},
    http::{StatusCode, request::Parts},
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::{
    errors::{ApiError, BAD_BODY, INPUT_INVALID},
    shapes::PageBody,
};

/// The largest `pageLength` a client may ask for (Dioptra's `DIOPTRA_MAX_PAGE_SIZE` default).
pub const MAX_PAGE_LENGTH: i64 = 1000;

/// Reads a JSON object of strings into `T` (one of the request types in `shapes.rs`), checking it
/// first as Dioptra's schemas do so that every problem gets its field and message: each of
/// `fields` is required and must be a string, and any other key is refused.
pub fn read_body<T: DeserializeOwned>(body: &Bytes, fields: &[&'static str]) -> Result<T, ApiError> {
    let values = string_fields(body, fields)?;
    let object = values.into_iter().map(|(key, value)| (key.to_owned(), Value::String(value))).collect();
    serde_json::from_value(Value::Object(object)).map_err(|_| ApiError::plain(StatusCode::BAD_REQUEST, BAD_BODY))
}

fn string_fields(body: &Bytes, required: &[&'static str]) -> Result<HashMap<&'static str, String>, ApiError> {
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
        return Err(ApiError::plain(StatusCode::BAD_REQUEST, BAD_BODY));
    };
    let mut errors = Map::new();
    let mut values = HashMap::new();
    for (key, value) in &object {
        match required.iter().find(|known| *known == key) {
            None => {
                errors.insert(key.clone(), json!(["Unknown field."]));
            }
            Some(known) => match value {
                Value::String(text) => {
                    values.insert(*known, text.clone());
                }
                _ => {
                    errors.insert(key.clone(), json!(["Not a valid string."]));
                }
            },
        }
    }
    for key in required {
        if !object.contains_key(*key) {
            errors.insert((*key).to_owned(), json!(["Missing data for required field."]));
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        let summary: Vec<String> =
            errors.iter().map(|(k, v)| format!("{k}: {}", v[0].as_str().unwrap_or(""))).collect();
        Err(ApiError::Fields { errors, message: format!("{INPUT_INVALID}: {}", summary.join("; ")) })
    }
}

/// `?index=&pageLength=&search=` of a collection.
pub struct Paging {
    pub index: i64,
    pub page_length: i64,
    pub search: String,
    pub terms: Vec<SearchTerm>,
}

impl Paging {
    /// Parses the paging parameters; `searchable` lists the fields a search may name.
    pub fn parse(query: &HashMap<String, String>, searchable: &[&str]) -> Result<Self, ApiError> {
        Self::parse_with_default(query, searchable, 10)
    }

    /// Like [`Paging::parse`], with pages of `default_length` unless `pageLength` says otherwise.
    pub fn parse_with_default(
        query: &HashMap<String, String>,
        searchable: &[&str],
        default_length: i64,
    ) -> Result<Self, ApiError> {
        let mut errors = Map::new();
        let mut integer = |name: &str, default: i64, min: i64, max: i64| -> i64 {
            let Some(raw) = query.get(name) else { return default };
            match raw.trim().parse::<i64>() {
                Err(_) => {
                    errors.insert(name.to_owned(), json!(["Not a valid integer."]));
                    default
                }
                Ok(value) if value < min => {
                    errors.insert(name.to_owned(), json!([format!("Must be greater than or equal to {min}.")]));
                    default
                }
                Ok(value) if value > max => {
                    errors.insert(name.to_owned(), json!([format!("Must be <= {max}")]));
                    default
                }
                Ok(value) => value,
            }
        };
        let index = integer("index", 0, 0, i64::MAX);
        let page_length = integer("pageLength", default_length, 1, MAX_PAGE_LENGTH);
        if !errors.is_empty() {
            return Err(ApiError::Fields { errors, message: INPUT_INVALID.to_owned() });
        }
        let search = query.get("search").cloned().unwrap_or_default();
        let refuse = |e: SearchError| {
            if e.over_limit {
                // Like a parameter out of its bounds (`pageLength`): a 400 naming the field.
                let message = format!("{INPUT_INVALID}: search: {}", e.sentence());
                ApiError::Fields {
                    errors: [("search".to_owned(), json!([e.sentence()]))].into_iter().collect(),
                    message,
                }
            } else {
                ApiError::search(&search, &e.reason)
            }
        };
        let terms = parse_search(&search).map_err(refuse)?;
        check_fields(&terms, searchable).map_err(refuse)?;
        Ok(Self { index, page_length, search, terms })
    }

    /// Dioptra's paging envelope around `data`.
    pub fn envelope<T>(&self, path: &str, total: i64, data: Vec<T>) -> PageBody<T> {
        let link = |index: i64| {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.append_pair("index", &index.to_string()).append_pair("pageLength", &self.page_length.to_string());
            if !self.search.is_empty() {
                query.append_pair("search", &self.search);
            }
            format!("{path}?{}", query.finish())
        };
        let is_complete = total <= self.index.saturating_add(self.page_length);
        PageBody {
            index: self.index,
            is_complete,
            total_num_results: total,
            first: link(0),
            next: (!is_complete).then(|| link(self.index + self.page_length)),
            prev: (self.index > 0).then(|| link((self.index - self.page_length).max(0))),
            data,
        }
    }
}

/// The query string as a map; a repeated key keeps its last value. An unreadable query string
/// is Dioptra's plain 400 rather than axum's text answer.
pub struct QueryMap(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryMap {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map(|Query(map)| QueryMap(map))
            .map_err(|_| ApiError::plain(StatusCode::BAD_REQUEST, BAD_BODY))
    }
}

impl std::ops::Deref for QueryMap {
    type Target = HashMap<String, String>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// The raw request body, within the API's size limit; too large a body is a JSON 413. A body must
/// be declared JSON (`Content-Type: application/json`, as Dioptra's client sends it): a form or
/// `text/plain` post, which a browser sends cross-site without asking, is a 415.
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let declared_json = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<mime::Mime>().ok())
            .is_some_and(|mime| {
                mime.type_() == mime::APPLICATION && (mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON))
            });
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::plain(StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE)
            } else {
                ApiError::plain(StatusCode::BAD_REQUEST, BAD_BODY)
            }
        })?;
        if !bytes.is_empty() && !declared_json {
            return Err(ApiError::plain(StatusCode::UNSUPPORTED_MEDIA_TYPE, NOT_JSON));
        }
        Ok(Body(bytes))
    }
}

pub const TOO_LARGE: &str = "The request body is too large.";
pub const NOT_JSON: &str = "The request body must be JSON, sent with Content-Type: application/json.";

/// The user behind the request's session; a request without one is refused with 401.
pub struct Authenticated(pub SignedIn);

impl<S: Send + Sync> FromRequestParts<S> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<SignedIn>().cloned().map(Authenticated).ok_or_else(ApiError::not_logged_in)
    }
}

/// Who is asking: the client's address and user agent, for the guessing counters and the audit
/// trail.
pub struct Client(pub ClientInfo);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Client(ClientInfo::of_request(&parts.headers, &parts.extensions)))
    }
}

/// The session, if there is one (for routes that work either way).
pub fn signed_in(parts: &axum::http::Extensions) -> Option<SignedIn> {
    parts.get::<SignedIn>().cloned()
}

/// An id from the path; anything that is not a positive integer that fits names no resource.
pub fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::plain(StatusCode::NOT_FOUND, super::errors::NOT_FOUND))
}
