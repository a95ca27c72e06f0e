//! The accounts core: signup, login, sessions and group membership. The pages' server functions
//! call it now and the REST API will call the same functions, so each rule exists once.

use std::time::Duration;

use crate::{
    domain::{
        Field, FieldErrors, LoginForm, NewPassword, PasswordChangeForm, PasswordPolicy, ProfileForm, RegisterForm,
        Registration, SearchTerm, username_key,
    },
    error::AccountError,
    ssr::{
        clock::{Micros, now_micros},
        common_passwords,
        db::{BeginWrite, Database, database_failure, on_pool, unique_violation},
        guard::{Guard, GuessingLimits},
        password::PasswordHasher,
        session::{CookiePolicy, SessionToken},
    },
};

/// The one group every account belongs to; Dioptra creates no others.
pub const PUBLIC_GROUP: &str = "public";

#[derive(Clone, Debug)]
pub struct AccountSettings {
    pub password_policy: PasswordPolicy,
    /// How long a password stays valid (Dioptra: 365 days); `None` means it never expires.
    pub password_lifetime: Option<Duration>,
    /// How long a login lasts at most, however active.
    pub session_lifetime: Duration,
    /// How long a login lasts without a request.
    pub session_idle_timeout: Duration,
    pub cookies: CookiePolicy,
    pub guessing: GuessingLimits,
    /// Whether visitors may create their own accounts; when not, only an operator can.
    pub signup_open: bool,
}

impl AccountSettings {
    /// The `Set-Cookie` value that starts (or re-keys) a session in the browser.
    pub fn session_cookie(&self, token: &SessionToken) -> String {
        self.cookies.set(token, i64::try_from(self.session_lifetime.as_secs()).unwrap_or(i64::MAX))
    }
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            password_policy: PasswordPolicy::default(),
            password_lifetime: Some(Duration::from_secs(365 * 24 * 3600)),
            session_lifetime: Duration::from_secs(14 * 24 * 3600),
            session_idle_timeout: Duration::from_secs(12 * 3600),
            cookies: CookiePolicy { secure: false },
            guessing: GuessingLimits::default(),
            signup_open: true,
        }
    }
}

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

/// The account behind a request's session cookie, and that cookie's token.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user: User,
    pub token: SessionToken,
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
}

impl SessionInfo {
    /// The session's public id: its token hash in hex.
    pub fn id(&self) -> String {
        encode_hex(&self.token_hash)
    }

    /// The id of the session a token opens.
    pub fn id_of(token: &SessionToken) -> String {
        encode_hex(&token.hash())
    }
}

/// What an audit record says happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditEvent {
    Signup,
    LoginSucceeded,
    LoginFailed,
    LoginThrottled,
    Logout,
    LogoutEverywhere,
    PasswordChanged,
    PasswordChangeFailed,
    PasswordSetByOperator,
    SessionRevoked,
    AccountDeleted,
    AccountDeletionFailed,
}

