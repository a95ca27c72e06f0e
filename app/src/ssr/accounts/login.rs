//! Logging in, in two steps: [`Accounts::check_login_password`] proves who someone is, then
//! [`Accounts::finish_login`] (in `second_factor/`) gives them a session, or first asks for the
//! account's second factor.

use super::{Accounts, AuditEvent, ClientInfo, SignInStep, SignedIn, application_passwords::ApplicationLogin};
use crate::{
    domain::{LoginForm, username_key},
    error::AccountError,
    ssr::{
        clock::{Micros, now_micros},
        db::on_pool,
        session::DeviceToken,
    },
};

/// An account whose password has just been checked, and which has no session yet. Only the
/// core's password checks make one (a login's, an expired password's renewal), and
/// [`Accounts::start_session`] takes one: no session starts without a checked password.
#[derive(Debug)]
pub struct PasswordChecked {
    user_id: i64,
    /// A new device of the account, for the device cookie, when the client showed none of its own
    /// (see `devices.rs`).
    new_device: Option<DeviceToken>,
    /// The application password that was given in place of the account's, if one was.
    application: Option<ApplicationLogin>,
}

impl PasswordChecked {
    pub(super) fn new(user_id: i64) -> Self {
        Self { user_id, new_device: None, application: None }
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    pub(super) fn application(&self) -> Option<&ApplicationLogin> {
        self.application.as_ref()
    }

    pub(super) fn take_new_device(&mut self) -> Option<DeviceToken> {
        self.new_device.take()
    }

    /// The same, handing out `device` with the session.
    pub(super) fn with_new_device(self, device: DeviceToken) -> Self {
        Self { new_device: Some(device), ..self }
    }
}

/// Where a login comes from, which decides what it may use in place of the account's password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginChannel {
    /// The login form: the account's password only.
    Pages,
    /// The REST API (`POST /api/v1/auth/login`, Dioptra's client): an application password too,
    /// for an API session.
    Api,
}

/// The account a login names, as the password check reads it.
#[derive(sqlx::FromRow)]
struct LoginCandidate {
    user_id: i64,
    password_hash: String,
    password_expires_on: Option<Micros>,
    disabled_on: Option<Micros>,
    has_second_factor: bool,
}

/// A new session, and the device cookie's token to hand out with it, if any.
#[derive(Debug)]
pub struct LoggedIn {
    pub signed_in: SignedIn,
    pub new_device: Option<DeviceToken>,
}

impl Accounts {
    /// Checks a username and password and starts a new session, or for an account with a second
    /// factor a login challenge.
    pub async fn log_in(
        &self,
        form: &LoginForm,
        channel: LoginChannel,
        client: &ClientInfo,
    ) -> Result<SignInStep, AccountError> {
        let checked = self.check_login_password(form, channel, client).await?;
        self.finish_login(checked, channel, client).await
    }

