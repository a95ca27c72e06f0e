//! The deployment's rule on second factors (a shared setting, `require_second_factor`): off,
//! for administrators, or for everyone. An account the rule covers that has no second factor is
//! led to set one up right after login, before anything else (`server/src/middleware/`): its
//! pages go to the account page, and its REST API calls are refused, until it has an
//! authenticator app or a passkey.

use super::super::{Accounts, SignedIn};
use crate::{error::AccountError, ssr::db::on_pool};

/// Whom the deployment requires a second factor of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SecondFactorPolicy {
    #[default]
    Off,
    /// The managers of the default group.
    Administrators,
    Everyone,
}

impl SecondFactorPolicy {
    pub const ALL: [SecondFactorPolicy; 3] =
        [SecondFactorPolicy::Off, SecondFactorPolicy::Administrators, SecondFactorPolicy::Everyone];

    /// Its name in the settings table, the command line and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            SecondFactorPolicy::Off => "off",
            SecondFactorPolicy::Administrators => "administrators",
            SecondFactorPolicy::Everyone => "everyone",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|policy| policy.as_str() == text.trim())
    }

    /// Whether it covers an account (`is_administrator`: whether it manages `public`).
    pub fn covers(self, is_administrator: bool) -> bool {
        match self {
            SecondFactorPolicy::Off => false,
            SecondFactorPolicy::Administrators => is_administrator,
            SecondFactorPolicy::Everyone => true,
        }
    }
}

impl Accounts {
    /// Whether the signed-in account must set up a second factor before anything else: the
    /// deployment's rule covers it and it has none. One indexed read, only when the rule covers it.
    pub async fn must_set_up_second_factor(&self, signed_in: &SignedIn) -> Result<bool, AccountError> {
        if !self.second_factor_policy().covers(signed_in.is_administrator) {
            return Ok(false);
        }
        Ok(!self.has_second_factor(signed_in.user.user_id).await?)
    }

    /// Whether account `user_id` has a second factor on (an authenticator app, or a passkey).
    pub(in crate::ssr::accounts) async fn has_second_factor(&self, user_id: i64) -> Result<bool, AccountError> {
        let has_one: Option<bool> = on_pool!(&self.db, |pool| {
            sqlx::query_scalar(concat!("SELECT ", second_factor_on!(), " FROM users WHERE user_id = $1"))
                .bind(user_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(has_one.unwrap_or(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_reads_its_own_names_and_covers_whom_it_says() {
        for policy in SecondFactorPolicy::ALL {
            assert_eq!(SecondFactorPolicy::parse(policy.as_str()), Some(policy));
        }
        assert_eq!(SecondFactorPolicy::parse("admins"), None);
        assert!(!SecondFactorPolicy::Off.covers(true));
        assert!(SecondFactorPolicy::Administrators.covers(true) && !SecondFactorPolicy::Administrators.covers(false));
        assert!(SecondFactorPolicy::Everyone.covers(false));
    }
}
