//! New accounts: self-service signup (when open, and not too often from one address) and the
//! operator's `users create`. Both store the account and its membership of `public` in one
//! transaction.

use super::{Accounts, AuditEvent, ClientInfo, User, groups, passwords::refuse_common};
use crate::{
    domain::{Field, FieldErrors, RegisterForm, Registration},
    error::AccountError,
    ssr::{
        clock::now_micros,
        db::{BeginWrite, on_pool, unique_violation},
        password::HashPlace,
    },
};

impl Accounts {
    /// Self-service signup: creates an account if signup is open and `client` has not signed up
    /// too often. Does not log the new user in.
    pub async fn register(&self, form: &RegisterForm, client: &ClientInfo) -> Result<User, AccountError> {
        if !self.signup_open() {
            return Err(AccountError::SignupClosed);
        }
        let registration = self.parse_registration(form)?;
        // A place in the hashing queue first: a busy server refuses before counting the signup.
        let place = self.hasher.reserve()?;
        self.guard().count_signup(client.address.as_deref()).await?;
        let user = self.insert_account(registration, place).await?;
        self.audit(AuditEvent::Signup, Some(&user), client).await;
        Ok(user)
    }

    /// Creates an account, whether or not signup is open (the operator's command).
    pub async fn create_account(&self, form: &RegisterForm) -> Result<User, AccountError> {
        let registration = self.parse_registration(form)?;
        let user = self.insert_account(registration, self.hasher.reserve()?).await?;
        self.audit(AuditEvent::Signup, Some(&user), &ClientInfo::operator()).await;
        Ok(user)
    }

    fn parse_registration(&self, form: &RegisterForm) -> Result<Registration, AccountError> {
        let registration = form.parse(self.password_policy())?;
        refuse_common(registration.password.expose(), Field::Password)?;
        Ok(registration)
    }

    /// Stores a new account. The first account ever founds the `public` group as its owner and
    /// admin; every later one joins it with read and write.
    #[tracing::instrument(skip_all, fields(username = %registration.username.as_str()))]
    async fn insert_account(&self, registration: Registration, place: HashPlace) -> Result<User, AccountError> {
        let password_hash = place.hash(registration.password.expose().to_owned()).await?;
        let now = now_micros();
        let password_expires_on = self.settings.password_lifetime.map(|lifetime| now.plus(lifetime));

        let user_id = on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
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
            .map_err(taken_or_failure)?;
            // Whoever commits the first insert founds `public`; a concurrent first signup waits
            // for that commit here and then joins as an ordinary member.
            sqlx::query(groups::FOUND_PUBLIC)
                .bind(groups::PUBLIC_GROUP)
                .bind(user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let (group_id, creator_id): (i64, i64) =
                sqlx::query_as(groups::GROUP_ID_AND_CREATOR).fetch_one(&mut *tx).await?;
            let founder = creator_id == user_id;
            // The founder may also share; everyone else reads and writes.
            sqlx::query(groups::ADD_MEMBER)
                .bind(group_id)
                .bind(user_id)
                .bind(true)
                .bind(true)
                .bind(founder)
                .bind(founder)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            if founder {
                sqlx::query(groups::ADD_OWNER_ADMIN).bind(group_id).bind(user_id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            user_id
        });
        tracing::info!(user_id, "account created");
        metrics::counter!("dioptra_signups_total").increment(1);
        self.user(user_id).await?.ok_or(AccountError::Internal)
    }
}

/// A username or email that another account (live or deleted) already has is a field error;
/// any other failure is the database's.
pub(super) fn taken_or_failure(error: sqlx::Error) -> AccountError {
    let errors = match unique_violation(&error) {
        Some("username_key") => FieldErrors::single(Field::Username, "This username is already taken"),
        Some("email_key") => FieldErrors::single(Field::Email, "An account with this email address already exists"),
        _ => return error.into(),
    };
    AccountError::Taken(errors)
}