impl AuditEvent {
    pub fn name(self) -> &'static str {
        match self {
            AuditEvent::Signup => "signup",
            AuditEvent::LoginSucceeded => "login_succeeded",
            AuditEvent::LoginFailed => "login_failed",
            AuditEvent::LoginThrottled => "login_throttled",
            AuditEvent::Logout => "logout",
            AuditEvent::LogoutEverywhere => "logout_everywhere",
            AuditEvent::PasswordChanged => "password_changed",
            AuditEvent::PasswordChangeFailed => "password_change_failed",
            AuditEvent::PasswordSetByOperator => "password_set_by_operator",
            AuditEvent::SessionRevoked => "session_revoked",
            AuditEvent::AccountDeleted => "account_deleted",
            AuditEvent::AccountDeletionFailed => "account_deletion_failed",
        }
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

/// A group with its creator and every member (deleted accounts included, as in Dioptra).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupDetails {
    pub group_id: i64,
    pub name: String,
    pub creator_id: i64,
    pub creator_username: String,
    pub created_on: Micros,
    pub last_modified_on: Micros,
    pub members: Vec<GroupMember>,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct GroupMember {
    pub group_id: i64,
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

#[derive(Clone, Debug, sqlx::FromRow)]
struct GroupRow {
    group_id: i64,
    name: String,
    creator_id: i64,
    creator_username: String,
    created_on: Micros,
    last_modified_on: Micros,
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
}

/// The client's address as the server's middleware determined it (the peer, or what a trusted
/// proxy says the peer was).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub std::net::IpAddr);

impl ClientInfo {
    /// The operator's command line, which has no client address.
    pub fn operator() -> Self {
        Self { address: None, user_agent: Some("dioptra-accounts command line".into()) }
    }

    /// The client's address and a bounded copy of its user agent.
    pub fn of_request(headers: &http::HeaderMap, extensions: &http::Extensions) -> Self {
        let address = extensions.get::<ClientAddress>().map(|client| client.0.to_string());
        let user_agent = headers
            .get(http::header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(|agent| agent.chars().take(512).collect());
        Self { address, user_agent }
    }
}

/// The columns of `User`, for `concat!` into queries (sqlx wants static SQL, not formatted strings).
macro_rules! user_columns {
    () => {
        "users.user_id, username, email, users.created_on, last_modified_on, last_login_on, password_expires_on"
    };
}

pub struct Accounts {
    db: Database,
    hasher: PasswordHasher,
    settings: AccountSettings,
}

impl Accounts {
    pub fn new(db: Database, settings: AccountSettings) -> Self {
        Self { db, hasher: PasswordHasher::new(), settings }
    }

    pub fn settings(&self) -> &AccountSettings {
        &self.settings
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Self-service signup: creates an account if signup is open and `client` has not signed up
    /// too often. Does not log the new user in.
    pub async fn register(&self, form: &RegisterForm, client: &ClientInfo) -> Result<User, AccountError> {
        if !self.settings.signup_open {
            return Err(AccountError::SignupClosed);
        }
        let registration = self.parse_registration(form)?;
        self.guard().count_signup(client.address.as_deref()).await?;
        let user = self.insert_account(registration).await?;
        self.audit(AuditEvent::Signup, Some(&user), client).await;
        Ok(user)
    }

    /// Creates an account, whether or not signup is open (the operator's command).
    pub async fn create_account(&self, form: &RegisterForm) -> Result<User, AccountError> {
        let registration = self.parse_registration(form)?;
        let user = self.insert_account(registration).await?;
        self.audit(AuditEvent::Signup, Some(&user), &ClientInfo::operator()).await;
        Ok(user)
    }

    fn parse_registration(&self, form: &RegisterForm) -> Result<Registration, AccountError> {
        let registration = form.parse(self.settings.password_policy)?;
        refuse_common(registration.password.expose(), Field::Password)?;
        Ok(registration)
    }

    /// Stores a new account. The first account ever founds the `public` group as its owner and
    /// admin; every later one joins it with read and write.
    #[tracing::instrument(skip_all, fields(username = %registration.username.as_str()))]
    async fn insert_account(&self, registration: Registration) -> Result<User, AccountError> {
        let password_hash = self.hasher.hash(registration.password.expose().to_owned()).await.map_err(internal)?;
        let now = now_micros();
        let password_expires_on = self.settings.password_lifetime.map(|lifetime| now.plus(lifetime));

        let user_id = on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await.map_err(internal)?;
            let user_id: i64 = sqlx::query_scalar(
                "INSERT INTO users (username, username_key, email, email_key, password_hash, \
                 created_on, last_modified_on, password_expires_on) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING user_id",
            )
            .bind(registration.username.as_str())
            .bind(registration.username.key())
            .bind(registration.email.as_str())
            .bind(registration.email.key())
            .bind(&password_hash)
            .bind(now)
            .bind(password_expires_on)
            .fetch_one(&mut *tx)
            .await
            .map_err(|error| taken_or_internal(&error).unwrap_or_else(|| internal(error)))?;

            // Whoever commits the first insert founds the group; a concurrent first signup waits
            // for that commit here and then joins as an ordinary member.
            sqlx::query(
                "INSERT INTO groups (name, creator_id, created_on, last_modified_on) \
                 VALUES ($1, $2, $3, $3) ON CONFLICT (name) DO NOTHING",
            )
            .bind(PUBLIC_GROUP)
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
            let (group_id, creator_id): (i64, i64) =
                sqlx::query_as("SELECT group_id, creator_id FROM groups WHERE name = $1")
                    .bind(PUBLIC_GROUP)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(internal)?;
            let founder = creator_id == user_id;
            sqlx::query(
                "INSERT INTO group_members (group_id, user_id, can_read, can_write, can_share_read, \
                 can_share_write, joined_on) VALUES ($1, $2, TRUE, TRUE, $3, $3, $4)",
            )
            .bind(group_id)
            .bind(user_id)
            .bind(founder)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
            if founder {
                sqlx::query(
                    "INSERT INTO group_managers (group_id, user_id, is_owner, is_admin) VALUES ($1, $2, TRUE, TRUE)",
                )
                .bind(group_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
            }
            tx.commit().await.map_err(internal)?;
            user_id
        });
        tracing::info!(user_id, "account created");
        metrics::counter!("dioptra_signups_total").increment(1);
        self.user(user_id).await?.ok_or(AccountError::Internal)
    }

    /// Checks a username and password and starts a new session. Every failure (unknown user,
    /// wrong password, expired password) is the same error after the same amount of work.
    #[tracing::instrument(skip_all, fields(username = %form.username.trim()))]
    pub async fn log_in(&self, form: &LoginForm, client: &ClientInfo) -> Result<SignedIn, AccountError> {
        let credentials = form.parse()?;
        let key = username_key(&credentials.username);
        let address = client.address.as_deref();
        if let Err(refusal) = self.guard().check_password_attempt(&key, address).await {
            metrics::counter!("dioptra_logins_total", "outcome" => "throttled").increment(1);
            self.audit_name(AuditEvent::LoginThrottled, None, &credentials.username, client).await;
            return Err(refusal);
        }
        let candidate: Option<(i64, String, Option<Micros>)> = on_pool!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT user_id, password_hash, password_expires_on FROM users \
                 WHERE username_key = $1 AND deleted_on IS NULL",
            )
            .bind(&key)
            .fetch_optional(pool)
            .await
            .map_err(internal)?
        });
        let (user_id, accepted) = match candidate {
            Some((user_id, password_hash, password_expires_on)) => {
                let matches = self.hasher.verify(credentials.password, password_hash).await.map_err(internal)?;
                let expired = password_expires_on.is_some_and(|expiry| expiry <= now_micros());
                (Some(user_id), matches && !expired)
            }
            None => {
                self.hasher.verify_dummy(credentials.password).await.map_err(internal)?;
                (None, false)
            }
        };
        let Some(user_id) = user_id.filter(|_| accepted) else {
            self.guard().record_failure(&key, address).await?;
            metrics::counter!("dioptra_logins_total", "outcome" => "failure").increment(1);
            self.audit_name(AuditEvent::LoginFailed, user_id, &credentials.username, client).await;
            return Err(AccountError::InvalidCredentials);
        };
        self.guard().record_success(&key).await?;

        let token = SessionToken::generate();
        let now = now_micros();
        let expires_on = now.plus(self.settings.session_lifetime);
        on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await.map_err(internal)?;
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, created_on, last_seen_on, expires_on, \
                 client_address, user_agent) VALUES ($1, $2, $3, $3, $4, $5, $6)",
            )
            .bind(token.hash())
            .bind(user_id)
            .bind(now)
            .bind(expires_on)
            .bind(client.address.as_deref())
            .bind(client.user_agent.as_deref())
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
            // Ended sessions of this user are no use to anyone; this keeps the table bounded by
            // the number of live logins.
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND (expires_on <= $2 OR last_seen_on <= $3)")
                .bind(user_id)
                .bind(now)
                .bind(now.minus(self.settings.session_idle_timeout))
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
            sqlx::query("UPDATE users SET last_login_on = $1 WHERE user_id = $2")
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
            tx.commit().await.map_err(internal)?;
        });
        metrics::counter!("dioptra_logins_total", "outcome" => "success").increment(1);
        let user = self.user(user_id).await?.ok_or(AccountError::InvalidCredentials)?;
        self.audit(AuditEvent::LoginSucceeded, Some(&user), client).await;
        Ok(SignedIn { user, token })
    }

    /// The account a session token belongs to, if the session is live and the account exists.
    /// Marks the session as seen, but writes that down at most once a minute: a request is one
    /// primary-key read, not a write.
    pub async fn authenticate(&self, token: &SessionToken) -> Result<Option<User>, AccountError> {
        const SQL: &str = concat!(
            "SELECT ",
            user_columns!(),
            ", sessions.last_seen_on FROM sessions JOIN users ON users.user_id = sessions.user_id \
             WHERE sessions.token_hash = $1 AND sessions.expires_on > $2 AND sessions.last_seen_on > $3 \
             AND users.deleted_on IS NULL"
        );
        let now = now_micros();
        let idle_timeout = self.settings.session_idle_timeout;
        let found: Option<SessionUser> = on_pool!(&self.db, |pool| {
            sqlx::query_as(SQL)
                .bind(token.hash())
                .bind(now)
                .bind(now.minus(idle_timeout))
                .fetch_optional(pool)
                .await
                .map_err(internal)?
        });
        let Some(SessionUser { user, last_seen_on }) = found else { return Ok(None) };
        let note_every = (idle_timeout / 10).min(Duration::from_secs(60));
        if last_seen_on < now.minus(note_every) {
            on_pool!(&self.db, |pool| {
                sqlx::query("UPDATE sessions SET last_seen_on = $1 WHERE token_hash = $2")
                    .bind(now)
                    .bind(token.hash())
                    .execute(pool)
                    .await
                    .map_err(internal)?;
            });
        }
        Ok(Some(user))
    }

    /// The live sessions of an account, most recently used first.
    pub async fn sessions_of(&self, user_id: i64) -> Result<Vec<SessionInfo>, AccountError> {
        let now = now_micros();
        Ok(on_pool!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT token_hash, created_on, last_seen_on, expires_on, client_address, user_agent FROM sessions \
                 WHERE user_id = $1 AND expires_on > $2 AND last_seen_on > $3 ORDER BY last_seen_on DESC",
            )
            .bind(user_id)
            .bind(now)
            .bind(now.minus(self.settings.session_idle_timeout))
            .fetch_all(pool)
            .await
            .map_err(internal)?
        }))
    }

    /// Ends one of an account's sessions, named by its id (`SessionInfo::id`).
    #[tracing::instrument(skip_all, fields(user_id = user.user_id))]
    pub async fn revoke_session(&self, user: &User, session_id: &str, client: &ClientInfo) -> Result<(), AccountError> {
        let token_hash = decode_hex(session_id).ok_or(AccountError::SessionNotFound)?;
        let ended = on_pool!(&self.db, |pool| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1 AND user_id = $2")
                .bind(&token_hash)
                .bind(user.user_id)
                .execute(pool)
                .await
                .map_err(internal)?
                .rows_affected()
        });
        if ended == 0 {
            return Err(AccountError::SessionNotFound);
        }
        self.audit(AuditEvent::SessionRevoked, Some(user), client).await;
        Ok(())
    }

    /// Deletes ended sessions and lapsed attempt counters. Any replica may run it at any time.
    pub async fn clean_up(&self) -> Result<(), AccountError> {
        let now = now_micros();
        let sessions = on_pool!(&self.db, |pool| {
            sqlx::query("DELETE FROM sessions WHERE expires_on <= $1 OR last_seen_on <= $2")
                .bind(now)
                .bind(now.minus(self.settings.session_idle_timeout))
                .execute(pool)
                .await
                .map_err(internal)?
                .rows_affected()
        });
        let counters = self.guard().forget_stale().await?;
        tracing::debug!(sessions, counters, "cleaned up");
        Ok(())
    }

    /// How many sessions are live now, across every replica.
    pub async fn active_sessions(&self) -> Result<i64, AccountError> {
        Ok(on_pool!(&self.db, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE expires_on > $1")
                .bind(now_micros())
                .fetch_one(pool)
                .await
                .map_err(internal)?
        }))
    }

    /// Ends one session. Ending a session that is already gone is not an error.
    #[tracing::instrument(skip_all)]
    pub async fn log_out(&self, signed_in: &SignedIn, client: &ClientInfo) -> Result<(), AccountError> {
        on_pool!(&self.db, |pool| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(signed_in.token.hash())
                .execute(pool)
                .await
                .map_err(internal)?;
        });
        self.audit(AuditEvent::Logout, Some(&signed_in.user), client).await;
        Ok(())
    }

    /// A live (not deleted) account by id.
    pub async fn user(&self, user_id: i64) -> Result<Option<User>, AccountError> {
        const SQL: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE user_id = $1 AND deleted_on IS NULL");
        Ok(on_pool!(&self.db, |pool| {
            sqlx::query_as(SQL).bind(user_id).fetch_optional(pool).await.map_err(internal)?
        }))
    }

    /// Changes the username and email address of an account.
    #[tracing::instrument(skip_all, fields(user_id))]
    pub async fn modify(&self, user_id: i64, form: &ProfileForm) -> Result<User, AccountError> {
        let (username, email) = form.parse()?;
        let changed = on_pool!(&self.db, |pool| {
            sqlx::query(
                "UPDATE users SET username = $1, username_key = $2, email = $3, email_key = $4, last_modified_on = $5 \
                 WHERE user_id = $6 AND deleted_on IS NULL",
            )
            .bind(username.as_str())
            .bind(username.key())
            .bind(email.as_str())
            .bind(email.key())
            .bind(now_micros())
            .bind(user_id)
            .execute(pool)
            .await
            .map_err(|error| taken_or_internal(&error).unwrap_or_else(|| internal(error)))?
            .rows_affected()
        });
        if changed == 0 {
            return Err(AccountError::UserNotFound);
        }
        self.user(user_id).await?.ok_or(AccountError::UserNotFound)
    }

    /// Changes the password of `user_id` after checking its current one. Every session of the
    /// account ends except `keep` (the caller's own, if it is this account's), which continues
    /// under the returned fresh token. An unknown account fails exactly like a wrong current
    /// password, after the same work, so that this cannot tell which ids exist.
    #[tracing::instrument(skip_all, fields(user_id))]
    pub async fn change_password(
        &self,
        user_id: i64,
        change: PasswordChangeForm,
        keep: Option<&SessionToken>,
        client: &ClientInfo,
    ) -> Result<Option<SessionToken>, AccountError> {
        let account = match self.credentials_of(user_id).await {
            Ok(account) => Some(account),
            Err(AccountError::UserNotFound) => None,
            Err(error) => return Err(error),
        };
        let (username, email) = account.as_ref().map(|(u, e, _)| (u.clone(), e.clone())).unwrap_or_default();
        change.parse(self.settings.password_policy, &username, &email)?;
        refuse_common(&change.new_password, Field::NewPassword)?;
        // An unknown id still has a counter of its own, so guessing at it is throttled too.
        let key = if account.is_some() { username_key(&username) } else { format!("#{user_id}") };
        let address = client.address.as_deref();
        self.guard().check_password_attempt(&key, address).await?;
        let verified = match account {
            Some((_, _, password_hash)) => {
                self.hasher.verify(change.old_password.clone(), password_hash).await.map_err(internal)?
            }
            None => self.hasher.verify_dummy(change.old_password.clone()).await.map_err(internal)?,
        };
        if !verified {
            self.guard().record_failure(&key, address).await?;
            self.audit_name(AuditEvent::PasswordChangeFailed, Some(user_id), &username, client).await;
            return Err(AccountError::WrongCurrentPassword);
        }
        self.guard().record_success(&key).await?;
        // The old password was just verified, so comparing strings says whether it is unchanged.
        if change.new_password == change.old_password {
            return Err(AccountError::PasswordUnchanged);
        }
        let new_hash = self.hasher.hash(change.new_password).await.map_err(internal)?;
        let fresh = keep.map(|_| SessionToken::generate());
        let rekey = keep.zip(fresh.as_ref());
        self.replace_password(user_id, &new_hash, rekey).await?;
        self.audit_name(AuditEvent::PasswordChanged, Some(user_id), &username, client).await;
        Ok(fresh)
    }

    /// Deletes an account after checking its password. The row stays (its username and email
    /// remain taken) and every session ends.
    #[tracing::instrument(skip_all, fields(user_id = user.user_id))]
    pub async fn delete(&self, user: &User, password: String, client: &ClientInfo) -> Result<(), AccountError> {
        let (username, _, password_hash) = self.credentials_of(user.user_id).await?;
        let key = username_key(&username);
        let address = client.address.as_deref();
        self.guard().check_password_attempt(&key, address).await?;
        if !self.hasher.verify(password, password_hash).await.map_err(internal)? {
            self.guard().record_failure(&key, address).await?;
            self.audit(AuditEvent::AccountDeletionFailed, Some(user), client).await;
            return Err(AccountError::WrongPassword);
        }
        self.guard().record_success(&key).await?;
        if user.password_expires_on.is_some_and(|expiry| expiry <= now_micros()) {
            return Err(AccountError::PasswordExpired);
        }
        self.remove(user.user_id, client).await
    }

    /// Deletes an account without asking for its password (the operator's command): the row
    /// stays, so its username and email remain taken, and every session ends.
    #[tracing::instrument(skip_all, fields(user_id))]
    pub async fn remove(&self, user_id: i64, client: &ClientInfo) -> Result<(), AccountError> {
        let now = now_micros();
        let deleted = on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await.map_err(internal)?;
            let deleted = sqlx::query("UPDATE users SET deleted_on = $1 WHERE user_id = $2 AND deleted_on IS NULL")
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(internal)?
                .rows_affected();
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
            tx.commit().await.map_err(internal)?;
            deleted
        });
        if deleted == 0 {
            return Err(AccountError::UserNotFound);
        }
        self.audit_name(AuditEvent::AccountDeleted, Some(user_id), "", client).await;
        Ok(())
    }

    /// Sets a new password without asking for the current one (the operator's command), and
    /// ends every session of the account.
    #[tracing::instrument(skip_all, fields(user_id))]
    pub async fn set_password(&self, user_id: i64, new_password: &str) -> Result<(), AccountError> {
        let (username, email, _) = self.credentials_of(user_id).await?;
        let password = NewPassword::parse(new_password, self.settings.password_policy, Some(&username), Some(&email))
            .map_err(|message| FieldErrors::single(Field::Password, message))?;
        refuse_common(password.expose(), Field::Password)?;
        let new_hash = self.hasher.hash(password.expose().to_owned()).await.map_err(internal)?;
        self.replace_password(user_id, &new_hash, None).await?;
        self.audit_name(AuditEvent::PasswordSetByOperator, Some(user_id), &username, &ClientInfo::operator()).await;
        Ok(())
    }

    /// A live account by username, in any case.
    pub async fn user_named(&self, username: &str) -> Result<Option<User>, AccountError> {
        const SQL: &str =
            concat!("SELECT ", user_columns!(), " FROM users WHERE username_key = $1 AND deleted_on IS NULL");
        let key = username_key(username);
        Ok(on_pool!(&self.db, |pool| { sqlx::query_as(SQL).bind(&key).fetch_optional(pool).await.map_err(internal)? }))
    }

    /// Ends every session of an account, on every device.
    #[tracing::instrument(skip_all, fields(user_id = user.user_id))]
    pub async fn log_out_everywhere(&self, user: &User, client: &ClientInfo) -> Result<(), AccountError> {
        on_pool!(&self.db, |pool| {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user.user_id)
                .execute(pool)
                .await
                .map_err(internal)?;
        });
        self.audit(AuditEvent::LogoutEverywhere, Some(user), client).await;
        Ok(())
    }

    /// Live accounts matching every search term, ordered by id.
    pub async fn list_users(&self, terms: &[SearchTerm], index: i64, limit: i64) -> Result<Page<User>, AccountError> {
        let column = |field: &str| match field {
            "username" => "username_key",
            _ => "email_key",
        };
        let filters = |builder: &mut QueryBuilderParts| {
            builder.push(" FROM users WHERE deleted_on IS NULL");
            for term in terms {
                builder.push(" AND (");
                match &term.field {
                    Some(field) => builder.like(column(field), &term.pattern),
                    None => {
                        builder.like("username_key", &term.pattern);
                        builder.push(" OR ");
                        builder.like("email_key", &term.pattern);
                    }
                }
                builder.push(")");
            }
        };
        self.page(concat!("SELECT ", user_columns!()), "users.user_id", filters, index, limit).await
    }

    /// Groups matching every search term (the only searchable field is `name`), ordered by id.
    pub async fn list_groups(
        &self,
        terms: &[SearchTerm],
        index: i64,
        limit: i64,
    ) -> Result<Page<GroupDetails>, AccountError> {
        let filters = |builder: &mut QueryBuilderParts| {
            builder.push(" FROM groups WHERE deleted_on IS NULL");
            for term in terms {
                builder.push(" AND (");
                builder.like("lower(name)", &term.pattern);
                builder.push(")");
            }
        };
        let ids: Page<IdRow> = self.page("SELECT group_id AS id", "group_id", filters, index, limit).await?;
        let mut items = Vec::with_capacity(ids.items.len());
        for IdRow { id } in ids.items {
            items.extend(self.group(id).await?);
        }
        Ok(Page { total: ids.total, items })
    }

    /// A group with its creator and members.
    pub async fn group(&self, group_id: i64) -> Result<Option<GroupDetails>, AccountError> {
        let row: Option<GroupRow> = on_pool!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT groups.group_id, name, creator_id, users.username AS creator_username, groups.created_on, \
                 groups.last_modified_on FROM groups JOIN users ON users.user_id = groups.creator_id \
                 WHERE group_id = $1 AND groups.deleted_on IS NULL",
            )
            .bind(group_id)
            .fetch_optional(pool)
            .await
            .map_err(internal)?
        });
        let Some(row) = row else { return Ok(None) };
        let members: Vec<GroupMember> = on_pool!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT group_members.group_id, group_members.user_id, users.username, can_read, can_write, \
                 can_share_read, can_share_write, COALESCE(is_owner, FALSE) AS is_owner, \
                 COALESCE(is_admin, FALSE) AS is_admin, (users.deleted_on IS NOT NULL) AS is_deleted \
                 FROM group_members JOIN users ON users.user_id = group_members.user_id \
                 LEFT JOIN group_managers ON group_managers.group_id = group_members.group_id \
                   AND group_managers.user_id = group_members.user_id \
                 WHERE group_members.group_id = $1 ORDER BY joined_on, group_members.user_id",
            )
            .bind(group_id)
            .fetch_all(pool)
            .await
            .map_err(internal)?
        });
        Ok(Some(GroupDetails {
            group_id: row.group_id,
            name: row.name,
            creator_id: row.creator_id,
            creator_username: row.creator_username,
            created_on: row.created_on,
            last_modified_on: row.last_modified_on,
            members,
        }))
    }

    /// The id of the account (live or deleted) holding a username or email key.
    pub async fn holder_of(&self, field: Field, key: &str) -> Result<Option<i64>, AccountError> {
        let sql = match field {
            Field::Username => "SELECT user_id FROM users WHERE username_key = $1",
            _ => "SELECT user_id FROM users WHERE email_key = $1",
        };
        Ok(on_pool!(&self.db, |pool| {
            sqlx::query_scalar(sql).bind(key).fetch_optional(pool).await.map_err(internal)?
        }))
    }

    fn guard(&self) -> Guard<'_> {
        Guard { db: &self.db, limits: &self.settings.guessing }
    }

    async fn audit(&self, event: AuditEvent, user: Option<&User>, client: &ClientInfo) {
        let (user_id, username) = user.map_or((None, ""), |user| (Some(user.user_id), user.username.as_str()));
        self.audit_name(event, user_id, username, client).await;
    }

    /// Records `event` in the audit table and the log. A failure to record is logged, never
    /// turned into a failure of the action itself.
    async fn audit_name(&self, event: AuditEvent, user_id: Option<i64>, username: &str, client: &ClientInfo) {
        let address = client.address.as_deref();
        tracing::info!(target: "audit", event = event.name(), user_id, username, client_address = address, "audit");
        let username = Some(username).filter(|name| !name.is_empty());
        let recorded = on_pool!(&self.db, |pool| {
            sqlx::query(
                "INSERT INTO audit_events (occurred_on, event, user_id, username, client_address) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(now_micros())
            .bind(event.name())
            .bind(user_id)
            .bind(username)
            .bind(address)
            .execute(pool)
            .await
            .map(|_| ())
        });
        if let Err(error) = recorded {
            tracing::error!(%error, event = event.name(), "could not record an audit event");
        }
    }

    /// Stores a new password hash (restarting its expiry) and ends every session of the
    /// account, except that `rekey` = (old, new) moves the caller's session to a new token.
    async fn replace_password(
        &self,
        user_id: i64,
        new_hash: &str,
        rekey: Option<(&SessionToken, &SessionToken)>,
    ) -> Result<(), AccountError> {
        let now = now_micros();
        let password_expires_on = self.settings.password_lifetime.map(|lifetime| now.plus(lifetime));
        on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await.map_err(internal)?;
            sqlx::query(
                "UPDATE users SET password_hash = $1, last_modified_on = $2, password_expires_on = $3 WHERE user_id = $4",
            )
            .bind(new_hash)
            .bind(now)
            .bind(password_expires_on)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
            if let Some((kept, fresh)) = rekey {
                // Re-key the caller's session rather than ending it: same session, new token.
                sqlx::query("UPDATE sessions SET token_hash = $1 WHERE token_hash = $2 AND user_id = $3")
                    .bind(fresh.hash())
                    .bind(kept.hash())
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(internal)?;
            }
            let keep_hash = rekey.map(|(_, fresh)| fresh.hash()).unwrap_or_default();
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(user_id)
                .bind(keep_hash)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
            tx.commit().await.map_err(internal)?;
        });
        Ok(())
    }

    async fn credentials_of(&self, user_id: i64) -> Result<(String, String, String), AccountError> {
        let row: Option<(String, String, String)> = on_pool!(&self.db, |pool| {
            sqlx::query_as("SELECT username, email, password_hash FROM users WHERE user_id = $1 AND deleted_on IS NULL")
                .bind(user_id)
                .fetch_optional(pool)
                .await
                .map_err(internal)?
        });
        row.ok_or(AccountError::UserNotFound)
    }

    /// Runs a paged listing: `select` and `filters` (which writes the FROM and WHERE clauses)
    /// give the rows, ordered by `order_by`; a second query counts every match.
    async fn page<T>(
        &self,
        select: &str,
        order_by: &str,
        filters: impl Fn(&mut QueryBuilderParts),
        index: i64,
        limit: i64,
    ) -> Result<Page<T>, AccountError>
    where
        T: Send
            + Unpin
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let mut parts = QueryBuilderParts::default();
        filters(&mut parts);
        Ok(on_pool!(&self.db, |pool| {
            let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*)");
            parts.write_to(&mut count);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await.map_err(internal)?;
            let mut rows = sqlx::QueryBuilder::new(select);
            parts.write_to(&mut rows);
            rows.push(" ORDER BY ").push(order_by).push(" LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(index);
            let items = rows.build_query_as::<T>().fetch_all(pool).await.map_err(internal)?;
            Page { total, items }
        }))
    }

    /// The groups `user_id` belongs to, with its permissions in each.
    pub async fn memberships(&self, user_id: i64) -> Result<Vec<Membership>, AccountError> {
        Ok(on_pool!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT groups.group_id, groups.name AS group_name, can_read, can_write, can_share_read, \
                 can_share_write, COALESCE(is_owner, FALSE) AS is_owner, COALESCE(is_admin, FALSE) AS is_admin \
                 FROM group_members \
                 JOIN groups ON groups.group_id = group_members.group_id AND groups.deleted_on IS NULL \
                 LEFT JOIN group_managers ON group_managers.group_id = group_members.group_id \
                   AND group_managers.user_id = group_members.user_id \
                 WHERE group_members.user_id = $1 ORDER BY groups.group_id",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await
            .map_err(internal)?
        }))
    }
}

