//! The accounts core: signup, login, sessions and group membership. The pages' server functions
//! call it now and the REST API will call the same functions, so each rule exists once.

use std::time::Duration;

use crate::{
    domain::{Field, FieldErrors, LoginForm, PasswordPolicy, RegisterForm, username_key},
    error::AccountError,
    ssr::{
        clock::{Micros, now_micros},
        db::{BeginWrite, Database, on_pool, unique_violation},
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
    /// How long a login lasts.
    pub session_lifetime: Duration,
    pub cookies: CookiePolicy,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            password_policy: PasswordPolicy::default(),
            password_lifetime: Some(Duration::from_secs(365 * 24 * 3600)),
            session_lifetime: Duration::from_secs(14 * 24 * 3600),
            cookies: CookiePolicy { secure: false },
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

/// Who is asking, as far as the server can tell; recorded with each session.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub address: Option<String>,
    pub user_agent: Option<String>,
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

    /// Creates an account. The first account ever founds the `public` group as its owner and
    /// admin; every later one joins it with read and write. Does not log the new user in.
    #[tracing::instrument(skip_all, fields(username = %form.username))]
    pub async fn register(&self, form: &RegisterForm) -> Result<User, AccountError> {
        let registration = form.parse(self.settings.password_policy)?;
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
        self.user(user_id).await?.ok_or(AccountError::Internal)
    }

    /// Checks a username and password and starts a new session. Every failure (unknown user,
    /// wrong password, expired password) is the same error after the same amount of work.
    #[tracing::instrument(skip_all, fields(username = %form.username.trim()))]
    pub async fn log_in(&self, form: &LoginForm, client: &ClientInfo) -> Result<SignedIn, AccountError> {
        let credentials = form.parse()?;
        let key = username_key(&credentials.username);
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
        let Some((user_id, password_hash, password_expires_on)) = candidate else {
            self.hasher.verify_dummy(credentials.password).await.map_err(internal)?;
            tracing::info!("login failed");
            return Err(AccountError::InvalidCredentials);
        };
        let password_matches = self.hasher.verify(credentials.password, password_hash).await.map_err(internal)?;
        let now = now_micros();
        let expired = password_expires_on.is_some_and(|expiry| expiry <= now);
        if !password_matches || expired {
            tracing::info!(user_id, expired, "login failed");
            return Err(AccountError::InvalidCredentials);
        }

        let token = SessionToken::generate();
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
            // Expired sessions of this user are no use to anyone; this keeps the table bounded
            // by the number of live logins.
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_on <= $2")
                .bind(user_id)
                .bind(now)
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
        tracing::info!(user_id, "login succeeded");
        let user = self.user(user_id).await?.ok_or(AccountError::InvalidCredentials)?;
        Ok(SignedIn { user, token })
    }

    /// The account a session token belongs to, if the session is live and the account exists.
    pub async fn authenticate(&self, token: &SessionToken) -> Result<Option<User>, AccountError> {
        const SQL: &str = concat!(
            "SELECT ",
            user_columns!(),
            " FROM sessions JOIN users ON users.user_id = sessions.user_id \
             WHERE sessions.token_hash = $1 AND sessions.expires_on > $2 AND users.deleted_on IS NULL"
        );
        Ok(on_pool!(&self.db, |pool| {
            sqlx::query_as(SQL).bind(token.hash()).bind(now_micros()).fetch_optional(pool).await.map_err(internal)?
        }))
    }

    /// Ends one session. Ending a session that is already gone is not an error.
    #[tracing::instrument(skip_all)]
    pub async fn log_out(&self, token: &SessionToken) -> Result<(), AccountError> {
        on_pool!(&self.db, |pool| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token.hash())
                .execute(pool)
                .await
                .map_err(internal)?;
        });
        Ok(())
    }

    /// A live (not deleted) account by id.
    pub async fn user(&self, user_id: i64) -> Result<Option<User>, AccountError> {
        const SQL: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE user_id = $1 AND deleted_on IS NULL");
        Ok(on_pool!(&self.db, |pool| {
            sqlx::query_as(SQL).bind(user_id).fetch_optional(pool).await.map_err(internal)?
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

/// The field error for a username or email that another account (live or deleted) already has.
fn taken_or_internal(error: &sqlx::Error) -> Option<AccountError> {
    let errors = match unique_violation(error)? {
        "username_key" => FieldErrors::single(Field::Username, "This username is already taken"),
        "email_key" => FieldErrors::single(Field::Email, "An account with this email address already exists"),
        _ => return None,
    };
    Some(AccountError::Invalid(errors))
}

/// Logs the cause of an unexpected failure, and answers the user without its details.
fn internal(error: impl std::fmt::Display) -> AccountError {
    tracing::error!(%error, "internal error");
    AccountError::Internal
}
