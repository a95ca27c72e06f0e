//! Authenticator-app codes (TOTP, RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, one step of
//! clock skew either way), through the `totp-rs` crate. A code is accepted once: the step it
//! matched is stored, and a code of that step or an earlier one is refused.

use totp_rs::{Algorithm, Builder, Secret, Totp};

use super::{
    super::{Accounts, AuditEvent, ClientInfo, SignedIn, confirmed_recently},
    CodeCheck,
};
use crate::{
    PRODUCT_NAME,
    domain::{Field, FieldErrors},
    error::AccountError,
    ssr::{
        clock::{Micros, now_micros},
        db::{BeginWrite, on_pool},
    },
};

/// How many random bytes a secret has: 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
/// How long a set-up waits for the app's first code.
const SETUP_LIFETIME: std::time::Duration = std::time::Duration::from_secs(10 * 60);
/// The set-up of account `$1` begun after `$2`, still waiting for its first code.
const PENDING: &str = "SELECT secret FROM totp_factors WHERE user_id = $1 AND enabled_on IS NULL AND created_on > $2";

/// The TOTP of a stored secret, for account `username` (the name the app shows).
fn totp(secret: &[u8], username: &str) -> Result<Totp, AccountError> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(Secret::from(secret))
        .with_issuer(Some(PRODUCT_NAME))
        .with_account_name(username)
        .build()
        .map_err(|error| {
            tracing::error!(%error, "a stored TOTP secret does not make a TOTP");
            AccountError::Internal
        })
}

/// A code as typed: six digits, spaces allowed ("123 456").
pub fn parse_code(typed: &str) -> Result<String, AccountError> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(AccountError::Invalid(FieldErrors::single(Field::Code, "Enter the 6 digits your authenticator app shows.")))
    }
}

/// The step of the code `code` for `secret` at `unix_secs`, if it is right (one step of skew).
fn matching_step(secret: &[u8], username: &str, code: &str, unix_secs: u64) -> Result<Option<i64>, AccountError> {
    Ok(totp(secret, username)?.check(code, unix_secs).and_then(|step| i64::try_from(step).ok()))
}

fn unix_secs(at: Micros) -> u64 {
    u64::try_from(at.0 / 1_000_000).unwrap_or_default()
}

/// An authenticator app's set-up, before its first code: what the page shows.
#[derive(Clone, Debug)]
pub struct TotpSetup {
    /// The secret as people type it: base32, in groups of four.
    pub secret_text: String,
    /// The `otpauth://` address that the QR code carries.
    pub url: String,
}

impl Accounts {
    /// Starts setting up an authenticator app for the signed-in account: a new secret, waiting
    /// for a code from the app (an earlier set-up that never got one is replaced). The caller
    /// has checked that the session's password is fresh.
    pub async fn start_totp_setup(&self, signed_in: &SignedIn) -> Result<(), AccountError> {
        signed_in.refuse_application_session()?;
        let mut secret = [0u8; SECRET_BYTES];
        getrandom::fill(&mut secret).expect("the operating system provides randomness");
        const START: &str = "INSERT INTO totp_factors (user_id, secret, created_on) VALUES ($1, $2, $3) \
                             ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, \
                             created_on = excluded.created_on WHERE totp_factors.enabled_on IS NULL";
        let started = on_pool!(&self.db, |pool| {
            sqlx::query(START)
                .bind(signed_in.user.user_id)
                .bind(secret.as_slice())
                .bind(now_micros())
                .execute(pool)
                .await?
                .rows_affected()
        });
        if started == 0 {
            return Err(AccountError::BadRequest("an authenticator app is on already".into()));
        }
        Ok(())
    }

    /// The set-up waiting for its first code, if the signed-in account has one begun within
    /// the last 10 minutes and the session's password is fresh: the key is shown to nobody else.
    pub async fn totp_setup(&self, signed_in: &SignedIn) -> Result<Option<TotpSetup>, AccountError> {
        if signed_in.refuse_application_session().is_err() || !confirmed_recently(signed_in) {
            return Ok(None);
        }
        let since = now_micros().minus(SETUP_LIFETIME);
        let secret: Option<Vec<u8>> = on_pool!(&self.db, |pool| {
            sqlx::query_scalar(PENDING).bind(signed_in.user.user_id).bind(since).fetch_optional(pool).await?
        });
        let Some(secret) = secret else { return Ok(None) };
        let totp = totp(&secret, &signed_in.user.username)?;
        let base32 = totp.secret().to_base32();
        let groups: Vec<&str> =
            base32.as_bytes().chunks(4).filter_map(|group| std::str::from_utf8(group).ok()).collect();
        let url = totp.to_url().map_err(|error| {
            tracing::error!(%error, "no otpauth address for a TOTP");
            AccountError::Internal
        })?;
        Ok(Some(TotpSetup { secret_text: groups.join(" "), url }))
    }

