//! Recovery codes: the way in when the authenticator app is lost. Ten single-use codes of 16
//! characters from the application passwords' alphabet (about 79 random bits each, above NIST's
//! 64), shown once, kept as SHA-256 hashes; making new ones ends the old ones.

use sha2::{Digest, Sha256};

use super::super::{Accounts, AuditEvent, ClientInfo, SignedIn};
use crate::{
    domain::{Field, FieldErrors},
    error::AccountError,
    ssr::{
        clock::now_micros,
        db::{BeginWrite, on_pool},
        typable_secret,
    },
};

/// How many recovery codes an account gets at a time.
pub const RECOVERY_CODES: usize = 10;
/// Characters per code, shown in groups of four.
const CODE_CHARS: usize = 16;
fn generate_code() -> String {
    typable_secret::grouped(&typable_secret::generate(CODE_CHARS))
}

/// A recovery code as typed, in the form that is hashed: hyphens, spaces and case do not matter.
pub fn parse_recovery_code(typed: &str) -> Result<String, AccountError> {
    typable_secret::read_back(typed, CODE_CHARS).ok_or_else(|| {
        let message = "A recovery code has 16 letters and digits, as xxxx-xxxx-xxxx-xxxx.";
        AccountError::Invalid(FieldErrors::single(Field::RecoveryCode, message))
    })
}

fn code_hash(plain: &str) -> Vec<u8> {
    Sha256::digest(plain.as_bytes()).to_vec()
}

impl Accounts {
    /// How many unused recovery codes account `user_id` has.
    pub async fn recovery_codes_left(&self, user_id: i64) -> Result<i64, AccountError> {
        Ok(on_pool!(&self.db, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(pool)
                .await?
        }))
    }

    /// Ten new recovery codes for the signed-in account, which end its old ones; returned to be
    /// shown once. The caller has checked the app's code (or is turning the app on).
    pub(super) async fn replace_recovery_codes(
        &self,
        signed_in: &SignedIn,
        client: &ClientInfo,
    ) -> Result<Vec<String>, AccountError> {
        signed_in.refuse_application_session()?;
        let user_id = signed_in.user.user_id;
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| generate_code()).collect();
        let now = now_micros();
        on_pool!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            for code in &codes {
                let plain = code.replace('-', "");
                sqlx::query("INSERT INTO recovery_codes (user_id, code_hash, created_on) VALUES ($1, $2, $3)")
                    .bind(user_id)
                    .bind(code_hash(&plain))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        self.audit(AuditEvent::RecoveryCodesMade, Some(&signed_in.user), client).await;
        Ok(codes)
    }

    /// Deletes account `user_id`'s recovery codes: its last second factor is gone.
    pub(in crate::ssr::accounts) async fn forget_recovery_codes(&self, user_id: i64) -> Result<(), AccountError> {
        on_pool!(&self.db, |pool| {
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(pool).await?;
        });
        Ok(())
    }

    /// Uses up recovery code `plain` (as [`parse_recovery_code`] gives it) of account `user_id`:
    /// whether it was one. Of two requests with one code, one wins.
    pub(super) async fn use_recovery_code(&self, user_id: i64, plain: &str) -> Result<bool, AccountError> {
        let used = on_pool!(&self.db, |pool| {
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1 AND code_hash = $2")
                .bind(user_id)
                .bind(code_hash(plain))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(used == 1)
    }

    /// Whether account `user_id` still has the recovery codes `codes` (just made, in a cookie on
    /// their way to the page that shows them): all of them, unused.
    pub async fn has_recovery_codes(&self, user_id: i64, codes: &[String]) -> Result<bool, AccountError> {
        if codes.len() != RECOVERY_CODES {
            return Ok(false);
        }
        let mut hashes = Vec::with_capacity(RECOVERY_CODES);
        for code in codes {
            let Ok(plain) = parse_recovery_code(code) else { return Ok(false) };
            hashes.push(code_hash(&plain));
        }
        // One read for all ten (RECOVERY_CODES placeholders after the account's); a repeated
        // code matches one row, so it cannot stand in for the others.
        const _: () = assert!(RECOVERY_CODES == 10, "one placeholder per code");
        const SQL: &str = "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND code_hash IN \
                           ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
        let found: i64 = on_pool!(&self.db, |pool| {
            let mut query = sqlx::query_scalar(SQL).bind(user_id);
            for hash in &hashes {
                query = query.bind(hash);
            }
            query.fetch_one(pool).await?
        });
        let found = usize::try_from(found).unwrap_or_default();
        Ok(found == RECOVERY_CODES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_four_groups_of_four_and_parse_back_however_typed() {
        let code = generate_code();
        assert_eq!(code.len(), 19, "{code}");
        assert!(code.split('-').all(|group| group.len() == 4), "{code}");
        let plain = code.replace('-', "");
        assert_eq!(parse_recovery_code(&code).unwrap(), plain);
        assert_eq!(parse_recovery_code(&code.to_uppercase()).unwrap(), plain);
        assert_eq!(parse_recovery_code(&plain).unwrap(), plain);
        assert_eq!(parse_recovery_code(&code.replace('-', " ")).unwrap(), plain);
        for bad in ["", "abcd-efgh-jkmn", "abcd-efgh-jkmn-pqr0", "abcd-efgh-jkmn-pqrs-tuvw"] {
            assert!(parse_recovery_code(bad).is_err(), "{bad:?}");
        }
    }
}
