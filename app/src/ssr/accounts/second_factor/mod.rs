//! Second factors: an authenticator app (`totp.rs`), passkeys (`passkeys/`, also a sign-in of
//! their own) and recovery codes (`recovery_codes.rs`).
//! A login whose password is right finishes here ([`Accounts::finish_login`]): an account with
//! a second factor gets no session yet but a *login challenge* (a token in a short-lived cookie,
//! only its SHA-256 stored, in `login_challenges`), which the code or a recovery code then turns
//! into a session on `/login/code` (or the account's passkey signs in there instead). Wrong codes count against the guessing limits like wrong
//! passwords, and a challenge ends after [`CHALLENGE_FAILURES`] of them. The REST API's login has
//! no second step: an account with a second factor logs in there with an application password.

mod passkeys;
mod policy;
mod recovery_codes;
mod totp;

pub(super) use passkeys::EXPIRED_PASSKEY_CEREMONIES;

use std::time::Duration;

pub use self::{
    passkeys::{
        CEREMONY_LIFETIME, MAX_PASSKEY_NAME_CHARS, MAX_PASSKEYS, PasskeyCeremony, PasskeyInfo, RelyingParty,
        parse_passkey_name,
    },
    policy::SecondFactorPolicy,
    recovery_codes::{RECOVERY_CODES, parse_recovery_code},
    totp::{TotpSetup, parse_code},
};
use super::{Accounts, AuditEvent, ClientInfo, LoggedIn, LoginChannel, PasswordChecked, SignedIn};
use crate::{
    domain::username_key,
    error::AccountError,
    ssr::{
        clean_up::{CleanUp, clean_up, delete_in_batches},
        clock::{Micros, now_micros},
        db::{BeginWrite, on_pool},
        session::SessionToken,
    },
};

/// How long a login waits for its second factor.
pub const CHALLENGE_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// How many wrong codes end a login challenge (the password must be typed again).
pub const CHALLENGE_FAILURES: i64 = 5;

/// Ends every login of account `$1` that waits for its second factor.
pub(super) const FORGET_CHALLENGES: &str = "DELETE FROM login_challenges WHERE user_id = $1";
/// Forgets everything of account `$1`'s second factor (its deletion).
pub(super) const FORGET_ALL: [&str; 5] = [
    FORGET_CHALLENGES,
    "DELETE FROM recovery_codes WHERE user_id = $1",
    "DELETE FROM totp_factors WHERE user_id = $1",
    "DELETE FROM passkeys WHERE user_id = $1",
    "DELETE FROM passkey_ceremonies WHERE user_id = $1",
];

/// Where a login stands once the password is right.
#[derive(Debug)]
pub enum SignInStep {
    /// Signed in: the new session.
    SignedIn(LoggedIn),
    /// The account has a second factor: the login challenge's token, for its cookie.
    SecondFactor(SessionToken),
}

/// What a code turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CodeCheck {
    Right,
    /// The app's code of a step already used (a replay, or the set-up's own code again).
    Used,
    Wrong,
}

impl CodeCheck {
    fn refusal(self) -> AccountError {
        match self {
            CodeCheck::Used => AccountError::Invalid(crate::domain::FieldErrors::single(
                crate::domain::Field::Code,
                "That code was just used. Wait for the app's next code.",
            )),
            _ => AccountError::WrongCode,
        }
    }
}

impl From<bool> for CodeCheck {
    fn from(right: bool) -> Self {
        if right { CodeCheck::Right } else { CodeCheck::Wrong }
    }
}

/// What someone gave for the second step.
#[derive(Clone, Debug)]
pub enum SecondFactorAnswer {
    /// The authenticator app's current code, as typed.
    Code(String),
    /// A recovery code, as typed.
    RecoveryCode(String),
}

impl SecondFactorAnswer {
    /// The answer in the form that is checked; a malformed one is a typing mistake, refused
    /// before anything is counted.
    fn parse(&self) -> Result<ParsedAnswer, AccountError> {
        Ok(match self {
            SecondFactorAnswer::Code(typed) => ParsedAnswer::Code(parse_code(typed)?),
            SecondFactorAnswer::RecoveryCode(typed) => ParsedAnswer::RecoveryCode(parse_recovery_code(typed)?),
        })
    }
}

/// A well-formed answer: six digits, or a recovery code's sixteen characters.
enum ParsedAnswer {
    Code(String),
    RecoveryCode(String),
}

/// The second factors an account has on: what the account page shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecondFactors {
    /// When the authenticator app was turned on, if it is.
    pub totp_since: Option<Micros>,
    pub passkeys: i64,
    pub recovery_codes_left: i64,
}

impl SecondFactors {
    pub fn any(&self) -> bool {
        self.totp_since.is_some() || self.passkeys > 0
    }
}

/// Login challenges past their lifetime (`$2`, now).
pub(crate) const EXPIRED_LOGIN_CHALLENGES: CleanUp =
    clean_up!(from "login_challenges" by "token_hash" where "expires_on <= $2");