/// A session's account and when the session was last seen.
#[derive(sqlx::FromRow)]
struct SessionUser {
    #[sqlx(flatten)]
    user: User,
    last_seen_on: Micros,
}

fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The bytes of a lower- or upper-case hex string; `None` for anything else.
fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) || !hex.is_ascii() {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok()).collect()
}

#[derive(sqlx::FromRow)]
struct IdRow {
    id: i64,
}

/// SQL written once and replayed into a backend's `QueryBuilder`: literal text, and LIKE
/// patterns that become bound parameters.
#[derive(Default)]
struct QueryBuilderParts {
    parts: Vec<SqlPart>,
}

enum SqlPart {
    Text(String),
    Bind(String),
    /// ` AND column >= low AND column < high`, on SQLite only: it cannot use an index for a
    /// LIKE that ignores case, but can for this range, which a pattern's literal prefix implies.
    /// (PostgreSQL uses its `text_pattern_ops` indexes for the LIKE itself.)
    SqlitePrefixRange {
        column: String,
        low: String,
        high: Option<String>,
    },
}

impl QueryBuilderParts {
    fn push(&mut self, sql: &str) {
        self.parts.push(SqlPart::Text(sql.to_owned()));
    }

    /// `column LIKE <pattern> ESCAPE '/'`, the pattern bound, never spliced into the SQL.
    fn like(&mut self, column: &str, pattern: &str) {
        self.push(&format!("{column} LIKE "));
        self.parts.push(SqlPart::Bind(pattern.to_owned()));
        self.push(" ESCAPE '/'");
        let low = literal_prefix(pattern);
        if !low.is_empty() {
            let high = prefix_successor(&low);
            self.parts.push(SqlPart::SqlitePrefixRange { column: column.to_owned(), low, high });
        }
    }

