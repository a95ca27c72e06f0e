//! The values the accounts core hands out: accounts, sessions, memberships, pages of listings,
//! and what the server knows of the client asking. Plain data, no queries.

use crate::ssr::{
    clock::Micros,
    session::{DeviceCookies, DeviceToken, SessionToken},
};

/// An account as its owner may see it. Carries no password hash, so it can go anywhere.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub user_id: i64,
    pub username: String,
    pub email: String,
    pub created_on: Micros,
    pub last_modified_on: Micros,
    pub last_login_on: Option<Micros>,
    pub password_expires_on: Option<Micros>,
}

impl User {
    /// Whether the account's password has passed its expiry and must be renewed.
    pub fn password_expired(&self, now: Micros) -> bool {
        self.password_expires_on.is_some_and(|expiry| expiry <= now)
    }
}

/// The account behind a request's session cookie, and that cookie's token.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user: User,
    pub token: SessionToken,
    /// The request's other session cookies: a browser can hold cookies planted beside its own.
    /// Logging out ends them too, so that a planted live session cannot outlive the logout of
    /// the real one (or be the one that ends instead of it).
    pub other_tokens: Vec<SessionToken>,
    /// When the password was last typed in this session (its login, or a confirmation since):
    /// administrative acts need it recent.
    pub confirmed_on: Micros,
    /// Whether the account manages the default group, as of this request: what the pages show.
    /// Every administrative act asks the database again.
    pub is_administrator: bool,
    /// The application password the session was started with: an API session, which the pages
    /// treat as signed out and which cannot change how the account is protected.
    pub application_password_id: Option<i64>,
}

impl SignedIn {
    /// Refuses a session started with an application password: for what only the account's
    /// password may do (change it, delete the account, confirm an administrative act, manage
    /// application passwords).
    pub fn refuse_application_session(&self) -> Result<(), crate::error::AccountError> {
        match self.application_password_id {
            Some(_) => Err(crate::error::AccountError::ApplicationSession),
            None => Ok(()),
        }
    }
}

/// One live session of an account, as its owner may see it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionInfo {
    /// The session's stored token hash: it names the session but cannot be used as a token.
    pub token_hash: Vec<u8>,
    pub created_on: Micros,
    pub last_seen_on: Micros,
    pub expires_on: Micros,
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
    /// The name of the application password the session was started with, if any.
    pub application_password: Option<String>,
}

impl SessionInfo {
    /// The session's public id: its token hash in hex.
    pub fn id(&self) -> String {
        hex::encode(&self.token_hash)
    }

    /// The id of the session a token opens.
    pub fn id_of(token: &SessionToken) -> String {
        hex::encode(token.hash())
    }
}

/// One group an account belongs to, with what it may do there.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Membership {
    pub group_id: i64,
    pub group_name: String,
    pub can_read: bool,
    pub can_write: bool,
    pub can_share_read: bool,
    pub can_share_write: bool,
    pub is_owner: bool,
    pub is_admin: bool,
}

/// A group with its creator and its first members (deleted accounts included, as in Dioptra).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupDetails {
    pub group_id: i64,
    pub name: String,
    pub creator_id: i64,
    pub creator_username: String,
    /// Seen by every account; a private group is seen by its members alone.
    pub is_public: bool,
    /// The group every account belongs to (`public`), which cannot be renamed or deleted.
    pub is_default: bool,
    pub created_on: Micros,
    pub last_modified_on: Micros,
    /// The first members, in the order they joined, up to the limit the caller asked for.
    pub members: Vec<GroupMember>,
    /// Whether the group has more members than `members` lists.
    pub more_members: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct GroupMember {
    pub group_id: i64,
    pub group_name: String,
    pub user_id: i64,
    pub username: String,
    pub can_read: bool,
    pub can_write: bool,
    pub can_share_read: bool,
    pub can_share_write: bool,
    pub is_owner: bool,
    pub is_admin: bool,
    /// Deleted accounts stay listed as members, as in Dioptra.
    pub is_deleted: bool,
}

/// One page of a listing, and how many items match in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub total: i64,
    pub items: Vec<T>,
}

/// Who is asking, as far as the server can tell; recorded with each session.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub address: Option<String>,
    pub user_agent: Option<String>,
    /// The device tokens the client sent (see [`DeviceToken`]): proof, once looked up, that it
    /// has logged in to an account before. Never recorded.
    pub devices: Vec<DeviceToken>,
}

/// The client's address as the server's middleware determined it (the peer, or what a trusted
/// proxy says the peer was).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub std::net::IpAddr);

impl ClientInfo {
    /// The operator's command line, which has no client address.
    pub fn operator() -> Self {
        Self { address: None, user_agent: Some("dioptra-accounts command line".into()), devices: Vec::new() }
    }

    /// The client's address, a bounded copy of its user agent, and its device cookies (which the
    /// session middleware read).
    pub fn of_request(headers: &http::HeaderMap, extensions: &http::Extensions) -> Self {
        let address = extensions.get::<ClientAddress>().map(|client| client.0.to_string());
        let user_agent = headers
            .get(http::header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(|agent| agent.chars().take(512).collect());
        let devices = extensions.get::<DeviceCookies>().map(|cookies| cookies.0.clone()).unwrap_or_default();
        Self { address, user_agent, devices }
    }
}
