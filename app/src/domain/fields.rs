use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A form field that can carry an error. Serialised with the API's camelCase names, so the same
/// map answers both the form and a JSON client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Field {
    Username,
    Email,
    Password,
    ConfirmPassword,
    OldPassword,
    NewPassword,
    ConfirmNewPassword,
    GroupName,
    /// The name its owner gives a credential: an application password, a passkey.
    CredentialName,
    Code,
    RecoveryCode,
}

impl Field {
    /// The `name` of the field's `<input>`, which is also the server function's argument name.
    pub fn input_name(self) -> &'static str {
        match self {
            Field::Username => "username",
            Field::Email => "email",
            Field::Password => "password",
            Field::ConfirmPassword => "confirm_password",
            Field::OldPassword => "old_password",
            Field::NewPassword => "new_password",
            Field::ConfirmNewPassword => "confirm_new_password",
            Field::GroupName | Field::CredentialName => "name",
            Field::Code => "code",
            Field::RecoveryCode => "recovery_code",
        }
    }
}

/// At most one message per field: the first rule a value breaks is the one worth fixing first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<Field, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: Field, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.insert(field, message);
        errors
    }

    /// Records `message` for `field` unless the field already has one.
    pub fn insert(&mut self, field: Field, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    pub fn remove(&mut self, field: Field) {
        self.0.remove(&field);
    }

    pub fn get(&self, field: Field) -> Option<&str> {
        self.0.get(&field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (Field, &str)> {
        self.0.iter().map(|(field, message)| (*field, message.as_str()))
    }

    /// Keeps the parsed value, or records the error against `field`.
    pub(crate) fn check<T>(&mut self, field: Field, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.insert(field, message);
                None
            }
        }
    }
}
