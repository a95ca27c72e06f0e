//! Passkeys (WebAuthn, checked by the `webauthn-rs` crate): a sign-in of their own, without a
//! username or password (`sign_in.rs`), and a second factor, since an account that has one asks
//! a password login for its second step. Adding one or signing in with one is a *ceremony* in two
//! halves (the server's challenge, the authenticator's signed answer), whose state waits in the
//! database between them (`ceremonies.rs`), so either half may reach any replica.
//!
//! The relying party is the deployment's origin: `--public-url`, or else `http://localhost:PORT`
//! (a passkey belongs to a domain, never to an IP address). Every passkey is made discoverable
//! (a resident key) and needs user verification (the device's PIN or biometrics), so a passkey
//! alone is two factors.

mod ceremonies;
mod sign_in;

pub(in crate::ssr::accounts) use ceremonies::EXPIRED_PASSKEY_CEREMONIES;

use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    Passkey, PasskeyRegistration, RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use self::ceremonies::Purpose;
pub use self::ceremonies::{CEREMONY_LIFETIME, PasskeyCeremony};
use super::super::{Accounts, AuditEvent, ClientInfo, SignedIn, confirmed_recently};
use crate::{
    domain::{Field, FieldErrors, is_format_character, nfc},
    error::AccountError,
    ssr::{
        clock::{Micros, now_micros},
        db::on_pool,
    },
};

/// How many passkeys one account may have.
pub const MAX_PASSKEYS: i64 = 10;
/// How long a passkey's name may be, in characters.
pub const MAX_PASSKEY_NAME_CHARS: usize = 64;

/// The deployment as the relying party of its passkeys.
pub struct RelyingParty {
    webauthn: Webauthn,
    origin: String,
}

impl RelyingParty {
    /// The relying party for `origin` (`scheme://host[:port]`), whose host is its id.
    pub fn new(origin: &str) -> Result<Self, String> {
        let url = Url::parse(origin).map_err(|error| format!("{origin} is not a URL: {error}"))?;
        let host = url.host_str().ok_or_else(|| format!("{origin} names no host"))?.to_owned();
        let webauthn = WebauthnBuilder::new(&host, &url)
            .and_then(|builder| builder.rp_name("Dioptra").timeout(CEREMONY_LIFETIME).build())
            .map_err(|error| format!("passkeys cannot belong to {origin}: {error}"))?;
        Ok(Self { webauthn, origin: url.origin().ascii_serialization() })
    }

    /// The origin passkeys work at.
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

/// One of an account's passkeys, as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct PasskeyInfo {
    pub passkey_id: i64,
    pub name: String,
    pub created_on: Micros,
    pub last_used_on: Option<Micros>,
}

/// A passkey's name: trimmed, NFC, at most 64 characters, no control characters; empty names it
/// "Passkey".
pub fn parse_passkey_name(raw: &str) -> Result<String, AccountError> {
    let name = nfc(raw.trim()).into_owned();
    let refuse = |message: &str| AccountError::Invalid(FieldErrors::single(Field::CredentialName, message));
    if name.chars().count() > MAX_PASSKEY_NAME_CHARS {
        return Err(refuse(&format!("A name has at most {MAX_PASSKEY_NAME_CHARS} characters.")));
    }
    if name.chars().any(|c| c.is_control() || is_format_character(c)) {
        return Err(refuse("A name cannot contain control or invisible characters."));
    }
    Ok(if name.is_empty() { "Passkey".to_owned() } else { name })
}

/// What waits between the two halves of adding a passkey.
#[derive(Serialize, Deserialize)]
struct AddingState {
    user_handle: Uuid,
    registration: PasskeyRegistration,
}

/// A refusal of the browser's answer, with the library's reason kept for the log only.
fn refused(what: &str, error: impl std::fmt::Display) -> AccountError {
    tracing::info!(%error, "{what}");
    AccountError::Passkey(format!("{what}. Try again, or use another passkey."))
}

impl Accounts {
    /// Serves passkeys for `origin`: the server calls it once it knows its address.
    pub fn serve_passkeys_at(&self, origin: &str) -> Result<(), String> {
        let relying_party = RelyingParty::new(origin)?;
        // A second call (tests build several servers on one core) keeps the first.
        let _ = self.passkeys.set(relying_party);
        Ok(())
    }