impl Accounts {
    /// The second factors account `user_id` has on.
    pub async fn second_factors(&self, user_id: i64) -> Result<SecondFactors, AccountError> {
        let totp_since: Option<Option<Micros>> = on_pool!(&self.db, |pool| {
            sqlx::query_scalar("SELECT enabled_on FROM totp_factors WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(SecondFactors {
            totp_since: totp_since.flatten(),
            passkeys: self.passkey_count(user_id).await?,
            recovery_codes_left: self.recovery_codes_left(user_id).await?,
        })
    }

    /// The second factors of the account whose login challenge `token` is, while it waits: what
    /// the second step offers.
    pub async fn waiting_login_factors(&self, token: &SessionToken) -> Result<Option<SecondFactors>, AccountError> {
        let found: Option<i64> = on_pool!(&self.db, |pool| {
            sqlx::query_scalar(
                "SELECT user_id FROM login_challenges WHERE token_hash = $1 AND expires_on > $2 AND failures < $3",
            )
            .bind(token.hash())
            .bind(now_micros())
            .bind(CHALLENGE_FAILURES)
            .fetch_optional(pool)
            .await?
        });
        match found {
            Some(user_id) => Ok(Some(self.second_factors(user_id).await?)),
            None => Ok(None),
        }
    }

    /// The step after a right password: a session, or for an account with a second factor a
    /// login challenge. An application password is a factor of its own (it starts only an API
    /// session); over the API, the account's password alone cannot open an account that has a
    /// second factor.
    pub(super) async fn finish_login(
        &self,
        checked: PasswordChecked,
        channel: LoginChannel,
        client: &ClientInfo,
    ) -> Result<SignInStep, AccountError> {
        let user_id = checked.user_id();
        if checked.application().is_none() && self.second_factors(user_id).await?.any() {
            if channel == LoginChannel::Api {
                return Err(AccountError::UseApplicationPassword);
            }
            let token = SessionToken::generate();
            let now = now_micros();
            on_pool!(&self.db, |pool| {
                sqlx::query(
                    "INSERT INTO login_challenges (token_hash, user_id, created_on, expires_on) VALUES ($1, $2, $3, $4)",
                )
                .bind(token.hash())
                .bind(user_id)
                .bind(now)
                .bind(now.plus(CHALLENGE_LIFETIME))
                .execute(pool)
                .await?;
            });
            return Ok(SignInStep::SecondFactor(token));
        }
        let mut checked = checked;
        let new_device = checked.take_new_device();
        let signed_in = self.start_session(checked, client).await?;
        Ok(SignInStep::SignedIn(LoggedIn { signed_in, new_device }))
    }

    /// The second step of a login: the code (or a recovery code) for login challenge `token`.
    /// Right, the challenge is used up and a session starts; wrong, it counts as a failed guess
    /// against the account and the client.
    #[tracing::instrument(skip_all)]
    pub async fn verify_second_factor(
        &self,
        token: &SessionToken,
        answer: SecondFactorAnswer,
        client: &ClientInfo,
    ) -> Result<LoggedIn, AccountError> {
        let answer = answer.parse()?;
        // Each answer claims one of the challenge's tries before it is checked, in one statement:
        // parallel answers cannot get more than CHALLENGE_FAILURES of them.
        const CLAIM: &str = "UPDATE login_challenges SET failures = failures + 1 WHERE token_hash = $1 \
                             AND expires_on > $2 AND failures < $3 RETURNING user_id";
        let claimed: Option<i64> = on_pool!(&self.db, |pool| {
            sqlx::query_scalar(CLAIM)
                .bind(token.hash())
                .bind(now_micros())
                .bind(CHALLENGE_FAILURES)
                .fetch_optional(pool)
                .await?
        });
        let Some(user_id) = claimed else { return Err(AccountError::LoginTimedOut) };
        const USABLE: &str = concat!("SELECT username FROM users WHERE user_id = $1 AND ", usable_account!());
        let username: Option<String> =
            on_pool!(&self.db, |pool| sqlx::query_scalar(USABLE).bind(user_id).fetch_optional(pool).await?);
        let Some(username) = username else { return Err(AccountError::LoginTimedOut) };
        let device = self.check_answer(user_id, &username, &answer, client).await?;
        // Used up: of two requests with one challenge, one gets the session.
        let ended = on_pool!(&self.db, |pool| {
            sqlx::query("DELETE FROM login_challenges WHERE token_hash = $1")
                .bind(token.hash())
                .execute(pool)
                .await?
                .rows_affected()
        });
        if ended == 0 {
            return Err(AccountError::LoginTimedOut);
        }
        let detail = match answer {
            ParsedAnswer::Code(_) => "authenticator app",
            ParsedAnswer::RecoveryCode(_) => "recovery code",
        };
        self.audit_by(AuditEvent::SecondFactorUsed, user_id, &username, detail, client).await;
        let new_device = match device {
            Some(_) => None,
            None => Some(self.remember_device(user_id).await?),
        };
        let signed_in = self.start_session(PasswordChecked::new(user_id), client).await?;
        Ok(LoggedIn { signed_in, new_device })
    }

    /// Turns the signed-in account's authenticator app off (and with it the recovery codes),
    /// given its current code or a recovery code: someone holding only the session cannot.
    pub async fn turn_off_totp(
        &self,
        signed_in: &SignedIn,
        answer: SecondFactorAnswer,
        client: &ClientInfo,
    ) -> Result<(), AccountError> {
        signed_in.refuse_application_session()?;
        let user = &signed_in.user;
        let answer = answer.parse()?;
        self.check_answer(user.user_id, &user.username, &answer, client).await?;
        self.remove_totp(user.user_id).await?;
        self.end_other_sessions(signed_in).await?;
        self.audit_detail(AuditEvent::SecondFactorRemoved, user, "authenticator app", client).await;
        Ok(())
    }

    /// Makes new recovery codes for the signed-in account, given the app's current code (an
    /// account with passkeys only: its password typed within the last minutes): a stolen session
    /// alone could otherwise mint itself a way past the second factor.
    pub async fn new_recovery_codes(
        &self,
        signed_in: &SignedIn,
        typed: &str,
        client: &ClientInfo,
    ) -> Result<Vec<String>, AccountError> {
        signed_in.refuse_application_session()?;
        let user = &signed_in.user;
        let factors = self.second_factors(user.user_id).await?;
        if !factors.any() {
            return Err(AccountError::BadRequest("recovery codes come with a second factor".into()));
        }
        if factors.totp_since.is_some() {
            let code = ParsedAnswer::Code(parse_code(typed)?);
            self.check_answer(user.user_id, &user.username, &code, client).await?;
        } else if !super::confirmed_recently(signed_in) {
            // Passkeys only: the password typed within the last minutes, as adding one needs.
            return Err(AccountError::ConfirmationNeeded);
        }
        self.replace_recovery_codes(signed_in, client).await
    }

    /// Checks `answer` for account `user_id` (`username`) within the guessing limits, like a
    /// password, counted against the client's device when it has proven itself on the account.
    /// Wrong, or a code already used, it is counted, recorded and refused; right, the proven
    /// device (if any) is returned.
    async fn check_answer(
        &self,
        user_id: i64,
        username: &str,
        answer: &ParsedAnswer,
        client: &ClientInfo,
    ) -> Result<Option<Vec<u8>>, AccountError> {
        let key = username_key(username);
        let device = self.proven_device(&key, client).await?;
        let checked = self.guard().check_password_attempt(&key, client.address.as_deref(), device.as_deref()).await;
        let attempt = match checked {
            Ok(attempt) => attempt,
            Err(refusal) => {
                self.audit_refused_guess(AuditEvent::LoginThrottled, username, client).await;
                return Err(refusal);
            }
        };
        let outcome = match answer {
            ParsedAnswer::Code(code) => self.use_totp_code(user_id, username, code).await?,
            ParsedAnswer::RecoveryCode(code) => CodeCheck::from(self.use_recovery_code(user_id, code).await?),
        };
        if outcome != CodeCheck::Right {
            self.guard().record_failure(attempt).await?;
            self.audit_name(AuditEvent::SecondFactorFailed, Some(user_id), username, client).await;
            return Err(outcome.refusal());
        }
        self.guard().record_success(attempt).await?;
        Ok(device)
    }

    /// Ends every session of the signed-in account but this one, and its waiting logins: when
    /// the second factor changes, whoever was in on the old terms is out.
    pub(super) async fn end_other_sessions(&self, signed_in: &SignedIn) -> Result<(), AccountError> {
        on_pool!(&self.db, |pool| {
            sqlx::query(super::sessions::END_ALL_BUT)
                .bind(signed_in.user.user_id)
                .bind(signed_in.token.hash())
                .execute(pool)
                .await?;
            sqlx::query(FORGET_CHALLENGES).bind(signed_in.user.user_id).execute(pool).await?;
        });
        Ok(())
    }

    /// Turns account `user_id`'s second factor off without a code (an administrator's act or
    /// the operator's command, for an owner who lost both the app and the recovery codes) and
    /// ends the account's sessions and waiting logins: how many sessions, or `None` when it had
    /// no second factor.
    pub(in crate::ssr::accounts) async fn remove_second_factor(
        &self,
        user_id: i64,
    ) -> Result<Option<u64>, AccountError> {
        if !self.second_factors(user_id).await?.any() {
            return Ok(None);
        }
        // One transaction: no half-removed second factor, and a passkey being added meanwhile
        // needs its session, which ends here too.
        let ended = on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            for statement in FORGET_ALL {
                sqlx::query(statement).bind(user_id).execute(&mut *tx).await?;
            }
            let ended = sqlx::query(super::sessions::END_ALL).bind(user_id).execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            ended
        });
        Ok(Some(ended))
    }

    /// Deletes login challenges past their lifetime (the periodic clean-up).
    pub(super) async fn forget_expired_login_challenges(&self) -> Result<u64, AccountError> {
        let now = now_micros();
        Ok(delete_in_batches(&self.db, &EXPIRED_LOGIN_CHALLENGES, &[now]).await?)
    }
}