    fn write_to<DB: sqlx::Database>(&self, builder: &mut sqlx::QueryBuilder<DB>)
    where
        for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        for part in &self.parts {
            match part {
                SqlPart::Text(text) => {
                    builder.push(text);
                }
                SqlPart::Bind(value) => {
                    builder.push_bind(value.clone());
                }
                SqlPart::SqlitePrefixRange { column, low, high } if DB::NAME == "SQLite" => {
                    builder.push(format!(" AND {column} >= ")).push_bind(low.clone());
                    if let Some(high) = high {
                        builder.push(format!(" AND {column} < ")).push_bind(high.clone());
                    }
                }
                SqlPart::SqlitePrefixRange { .. } => {}
            }
        }
    }
}

/// The literal text a LIKE pattern (escape character `/`) starts with, before its first wildcard.
fn literal_prefix(pattern: &str) -> String {
    let mut prefix = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '/' => match chars.next() {
                Some(escaped) => prefix.push(escaped),
                None => break,
            },
            '%' | '_' => break,
            c => prefix.push(c),
        }
    }
    prefix
}

/// The least string above every string that starts with `prefix`, in code-point order (SQLite's
/// order for UTF-8 text): the prefix with its last character incremented. `None` when there is
/// none (every character is the last code point).
fn prefix_successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match u32::from(last) + 1 {
            0xD800 => 0xE000, // surrogates are not characters
            next => next,
        };
        if let Some(next) = char::from_u32(next) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// Refuses a new password that is on the list of common passwords, as an error on `field`.