    /// The origin passkeys work at, when this server serves them.
    pub fn passkey_origin(&self) -> Option<&str> {
        self.passkeys.get().map(RelyingParty::origin)
    }

    fn relying_party(&self) -> Result<&Webauthn, AccountError> {
        let relying_party =
            self.passkeys.get().ok_or_else(|| AccountError::Passkey("Passkeys are off here.".into()))?;
        Ok(&relying_party.webauthn)
    }

    /// Account `user_id`'s passkeys, oldest first.
    pub async fn passkeys(&self, user_id: i64) -> Result<Vec<PasskeyInfo>, AccountError> {
        Ok(on_pool!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT passkey_id, name, created_on, last_used_on FROM passkeys WHERE user_id = $1 ORDER BY passkey_id",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// How many passkeys account `user_id` has.
    pub(in crate::ssr::accounts) async fn passkey_count(&self, user_id: i64) -> Result<i64, AccountError> {
        Ok(on_pool!(&self.db, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM passkeys WHERE user_id = $1").bind(user_id).fetch_one(pool).await?
        }))
    }

    /// Starts adding a passkey named `name` to the signed-in account, whose password must have
    /// been typed within the last minutes: the options for the browser's
    /// `navigator.credentials.create`.
    pub async fn start_adding_passkey(
        &self,
        signed_in: &SignedIn,
        name: &str,
        client: &ClientInfo,
    ) -> Result<PasskeyCeremony, AccountError> {
        signed_in.refuse_application_session()?;
        if !confirmed_recently(signed_in) {
            return Err(AccountError::ConfirmationNeeded);
        }
        let name = parse_passkey_name(name)?;
        let user = &signed_in.user;
        let existing: Vec<(Vec<u8>, String)> = on_pool!(&self.db, |pool| {
            sqlx::query_as("SELECT user_handle, credential FROM passkeys WHERE user_id = $1")
                .bind(user.user_id)
                .fetch_all(pool)
                .await?
        });
        if i64::try_from(existing.len()).unwrap_or(i64::MAX) >= MAX_PASSKEYS {
            let message = format!("An account has at most {MAX_PASSKEYS} passkeys. Remove one first.");
            return Err(AccountError::Invalid(FieldErrors::single(Field::CredentialName, &message)));
        }
        // One handle per account, which a sign-in without a username hands back.
        let user_handle =
            existing.first().and_then(|(handle, _)| Uuid::from_slice(handle).ok()).unwrap_or_else(Uuid::new_v4);
        let exclude: Vec<_> = existing
            .iter()
            .filter_map(|(_, credential)| serde_json::from_str::<Passkey>(credential).ok())
            .map(|passkey| passkey.cred_id().clone())
            .collect();
        let (mut options, registration) = self
            .relying_party()?
            .start_passkey_registration(user_handle, &user.username, &user.username, Some(exclude))
            .map_err(|error| refused("The passkey could not be started", error))?;
        // A passkey that signs in without a username must live on the authenticator.
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(ResidentKeyRequirement::Required);
            selection.require_resident_key = true;
        }
        let state = AddingState { user_handle, registration };
        self.begin_ceremony(Purpose::Add, Some(user.user_id), Some(&name), &state, &options, client).await
    }