    /// The first step of a login: whether the password is the account's, within the guessing
    /// limits. Every failure (unknown user, wrong password) is the same error after the same
    /// amount of work; a correct password that has expired is `PasswordExpired`. Over the API, a
    /// working application password of the account passes first, with no hashing and without
    /// touching the guessing counters: its 119 random bits need no limit, and a success with it
    /// must not wipe the count of guesses at the account's password (nor make the client one of
    /// the account's known devices), while an attack on the password must not lock scripts out.
    // The typed username goes into the log as a `str` field, which the formatters escape: with `%`
    // (Display) a newline in it would start a forged log line.
    #[tracing::instrument(skip_all, fields(username = form.username.trim()))]
    pub async fn check_login_password(
        &self,
        form: &LoginForm,
        channel: LoginChannel,
        client: &ClientInfo,
    ) -> Result<PasswordChecked, AccountError> {
        const SQL: &str = concat!(
            "SELECT user_id, password_hash, password_expires_on, disabled_on, ",
            has_second_factor!(),
            " FROM users WHERE username_key = $1 AND ",
            live_account!()
        );
        let credentials = form.parse()?;
        let key = username_key(&credentials.username);
        if channel == LoginChannel::Api
            && let Some((login, disabled)) =
                self.match_application_password(&key, credentials.password.expose()).await?
        {
            return self.application_login(login, disabled, &credentials.username, client).await;
        }
        let address = client.address.as_deref();
        // A place in the hashing queue first: a busy server refuses before counting the guess.
        let place = self.hasher.reserve()?;
        let device = self.proven_device(&key, client).await?;
        let attempt = match self.guard().check_password_attempt(&key, address, device.as_deref()).await {
            Ok(attempt) => attempt,
            Err(refusal) => {
                metrics::counter!("dioptra_logins_total", "outcome" => "throttled").increment(1);
                self.audit_refused_guess(AuditEvent::LoginThrottled, &credentials.username, client).await;
                return Err(refusal);
            }
        };
        let candidate: Option<LoginCandidate> =
            on_pool!(&self.db, |pool| sqlx::query_as(SQL).bind(&key).fetch_optional(pool).await?);
        let typed = credentials.password.into_exposed();
        let (user_id, matches, expired, disabled, second_factor) = match candidate {
            Some(LoginCandidate { user_id, password_hash, password_expires_on, disabled_on, has_second_factor }) => {
                let matches = place.verify(typed, password_hash).await?;
                let expired = password_expires_on.is_some_and(|expiry| expiry <= now_micros());
                (Some(user_id), matches, expired, disabled_on.is_some(), has_second_factor)
            }
            None => {
                place.verify_dummy(typed).await?;
                (None, false, false, false, false)
            }
        };
        let Some(user_id) = user_id.filter(|_| matches) else {
            self.guard().record_failure(attempt).await?;
            metrics::counter!("dioptra_logins_total", "outcome" => "failure").increment(1);
            self.audit_name(AuditEvent::LoginFailed, user_id, &credentials.username, client).await;
            return Err(AccountError::InvalidCredentials);
        };
        if second_factor {
            // Not yet a success for the account: its guess stays counted until the second step.
            self.guard().record_right_password(attempt).await?;
        } else {
            self.guard().record_success(attempt).await?;
        }
        // Said only to someone who knows the password, so it tells an attacker nothing; the
        // owner learns why they cannot get in rather than that the password is wrong.
        if disabled {
            metrics::counter!("dioptra_logins_total", "outcome" => "disabled").increment(1);
            self.audit_name(AuditEvent::LoginDisabled, Some(user_id), &credentials.username, client).await;
            return Err(AccountError::AccountDisabled);
        }
        // With a second factor, an expired password is changed on the account page once the code
        // has let its owner in: the renewal form would change it on the password alone.
        if expired && !second_factor {
            metrics::counter!("dioptra_logins_total", "outcome" => "password_expired").increment(1);
            self.audit_name(AuditEvent::LoginPasswordExpired, Some(user_id), &credentials.username, client).await;
            return Err(AccountError::PasswordExpired);
        }
        // A known device only once the login is whole: with a second factor, after the code.
        let new_device = match device {
            Some(_) => None,
            None if second_factor => None,
            None => Some(self.remember_device(user_id).await?),
        };
        Ok(PasswordChecked { user_id, new_device, application: None })
    }

    /// A login with an application password that matched: refused only for a disabled account
    /// (said to someone who holds a working credential of it, so it tells an attacker nothing).
    async fn application_login(
        &self,
        login: ApplicationLogin,
        disabled: bool,
        username: &str,
        client: &ClientInfo,
    ) -> Result<PasswordChecked, AccountError> {
        let user_id = login.user_id;
        if disabled {
            metrics::counter!("dioptra_logins_total", "outcome" => "disabled").increment(1);
            self.audit_name(AuditEvent::LoginDisabled, Some(user_id), username, client).await;
            return Err(AccountError::AccountDisabled);
        }
        self.audit_by(AuditEvent::ApplicationPasswordUsed, user_id, username, &format!("{:?}", login.name), client)
            .await;
        Ok(PasswordChecked { user_id, new_device: None, application: Some(login) })
    }
}
