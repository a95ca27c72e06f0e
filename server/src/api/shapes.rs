//! The JSON shapes of Dioptra's requests and responses, with its field names. Each is a type, so
//! that the OpenAPI document (`openapi.rs`) describes exactly what the handlers send and accept.

use app::{
    presentation::PermissionFlags,
    ssr::{
        accounts::{GroupDetails, GroupMember, Membership, User},
        clock::Micros,
    },
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `2026-11-29T08:04:32.230380+00:00`: microseconds and an explicit UTC offset, as Dioptra sends.
pub fn timestamp(micros: Micros) -> String {
    let at = micros.to_datetime();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.microsecond()
    )
}

/// What anyone signed in may see of an account.
#[derive(Serialize, ToSchema)]
pub struct UserBody {
    pub username: String,
    pub email: String,
    pub id: i64,
}

impl From<&User> for UserBody {
    fn from(user: &User) -> Self {
        Self { username: user.username.clone(), email: user.email.clone(), id: user.user_id }
    }
}

/// A reference to a group.
#[derive(Serialize, ToSchema, Clone)]
pub struct GroupRef {
    pub id: i64,
    pub name: String,
    /// e.g. `/api/v1/groups/1`
    pub url: String,
}

impl GroupRef {
    pub fn new(id: i64, name: &str) -> Self {
        Self { id, name: name.to_owned(), url: format!("/api/v1/groups/{id}") }
    }
}

/// A reference to an account.
#[derive(Serialize, ToSchema)]
pub struct UserRef {
    pub id: i64,
    pub username: String,
    /// e.g. `/api/v1/users/1`
    pub url: String,
}

impl UserRef {
    fn new(id: i64, username: &str) -> Self {
        Self { id, username: username.to_owned(), url: format!("/api/v1/users/{id}") }
    }
}

/// An account as its owner sees it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CurrentUserBody {
    pub username: String,
    pub email: String,
    pub id: i64,
    pub groups: Vec<GroupRef>,
    pub created_on: String,
    pub last_modified_on: String,
    /// `null` until the first login.
    pub last_login_on: Option<String>,
    /// `null` when passwords do not expire on this deployment.
    pub password_expires_on: Option<String>,
}

impl CurrentUserBody {
    pub fn new(user: &User, memberships: &[Membership]) -> Self {
        Self {
            username: user.username.clone(),
            email: user.email.clone(),
            id: user.user_id,
            groups: memberships.iter().map(|m| GroupRef::new(m.group_id, &m.group_name)).collect(),
            created_on: timestamp(user.created_on),
            last_modified_on: timestamp(user.last_modified_on),
            last_login_on: user.last_login_on.map(timestamp),
            password_expires_on: user.password_expires_on.map(timestamp),
        }
    }
}

// Serialized in field order: owner stays before admin, as the API has always sent it (the pages
// list admin first). A plain comment, as a doc comment would become the schema's description.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Permissions {
    pub read: bool,
    pub write: bool,
    pub share_read: bool,
    pub share_write: bool,
    pub owner: bool,
    pub admin: bool,
}

impl From<PermissionFlags> for Permissions {
    fn from(flags: PermissionFlags) -> Self {
        let PermissionFlags { read, write, share_read, share_write, admin, owner } = flags;
        Self { read, write, share_read, share_write, owner, admin }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MemberBody {
    pub user: UserRef,
    pub group: GroupRef,
    pub permissions: Permissions,
}

impl From<&GroupMember> for MemberBody {
    fn from(member: &GroupMember) -> Self {
        Self {
            user: UserRef::new(member.user_id, &member.username),
            group: GroupRef::new(member.group_id, &member.group_name),
            permissions: PermissionFlags::from(member).into(),
        }
    }
}

/// A group with its creator (`user`) and members: at most the first 1,000, in the order they
/// joined. A group with more also has `membersTruncated: true`; the users collection
/// (`GET /api/v1/users`) lists every live account, each of which is a member of `public`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupBody {
    pub name: String,
    pub id: i64,
    /// The creator.
    pub user: UserRef,
    /// Whether every account sees the group; a private group is seen by its members alone.
    pub public: bool,
    /// The first 1,000 members at most, in the order they joined.
    pub members: Vec<MemberBody>,
    /// Present, and true, only when the group has more members than `members` lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_truncated: Option<bool>,
    pub created_on: String,
    pub last_modified_on: String,
}

impl From<&GroupDetails> for GroupBody {
    fn from(group: &GroupDetails) -> Self {
        Self {
            name: group.name.clone(),
            id: group.group_id,
            user: UserRef::new(group.creator_id, &group.creator_username),
            public: group.is_public,
            members: group.members.iter().map(MemberBody::from).collect(),
            members_truncated: group.more_members.then_some(true),
            created_on: timestamp(group.created_on),
            last_modified_on: timestamp(group.last_modified_on),
        }
    }
}

/// One page of a collection.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageBody<T> {
    pub index: i64,
    pub is_complete: bool,
    pub total_num_results: i64,
    /// Link to the first page.
    pub first: String,
    /// Link to the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Link to the previous page; absent on the first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    pub data: Vec<T>,
}

