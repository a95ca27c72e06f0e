//! Signing in with a passkey: no username, no password. The browser's authenticator picks one of
//! its passkeys for this site and signs the server's challenge with it; the answer names the
//! credential and the account's handle, which find the passkey, whose public key checks the
//! signature. A passkey verified the user (PIN or biometrics), so the session starts at once,
//! second factor or not, and an expired password does not stand in the way (it is renewed on
//! the account page).

use webauthn_rs::prelude::{DiscoverableAuthentication, Passkey, PublicKeyCredential, Uuid};

use super::super::super::{Accounts, AuditEvent, ClientInfo, LoggedIn, PasswordChecked};
use super::PasskeyCeremony;
use super::{
    ceremonies::{Purpose, timed_out},
    refused,
};
use crate::{
    domain::username_key,
    error::AccountError,
    ssr::{clock::now_micros, db::on_pool},
};

/// A stored passkey found by its credential id, with its account.
#[derive(sqlx::FromRow)]
struct Found {
    passkey_id: i64,
    user_id: i64,
    user_handle: Vec<u8>,
    name: String,
    credential: String,
    username: String,
}

impl Accounts {
    /// Starts signing in with a passkey: the options for the browser's
    /// `navigator.credentials.get` (any passkey of this site; the page chooses whether the
    /// browser asks at once or offers them as the username field's autofill).
    pub async fn start_passkey_sign_in(&self, client: &ClientInfo) -> Result<PasskeyCeremony, AccountError> {
        let (mut options, state) = self
            .relying_party()?
            .start_discoverable_authentication()
            .map_err(|error| refused("The passkey sign-in could not be started", error))?;
        options.mediation = None;
        self.begin_ceremony(Purpose::SignIn, None, None, &state, &options, client).await
    }

    /// Finishes signing in with a passkey: checks the browser's answer (`credential`, the JSON of
    /// its `PublicKeyCredential`) to ceremony `ceremony` and starts a session.
    #[tracing::instrument(skip_all)]
    pub async fn finish_passkey_sign_in(
        &self,
        ceremony: &str,
        credential: &str,
        client: &ClientInfo,
    ) -> Result<LoggedIn, AccountError> {
        let waiting = self.take_ceremony(Purpose::SignIn, ceremony).await?;
        let state: DiscoverableAuthentication = serde_json::from_str(&waiting.state).map_err(|_| timed_out())?;
        let answer: PublicKeyCredential = serde_json::from_str(credential)
            .map_err(|error| refused("The browser's answer could not be read", error))?;
        let webauthn = self.relying_party()?;
        let (user_handle, credential_id) = webauthn
            .identify_discoverable_authentication(&answer)
            .map_err(|error| refused("The passkey did not say whose it is", error))?;
        const FIND: &str = concat!(
            "SELECT passkey_id, passkeys.user_id, user_handle, name, credential, username FROM passkeys ",
            "JOIN users ON users.user_id = passkeys.user_id WHERE credential_id = $1 AND ",
            usable_account!()
        );
        let found: Option<Found> =
            on_pool!(&self.db, |pool| { sqlx::query_as(FIND).bind(credential_id).fetch_optional(pool).await? });
        let Some(found) = found.filter(|found| Uuid::from_slice(&found.user_handle).ok() == Some(user_handle)) else {
            self.audit_name(AuditEvent::SecondFactorFailed, None, "", client).await;
            return Err(AccountError::Passkey(
                "This passkey does not open any account here (it may have been removed, or the account disabled)."
                    .into(),
            ));
        };
        let mut passkey: Passkey = serde_json::from_str(&found.credential).map_err(|_| AccountError::Internal)?;
        let result = match webauthn.finish_discoverable_authentication_v2(&answer, state, &passkey) {
            Ok(result) => result,
            Err(error) => {
                self.audit_by(AuditEvent::SecondFactorFailed, found.user_id, &found.username, "passkey", client).await;
                return Err(refused("The passkey's answer was refused", error));
            }
        };
        // The sign counter moves on; of two sign-ins at once, the stored one is never set back.
        let updated = passkey.update_credential(&result).unwrap_or(false).then(|| serde_json::to_string(&passkey));
        on_pool!(&self.db, |pool| {
            sqlx::query(
                "UPDATE passkeys SET last_used_on = $1, credential = COALESCE($2, credential) \
                 WHERE passkey_id = $3 AND credential = $4",
            )
            .bind(now_micros())
            .bind(updated.and_then(Result::ok))
            .bind(found.passkey_id)
            .bind(&found.credential)
            .execute(pool)
            .await?;
        });
        let detail = format!("passkey {:?}", found.name);
        self.audit_by(AuditEvent::SecondFactorUsed, found.user_id, &found.username, &detail, client).await;
        let key = username_key(&found.username);
        let device = self.proven_device(&key, client).await?;
        // A passkey is a whole login: what a password step before it left counted goes, as a
        // right code clears it.
        self.guard().record_second_step(&key, device.as_deref()).await?;
        let new_device = match device {
            Some(_) => None,
            None => Some(self.remember_device(found.user_id).await?),
        };
        let signed_in = self.start_session(PasswordChecked::new(found.user_id), client).await?;
        Ok(LoggedIn { signed_in, new_device })
    }
}