    /// Turns the authenticator app on once the app's current code proves it holds the secret.
    /// Returns the account's new recovery codes when it had none (shown once), else nothing.
    pub async fn confirm_totp_setup(
        &self,
        signed_in: &SignedIn,
        typed: &str,
        client: &ClientInfo,
    ) -> Result<Option<Vec<String>>, AccountError> {
        signed_in.refuse_application_session()?;
        let code = parse_code(typed)?;
        let user_id = signed_in.user.user_id;
        let since = now_micros().minus(SETUP_LIFETIME);
        let secret: Option<Vec<u8>> = match confirmed_recently(signed_in) {
            true => on_pool!(&self.db, |pool| sqlx::query_scalar(PENDING)
                .bind(user_id)
                .bind(since)
                .fetch_optional(pool)
                .await?),
            false => None,
        };
        let Some(secret) = secret else {
            let message = "The set-up has timed out. Start it again from your account page.";
            return Err(AccountError::Invalid(FieldErrors::single(Field::Code, message)));
        };
        let now = now_micros();
        let Some(step) = matching_step(&secret, &signed_in.user.username, &code, unix_secs(now))? else {
            return Err(AccountError::Invalid(FieldErrors::single(
                Field::Code,
                "That is not the app's current code. Check that it shows this account, and try the next code.",
            )));
        };
        let enabled = on_pool!(&self.db, |pool| {
            sqlx::query(
                "UPDATE totp_factors SET enabled_on = $1, last_used_step = $2 WHERE user_id = $3 AND secret = $4 \
                 AND enabled_on IS NULL",
            )
            .bind(now)
            .bind(step)
            .bind(user_id)
            .bind(&secret)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if enabled == 0 {
            return Err(AccountError::BadRequest("no authenticator app is waiting to be set up".into()));
        }
        self.end_other_sessions(signed_in).await?;
        self.audit_detail(AuditEvent::SecondFactorAdded, &signed_in.user, "authenticator app", client).await;
        if self.recovery_codes_left(user_id).await? > 0 {
            return Ok(None);
        }
        Ok(Some(self.replace_recovery_codes(signed_in, client).await?))
    }

    /// Whether `code` is the current code of account `user_id`'s authenticator app, used for the
    /// first time; if so, no code of that step or earlier works again.
    pub(super) async fn use_totp_code(
        &self,
        user_id: i64,
        username: &str,
        code: &str,
    ) -> Result<CodeCheck, AccountError> {
        let secret: Option<Vec<u8>> = on_pool!(&self.db, |pool| {
            sqlx::query_scalar("SELECT secret FROM totp_factors WHERE user_id = $1 AND enabled_on IS NOT NULL")
                .bind(user_id)
                .fetch_optional(pool)
                .await?
        });
        let Some(secret) = secret else { return Ok(CodeCheck::Wrong) };
        let Some(step) = matching_step(&secret, username, code, unix_secs(now_micros()))? else {
            return Ok(CodeCheck::Wrong);
        };
        // Only a step after the last one used: of two requests with one code, one wins.
        let used = on_pool!(&self.db, |pool| {
            sqlx::query("UPDATE totp_factors SET last_used_step = $1 WHERE user_id = $2 AND last_used_step < $1")
                .bind(step)
                .bind(user_id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(if used == 1 { CodeCheck::Right } else { CodeCheck::Used })
    }

    /// Turns the authenticator app off, with the recovery codes unless passkeys remain.
    pub(in crate::ssr::accounts) async fn remove_totp(&self, user_id: i64) -> Result<(), AccountError> {
        on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query("DELETE FROM totp_factors WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            // The recovery codes stay while passkeys remain.
            sqlx::query(
                "DELETE FROM recovery_codes WHERE user_id = $1 AND NOT EXISTS (SELECT 1 FROM passkeys WHERE user_id = $1)",
            )
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B: the SHA-1 test vectors (8 digits there; the last 6 of each here, as
    /// the same truncation with 6 digits gives).
    #[test]
    fn codes_match_rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, eight_digits) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            let code = totp(secret, "alice").unwrap().generate(time);
            assert_eq!(code.to_string(), eight_digits[2..], "at {time}");
        }
    }

    #[test]
    fn one_step_of_skew_either_way_and_no_more() {
        let secret = b"12345678901234567890";
        let now = 1_111_111_111;
        let step = i64::try_from(now / 30).unwrap();
        for (offset, expected) in
            [(-60, None), (-30, Some(step - 1)), (0, Some(step)), (30, Some(step + 1)), (60, None)]
        {
            let at = u64::try_from(i64::try_from(now).unwrap() + offset).unwrap();
            let code = totp(secret, "alice").unwrap().generate(at).to_string();
            assert_eq!(matching_step(secret, "alice", &code, now).unwrap(), expected, "offset {offset}");
        }
    }

    #[test]
    fn codes_are_six_digits_and_spaces_do_not_matter() {
        assert_eq!(parse_code("123 456").unwrap(), "123456");
        assert_eq!(parse_code(" 123456 ").unwrap(), "123456");
        for bad in ["12345", "1234567", "12a456", "", "１２３４５６"] {
            assert!(parse_code(bad).is_err(), "{bad:?}");
        }
    }
}
