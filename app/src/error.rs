//! The one error type that crosses the wire between the server functions and the forms.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

use crate::domain::FieldErrors;

/// What can go wrong with an account action, as a user should hear it. Details of internal
/// failures stay in the server's log; the browser only ever sees these messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AccountError {
    /// Input that breaks a rule; each message belongs next to its field.
    #[error("Please correct the highlighted fields.")]
    Invalid(FieldErrors),
    /// A username or email address that another account (live or deleted) already has.
    #[error("Please correct the highlighted fields.")]
    Taken(FieldErrors),
    /// The same answer for an unknown username and a wrong password, so that a login form cannot
    /// be used to find out which accounts exist.
    #[error("Invalid username or password.")]
    InvalidCredentials,
    #[error("You are not logged in.")]
    Unauthenticated,
    /// The password given to confirm an action (deleting the account) is wrong.
    #[error("Password authentication failed.")]
    WrongPassword,
    /// The current password given for a password change is wrong.
    #[error("Invalid Current Password.")]
    WrongCurrentPassword,
    #[error("New password matches old password.")]
    PasswordUnchanged,
    #[error("Password expired.")]
    PasswordExpired,
    #[error("There is no such user.")]
    UserNotFound,
    #[error("There is no such group.")]
    GroupNotFound,
    /// A group action refused by the rules of groups (see [`GroupRefusal`]).
    #[error("{0}")]
    Group(GroupRefusal),
    /// The session to end is not one of the caller's live sessions.
    #[error("There is no such session.")]
    SessionNotFound,
    /// Self-service signup is closed on this deployment; an operator creates accounts.
    #[error("Signup is closed on this deployment. Ask an administrator to create your account.")]
    SignupClosed,
    /// Too many failed attempts (or signups) from this client or against this account: the
    /// caller may try again after `retry_after_secs`.
    #[error("Too many attempts. Try again in {}.", wait_words(*retry_after_secs))]
    TooManyAttempts { retry_after_secs: u64 },
    /// A request the server could not read (a missing or malformed argument).
    #[error("The request could not be understood: {0}")]
    BadRequest(String),
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The account database cannot be reached just now.
    #[error("The account database cannot be reached. Please try again shortly.")]
    Unavailable,
    /// A query ran past the database's time budget and was stopped (a search over very many
    /// accounts, or a database too busy to answer in time).
    #[error(
        "The database took too long to answer, so the request was stopped. Try a narrower search, or try again later."
    )]
    TooSlow,
    /// Every place in the queue for password checks is taken (a storm of logins): the caller may
    /// try again after `retry_after_secs`.
    #[error("The server is checking very many passwords just now. Try again in {}.", wait_words(*retry_after_secs))]
    Busy { retry_after_secs: u64 },
    /// Every place for a listing is taken (a listing counts, and a search may read, every
    /// account, so only a few run at once): the caller may try again in a second.
    #[error("{}", server_only::LISTINGS_BUSY)]
    ListingsBusy,
    /// The browser could not reach the server or read its answer.
    #[error("Could not reach the server. Check your connection and try again.")]
    Transport,
    /// An administrator has disabled the account. Said only after a correct password, so it
    /// tells an attacker nothing.
    #[error("This account has been disabled. Ask an administrator to enable it.")]
    AccountDisabled,
    /// The caller is not an administrator (a manager of the default group).
    #[error("Only administrators can do this.")]
    NotAdministrator,
    /// An administrative act needs the administrator's password entered within the last few
    /// minutes on this session ("sudo mode"), and it was not.
    #[error("{}", server_only::CONFIRMATION_NEEDED)]
    ConfirmationNeeded,
    /// An administrative act that cannot be done to this account, or is done already; the
    /// sentence says which and why.
    #[error("{0}")]
    AdminRefused(String),
    /// A password reset link that was used already, replaced by a newer one, or has expired.
    #[error("{}", server_only::RESET_LINK_INVALID)]
    ResetLinkInvalid,
    /// The application password to revoke is not one of the account's (revoked already, say).
    #[error("There is no such application password.")]
    ApplicationPasswordNotFound,
    /// A session started with an application password may use the REST API, but not change how
    /// the account is protected.
    #[error("{}", server_only::APPLICATION_SESSION)]
    ApplicationSession,
    /// The account has a second factor, which the REST API's login cannot ask for. Said only
    /// after the right password.
    #[error("{}", server_only::USE_APPLICATION_PASSWORD)]
    UseApplicationPassword,
    /// A wrong (or already used) authenticator code or recovery code.
    #[error("{}", server_only::WRONG_CODE)]
    WrongCode,
    /// The login that waited for its second factor has timed out or had too many wrong codes.
    #[error("{}", server_only::LOGIN_TIMED_OUT)]
    LoginTimedOut,
    /// A passkey ceremony that failed (timed out, or the browser's answer was refused); the
    /// sentence says which.
    #[error("{0}")]
    Passkey(String),
}