    /// Finishes adding a passkey: checks the browser's answer (`credential`, the JSON of its
    /// `PublicKeyCredential`) to ceremony `ceremony`, and keeps the passkey. Other sessions end,
    /// as with every change to the second factors. With the account's first second factor come
    /// its recovery codes, returned to be shown once.
    pub async fn finish_adding_passkey(
        &self,
        signed_in: &SignedIn,
        ceremony: &str,
        credential: &str,
        client: &ClientInfo,
    ) -> Result<Option<Vec<String>>, AccountError> {
        signed_in.refuse_application_session()?;
        let user = &signed_in.user;
        let waiting = self.take_ceremony(Purpose::Add, ceremony).await?;
        if waiting.user_id != Some(user.user_id) {
            return Err(ceremonies::timed_out());
        }
        let state: AddingState = serde_json::from_str(&waiting.state).map_err(|_| ceremonies::timed_out())?;
        let answer: RegisterPublicKeyCredential = serde_json::from_str(credential)
            .map_err(|error| refused("The browser's answer could not be read", error))?;
        let passkey = self
            .relying_party()?
            .finish_passkey_registration(&answer, &state.registration)
            .map_err(|error| refused("The passkey was refused", error))?;
        let name = waiting.passkey_name.unwrap_or_else(|| "Passkey".to_owned());
        let stored = serde_json::to_string(&passkey).map_err(|_| AccountError::Internal)?;
        let credential_id: &[u8] = passkey.cred_id().as_ref();
        let added = on_pool!(&self.db, |pool| {
            sqlx::query(
                // Only while the session that added it lives: an administrator's Turn off two-step
                // login (or a reset) that ends it meanwhile also ends the adding.
                "INSERT INTO passkeys (user_id, credential_id, user_handle, name, credential, created_on) \
                 SELECT $1, $2, $3, $4, $5, $6 WHERE (SELECT COUNT(*) FROM passkeys WHERE user_id = $1) < $7 \
                 AND EXISTS (SELECT 1 FROM sessions WHERE token_hash = $8 AND user_id = $1) \
                 ON CONFLICT (credential_id) DO NOTHING",
            )
            .bind(user.user_id)
            .bind(credential_id)
            .bind(state.user_handle.as_bytes().as_slice())
            .bind(&name)
            .bind(&stored)
            .bind(now_micros())
            .bind(MAX_PASSKEYS)
            .bind(signed_in.token.hash())
            .execute(pool)
            .await?
            .rows_affected()
        });
        if added == 0 {
            return Err(AccountError::Passkey(format!(
                "This passkey is registered already, or the account has {MAX_PASSKEYS} passkeys."
            )));
        }
        self.end_other_sessions(signed_in).await?;
        self.audit_detail(AuditEvent::SecondFactorAdded, user, &format!("passkey {name:?}"), client).await;
        if self.recovery_codes_left(user.user_id).await? > 0 {
            return Ok(None);
        }
        Ok(Some(self.replace_recovery_codes(signed_in, client).await?))
    }

    /// Removes passkey `passkey_id` of the signed-in account, whose password must have been
    /// typed within the last minutes. Other sessions end; with the last second factor go the
    /// recovery codes.
    pub async fn remove_passkey(
        &self,
        signed_in: &SignedIn,
        passkey_id: i64,
        client: &ClientInfo,
    ) -> Result<(), AccountError> {
        signed_in.refuse_application_session()?;
        if !confirmed_recently(signed_in) {
            return Err(AccountError::ConfirmationNeeded);
        }
        let user = &signed_in.user;
        let removed: Option<String> = on_pool!(&self.db, |pool| {
            sqlx::query_scalar("DELETE FROM passkeys WHERE passkey_id = $1 AND user_id = $2 RETURNING name")
                .bind(passkey_id)
                .bind(user.user_id)
                .fetch_optional(pool)
                .await?
        });
        let Some(name) = removed else {
            return Err(AccountError::Passkey("There is no such passkey (it was removed already).".into()));
        };
        if !self.second_factors(user.user_id).await?.any() {
            self.forget_recovery_codes(user.user_id).await?;
        }
        self.end_other_sessions(signed_in).await?;
        self.audit_detail(AuditEvent::SecondFactorRemoved, user, &format!("passkey {name:?}"), client).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passkey_name_is_trimmed_and_bounded() {
        assert_eq!(parse_passkey_name("  laptop ").unwrap(), "laptop");
        assert_eq!(parse_passkey_name("").unwrap(), "Passkey");
        assert!(parse_passkey_name(&"x".repeat(MAX_PASSKEY_NAME_CHARS + 1)).is_err());
        assert!(parse_passkey_name("lap\ntop").is_err());
        assert!(parse_passkey_name("pot\u{202E}pal").is_err(), "a bidirectional override");
    }

    #[test]
    fn the_relying_party_is_the_origins_host_and_never_an_address() {
        let localhost = RelyingParty::new("http://localhost:3000").unwrap();
        assert_eq!(localhost.origin(), "http://localhost:3000");
        assert_eq!(RelyingParty::new("https://dioptra.example.org").unwrap().origin(), "https://dioptra.example.org");
        assert!(RelyingParty::new("not a url").is_err());
    }
}
