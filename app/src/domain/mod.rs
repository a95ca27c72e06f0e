//! The rules of what a username, an email address and a password may be, and the forms built from
//! them. Pure Rust with no I/O and no feature flags: the same code runs in the browser (to show an
//! error as soon as a field is left) and again on the server (which trusts nothing it receives).

mod email;
mod fields;
mod forms;
mod group;
mod password;
mod search;
mod text;
mod username;

pub use email::EmailAddress;
pub use fields::{Field, FieldErrors};
pub use forms::{
    Credentials, LoginForm, PasswordChangeForm, PasswordResetForm, ProfileForm, RegisterForm, Registration,
};
pub use group::{BrokenImplication, GroupName, MAX_GROUP_NAME_CHARS, MemberFlags};
pub use password::{NewPassword, PasswordPolicy, TypedPassword};
pub use search::{MAX_SEARCH_CHARS, MAX_SEARCH_TERMS, SearchError, SearchTerm, check_fields, parse_search};
pub use text::{fold_case, is_format_character, nfc};
pub use username::{Username, username_key};

/// The message for a field left empty, in the words of Dioptra's GUI.
pub const REQUIRED: &str = "This field is required";