fn refuse_common(password: &str, field: Field) -> Result<(), AccountError> {
    if common_passwords::is_common(password) {
        let message = "This password is one of the most common ones, which attackers try first. Please choose another.";
        return Err(FieldErrors::single(field, message).into());
    }
    Ok(())
}

/// The field error for a username or email that another account (live or deleted) already has.
fn taken_or_internal(error: &sqlx::Error) -> Option<AccountError> {
    let errors = match unique_violation(error)? {
        "username_key" => FieldErrors::single(Field::Username, "This username is already taken"),
        "email_key" => FieldErrors::single(Field::Email, "An account with this email address already exists"),
        _ => return None,
    };
    Some(AccountError::Taken(errors))
}

/// Logs the cause of an unexpected failure, and answers the user without its details: 503 when
/// the database cannot be reached (the caller may retry), 500 otherwise.
fn internal<E: std::fmt::Display + 'static>(error: E) -> AccountError {
    if let Some(db_error) = (&error as &dyn std::any::Any).downcast_ref::<sqlx::Error>() {
        return database_failure(db_error);
    }
    tracing::error!(%error, "internal error");
    AccountError::Internal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patterns_literal_prefix_stops_at_the_first_wildcard() {
        assert_eq!(literal_prefix("user12%"), "user12");
        assert_eq!(literal_prefix("a/%b/_c/_%x"), "a%b_c_");
        assert_eq!(literal_prefix("%fuzzy%"), "");
        assert_eq!(literal_prefix("us_r"), "us");
    }

    #[test]
    fn the_successor_bounds_every_string_with_the_prefix() {
        assert_eq!(prefix_successor("user12").as_deref(), Some("user13"));
        assert_eq!(prefix_successor("az").as_deref(), Some("a{"));
        assert_eq!(prefix_successor("a\u{d7ff}").as_deref(), Some("a\u{e000}"));
        assert_eq!(prefix_successor("a\u{10ffff}").as_deref(), Some("b"));
        assert_eq!(prefix_successor("\u{10ffff}"), None);
        let high = prefix_successor("σοφ").unwrap();
        for name in ["σοφ", "σοφία", "σοφ\u{10ffff}zz"] {
            assert!(name >= "σοφ" && name < high.as_str(), "{name}");
        }
    }
}