/// The sentences of errors that only the server's plain pages and the REST API show: no island
/// ever receives them. The WASM carries one short stand-in for all of them instead, because the
/// bundle has a size budget (150 KiB brotli) and every sentence in it counts.
mod server_only {
    macro_rules! sentences {
        ($($name:ident = $sentence:expr;)*) => {$(
            #[cfg(not(target_arch = "wasm32"))]
            pub const $name: &str = $sentence;
            #[cfg(target_arch = "wasm32")]
            pub const $name: &str = "Something went wrong on our side. Please try again.";
        )*};
    }

    sentences! {
        CONFIRMATION_NEEDED =
            "Enter your password again to confirm: administrative acts need it entered within the last 10 minutes.";
        RESET_LINK_INVALID = "This reset link no longer works: it was used already, replaced by a newer one, or has \
            expired. Ask an administrator for a new one.";
        APPLICATION_SESSION =
            "A session started with an application password cannot do this. Log in with your password.";
        USE_APPLICATION_PASSWORD =
            "This account has a second factor: scripts log in with an application password, made on the account page.";
        WRONG_CODE = "That code is not right. Try the app's current code, or a recovery code you have not used.";
        LOGIN_TIMED_OUT = "This login has timed out. Log in again with your password.";
        LISTINGS_BUSY = "The server is answering very many listings and searches just now. Try again in a moment.";
    }
}

impl AccountError {
    /// The HTTP status a JSON caller gets for this error; never a 5xx for bad input.
    pub fn status_code(&self) -> u16 {
        match self {
            AccountError::Invalid(_) | AccountError::BadRequest(_) | AccountError::Passkey(_) => 400,
            AccountError::Group(refusal) => refusal.status_code(),
            AccountError::InvalidCredentials
            | AccountError::Unauthenticated
            | AccountError::WrongPassword
            | AccountError::PasswordExpired
            | AccountError::UseApplicationPassword
            | AccountError::WrongCode
            | AccountError::LoginTimedOut => 401,
            AccountError::WrongCurrentPassword
            | AccountError::PasswordUnchanged
            | AccountError::SignupClosed
            | AccountError::AccountDisabled
            | AccountError::NotAdministrator
            | AccountError::ConfirmationNeeded
            | AccountError::ApplicationSession => 403,
            AccountError::AdminRefused(_) => 409,
            AccountError::UserNotFound
            | AccountError::GroupNotFound
            | AccountError::SessionNotFound
            | AccountError::ResetLinkInvalid
            | AccountError::ApplicationPasswordNotFound => 404,
            AccountError::Taken(_) => 409,
            AccountError::TooManyAttempts { .. } => 429,
            AccountError::Internal | AccountError::Transport => 500,
            AccountError::Unavailable
            | AccountError::TooSlow
            | AccountError::Busy { .. }
            | AccountError::ListingsBusy => 503,
        }
    }

    /// How long the caller should wait before trying again (`Retry-After`), for the errors that
    /// say so.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AccountError::TooManyAttempts { retry_after_secs } | AccountError::Busy { retry_after_secs } => {
                Some(*retry_after_secs)
            }
            AccountError::ListingsBusy => Some(1),
            _ => None,
        }
    }

    pub fn field_errors(&self) -> Option<&FieldErrors> {
        match self {
            AccountError::Invalid(errors) | AccountError::Taken(errors) => Some(errors),
            _ => None,
        }
    }
}

/// Why a group action was refused, with the class name Dioptra gives the same refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum GroupRefusal {
    /// The caller is not the group's `owner`, or not one of its admins (`admin`): 403.
    #[error("Only the group's {} can do this.", if permission == "owner" { "owner" } else { "owner or its admins" })]
    NotPermitted { group_id: i64, permission: String },
    /// The caller already has a group of this name (deleted ones keep theirs): 409.
    #[error("You already have a group named \"{name}\".")]
    NameTaken { name: String },
    /// 409.
    #[error("{username} is already a member of this group.")]
    AlreadyMember { group_id: i64, user_id: i64, username: String },
    /// The account is not a member of the group (or not a live account): 404.
    #[error("That account is not a member of this group.")]
    NotAMember { group_id: i64, user_id: i64 },
    /// A permission given without one it needs; `flag` is the API's name of the first: 400.
    #[error("{sentence}")]
    Flags { flag: String, sentence: String },
    /// Any other rule, with Dioptra's class for it: 400.
    #[error("{sentence}")]
    Rule { class: RuleClass, sentence: String },
}

