//! Reading a JSON object of mixed types (strings, booleans, integers) as Dioptra's schemas do:
//! each problem reported at its field (`Unknown field.`, `Not a valid boolean.`, `Missing data
//! for required field.`), all of them at once.

use axum::{body::Bytes, http::StatusCode};
use serde_json::{Map, Value, json};

use super::errors::{ApiError, BAD_BODY, INPUT_INVALID};

/// A request body's fields, taken one by one; [`JsonObject::finish`] reports every problem met.
pub struct JsonObject {
    fields: Map<String, Value>,
    errors: Map<String, Value>,
}

impl JsonObject {
    /// Reads `body`, which must be a JSON object whose keys are all among `known`.
    pub fn read(body: &Bytes, known: &[&str]) -> Result<Self, ApiError> {
        let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
            return Err(ApiError::plain(StatusCode::BAD_REQUEST, BAD_BODY));
        };
        let mut errors = Map::new();
        for key in fields.keys().filter(|key| !known.contains(&key.as_str())) {
            errors.insert(key.clone(), json!(["Unknown field."]));
        }
        Ok(Self { fields, errors })
    }

    fn take<T>(&mut self, key: &str, required: bool, kind: &str, read: impl Fn(&Value) -> Option<T>) -> Option<T> {
        match self.fields.get(key) {
            None if required => {
                self.errors.insert(key.to_owned(), json!(["Missing data for required field."]));
                None
            }
            None => None,
            Some(value) => {
                let read = read(value);
                if read.is_none() {
                    self.errors.insert(key.to_owned(), json!([format!("Not a valid {kind}.")]));
                }
                read
            }
        }
    }

    pub fn string(&mut self, key: &str) -> Option<String> {
        self.take(key, true, "string", |value| value.as_str().map(str::to_owned))
    }

    pub fn optional_string(&mut self, key: &str) -> Option<String> {
        self.take(key, false, "string", |value| value.as_str().map(str::to_owned))
    }

    pub fn integer(&mut self, key: &str) -> Option<i64> {
        self.take(key, true, "integer", Value::as_i64)
    }

    pub fn optional_integer(&mut self, key: &str) -> Option<i64> {
        self.take(key, false, "integer", Value::as_i64)
    }

    pub fn optional_boolean(&mut self, key: &str) -> Option<bool> {
        self.take(key, false, "boolean", Value::as_bool)
    }

    /// Fails with every problem met; `Ok` only if there were none.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            return Ok(());
        }
        let summary: Vec<String> =
            self.errors.iter().map(|(key, value)| format!("{key}: {}", value[0].as_str().unwrap_or(""))).collect();
        Err(ApiError::Fields { errors: self.errors, message: format!("{INPUT_INVALID}: {}", summary.join("; ")) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(body: &str, read: impl FnOnce(&mut JsonObject)) -> Value {
        let mut object = JsonObject::read(&Bytes::from(body.to_owned()), &["name", "public", "user"]).unwrap();
        read(&mut object);
        match object.finish() {
            Ok(()) => Value::Null,
            Err(ApiError::Fields { errors, .. }) => Value::Object(errors),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_problem_is_reported_at_its_field() {
        let found = errors(r#"{"public": "yes", "extra": 1, "user": 1.5}"#, |object| {
            object.string("name");
            object.optional_boolean("public");
            object.integer("user");
        });
        assert_eq!(
            found,
            json!({
                "name": ["Missing data for required field."],
                "public": ["Not a valid boolean."],
                "extra": ["Unknown field."],
                "user": ["Not a valid integer."],
            })
        );
    }

    #[test]
    fn a_body_that_is_not_an_object_is_unreadable() {
        for body in ["[]", "\"name\"", "{", ""] {
            assert!(JsonObject::read(&Bytes::from(body), &["name"]).is_err(), "{body}");
        }
    }
}