/// A user's own sessions (`GET /api/v1/users/current/sessions`).
#[derive(Serialize, ToSchema)]
pub struct SessionsBody {
    pub sessions: Vec<SessionBody>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionBody {
    /// Names the session (for ending it); cannot be used to log in.
    pub id: String,
    /// Whether this is the session the request was made with.
    pub current: bool,
    pub created_on: String,
    /// When a request last used it (to the minute).
    pub last_seen_on: String,
    /// When it ends at the latest, however active.
    pub expires_on: String,
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StatusBody {
    /// `Password Change Success`
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct DeletedBody {
    pub id: Vec<i64>,
    /// `Success`
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginBody {
    /// As typed in the request.
    pub username: String,
    /// `Login successful`
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct LogoutBody {
    pub username: String,
    pub everywhere: bool,
    /// `Logout successful`
    pub status: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthBody {
    /// `healthy`, or `unhealthy` (with HTTP 503) when the database does not answer.
    pub status: String,
    pub version: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// Whether the database answered a query just now.
    pub database_reachable: bool,
}

// Request bodies. Every field is a string; unknown keys are refused. (Parsing goes through
// `input::string_fields`, which reports every problem the way Dioptra's schemas do; these types
// name the fields for it and for the OpenAPI document.)

/// Signup. `confirmPassword` must equal `password`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignupRequest {
    pub username: String,
    pub email: String,
    pub password: String,
    pub confirm_password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModifyUserRequest {
    pub username: String,
    pub email: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordChangeRequest {
    pub old_password: String,
    pub new_password: String,
    pub confirm_new_password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// A new group. `public` (default `true`): seen by every account; `false` makes a private group,
/// seen by its members alone. The name: 1 to 255 characters, no `:`, unique among the caller's
/// own groups (deleted ones included).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "describes requests in the OpenAPI document; the handlers read them with JsonObject")]
pub struct CreateGroupRequest {
    pub name: String,
    pub public: Option<bool>,
}

/// A group's new name (whether it is public cannot change).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "describes requests in the OpenAPI document; the handlers read them with JsonObject")]
pub struct RenameGroupRequest {
    pub name: String,
}

/// A new member: the account's id (`user`) and its permissions. Unnamed permissions are `false`,
/// but `read`, which is `true`; `write` and `shareRead` need `read`, `shareWrite` needs `write`.
/// `admin: true` is the owner's to give; `owner` cannot be given here (see the member's `PATCH`).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code, reason = "describes requests in the OpenAPI document; the handlers read them with JsonObject")]
pub struct AddMemberRequest {
    pub user: i64,
    pub read: Option<bool>,
    pub write: Option<bool>,
    pub share_read: Option<bool>,
    pub share_write: Option<bool>,
    pub admin: Option<bool>,
    pub owner: Option<bool>,
}

/// The permissions to change; those not named stay. `admin` is the owner's to give or take back;
/// `owner: true` (by the owner) makes the member the owner, and the caller an admin.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code, reason = "describes requests in the OpenAPI document; the handlers read them with JsonObject")]
pub struct ChangeMemberRequest {
    pub read: Option<bool>,
    pub write: Option<bool>,
    pub share_read: Option<bool>,
    pub share_write: Option<bool>,
    pub admin: Option<bool>,
    pub owner: Option<bool>,
}

// Error bodies.

/// A domain error (`EntityExistsError`, `UserAuthenticationError`, `SearchParseError`, ...).
#[derive(Serialize, ToSchema)]
pub struct DomainErrorBody {
    pub error: String,
    /// `<HTTP reason> - <explanation>`
    pub message: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    /// The request's path and query, e.g. `/api/v1/auth/login?`.
    pub originating_path: String,
}

/// Input that failed validation: messages by field.
#[derive(Serialize, ToSchema)]
pub struct ValidationErrorBody {
    #[schema(value_type = Object)]
    pub errors: serde_json::Value,
    pub message: String,
}

/// Not logged in, unknown route, wrong method, unreadable body. Nothing but the message (which
/// also tells it apart from the other error shapes in the document's `oneOf`s).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    pub message: String,
}

/// A 400 from a route that reads a JSON body: field errors, or a body that is not a JSON object
/// at all.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code, reason = "describes answers in the OpenAPI document; the handlers build them as ApiError")]
pub enum BadBodyBody {
    Fields(ValidationErrorBody),
    Unreadable(MessageBody),
}

/// A 400 from a group route that reads a JSON body: field errors, a body that is not a JSON
/// object, or a rule of groups broken (a domain error naming Dioptra's class).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code, reason = "describes answers in the OpenAPI document; the handlers build them as ApiError")]
pub enum BadGroupRequestBody {
    Fields(ValidationErrorBody),
    Refused(DomainErrorBody),
    Unreadable(MessageBody),
}

/// A 404 for an id: the resource does not exist, or the id is not a positive integer.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code, reason = "describes answers in the OpenAPI document; the handlers build them as ApiError")]
pub enum NotFoundBody {
    Missing(DomainErrorBody),
    NotAnId(MessageBody),
}