/// Dioptra's error classes for the group rules a request can break (all answered 400).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleClass {
    /// Dioptra's generic class; used for what the default group does not allow.
    DioptraError,
    /// A manager (here: the owner) cannot simply leave or be removed.
    UserIsManagerError,
    /// A group always has its owner.
    GroupNeedsAManagerError,
    /// An account has created as many groups as it may.
    GroupLimitError,
}

impl RuleClass {
    pub fn name(self) -> &'static str {
        match self {
            RuleClass::DioptraError => "DioptraError",
            RuleClass::UserIsManagerError => "UserIsManagerError",
            RuleClass::GroupNeedsAManagerError => "GroupNeedsAManagerError",
            RuleClass::GroupLimitError => "GroupLimitError",
        }
    }
}

impl GroupRefusal {
    pub fn status_code(&self) -> u16 {
        match self {
            GroupRefusal::NotPermitted { .. } => 403,
            GroupRefusal::NotAMember { .. } => 404,
            GroupRefusal::NameTaken { .. } | GroupRefusal::AlreadyMember { .. } => 409,
            GroupRefusal::Flags { .. } | GroupRefusal::Rule { .. } => 400,
        }
    }

    pub fn rule(class: RuleClass, sentence: impl Into<String>) -> AccountError {
        AccountError::Group(GroupRefusal::Rule { class, sentence: sentence.into() })
    }
}

impl From<GroupRefusal> for AccountError {
    fn from(refusal: GroupRefusal) -> Self {
        AccountError::Group(refusal)
    }
}

/// "1 second", "40 seconds", "3 minutes": how long to wait, as a person would say it.
fn wait_words(secs: u64) -> String {
    match secs {
        0..=1 => "1 second".into(),
        2..=119 => format!("{secs} seconds"),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

impl From<FieldErrors> for AccountError {
    fn from(errors: FieldErrors) -> Self {
        AccountError::Invalid(errors)
    }
}

impl FromServerFnError for AccountError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        match error {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) | ServerFnErrorErr::Deserialization(_) => {
                AccountError::Transport
            }
            ServerFnErrorErr::Args(reason) => AccountError::BadRequest(reason),
            ServerFnErrorErr::MissingArg(name) => AccountError::BadRequest(format!("missing field {name}")),
            ServerFnErrorErr::UnsupportedRequestMethod(reason) => AccountError::BadRequest(reason),
            ServerFnErrorErr::Registration(_)
            | ServerFnErrorErr::ServerError(_)
            | ServerFnErrorErr::MiddlewareError(_)
            | ServerFnErrorErr::Serialization(_) => AccountError::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Field;

    #[test]
    fn every_variant_survives_a_json_round_trip() {
        for error in [
            AccountError::Invalid(FieldErrors::single(Field::Username, "Username is already taken")),
            AccountError::InvalidCredentials,
            AccountError::Unauthenticated,
            AccountError::BadRequest("missing field email".into()),
            AccountError::Internal,
            AccountError::TooSlow,
            AccountError::Busy { retry_after_secs: 1 },
            AccountError::ListingsBusy,
            AccountError::Transport,
            AccountError::AccountDisabled,
            AccountError::ConfirmationNeeded,
            AccountError::AdminRefused("The account is disabled already.".into()),
            AccountError::ResetLinkInvalid,
        ] {
            let bytes = error.ser();
            assert_eq!(AccountError::de(bytes), error);
        }
    }

    #[test]
    fn bad_input_is_never_answered_with_a_server_error_status() {
        assert_eq!(AccountError::Invalid(FieldErrors::new()).status_code(), 400);
        assert_eq!(AccountError::BadRequest(String::new()).status_code(), 400);
        assert_eq!(AccountError::InvalidCredentials.status_code(), 401);
        let missing = AccountError::from_server_fn_error(ServerFnErrorErr::MissingArg("email".into()));
        assert_eq!(missing.status_code(), 400);
    }
}
