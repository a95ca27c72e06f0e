//! The administrators' side of the core. An administrator is a manager (owner or admin) of the
//! default group, so the first account is one from the start, as in Dioptra. Here: who is one,
//! fresh authentication for their acts (`confirm.rs`), the acts on accounts (`acts.rs`), and what
//! the console reads: the accounts table (`directory.rs`), the overview (`overview.rs`) and the
//! audit trail (`trail.rs`).

mod acts;
mod confirm;
mod directory;
mod overview;
mod trail;

pub use acts::{ActDone, AdminAct};
pub use confirm::CONFIRMATION_LIFETIME;
pub use directory::{ACCOUNTS_WINDOW, AccountStatus, AdminAccount};
pub use overview::{HOURS_CHARTED, HourCounts, Overview};
pub use trail::{AuditCursor, AuditQuery, AuditRecord};

use super::{Accounts, SignedIn, User};
use crate::{
    error::AccountError,
    ssr::{clock::now_micros, db::on_pool},
};

/// Whether account `$1` manages the default group.
const IS_ADMINISTRATOR: &str = concat!("SELECT ", is_administrator!(), " FROM users WHERE users.user_id = $1");

/// Who does an administrative act: an administrator whose password is fresh on the session
/// asking, or the operator at the command line. Only [`Accounts::fresh_administrator`],
/// [`Accounts::confirm_administrator`] and [`Acting::operator`] make one, so no act happens
/// without one of them.
#[derive(Clone, Debug)]
pub struct Acting {
    administrator: Option<User>,
}

impl Acting {
    /// The operator, whose shell on the server is authority enough.
    pub fn operator() -> Self {
        Self { administrator: None }
    }

    /// The administrator's account; none for the operator.
    pub fn administrator(&self) -> Option<&User> {
        self.administrator.as_ref()
    }
}

impl Accounts {
    /// Whether a live account is an administrator.
    pub async fn is_administrator(&self, user_id: i64) -> Result<bool, AccountError> {
        let found: Option<bool> =
            on_pool!(&self.db, |pool| sqlx::query_scalar(IS_ADMINISTRATOR).bind(user_id).fetch_optional(pool).await?);
        Ok(found.unwrap_or(false))
    }

    /// The signed-in administrator, if their password was entered on this session within
    /// [`CONFIRMATION_LIFETIME`]: `NotAdministrator` for anyone else, `ConfirmationNeeded` when
    /// it is too long ago.
    pub async fn fresh_administrator(&self, signed_in: &SignedIn) -> Result<Acting, AccountError> {
        if !self.is_administrator(signed_in.user.user_id).await? {
            return Err(AccountError::NotAdministrator);
        }
        if !confirmed_recently(signed_in) {
            return Err(AccountError::ConfirmationNeeded);
        }
        Ok(Acting { administrator: Some(signed_in.user.clone()) })
    }
}

/// Whether the session's password was typed within [`CONFIRMATION_LIFETIME`].
pub fn confirmed_recently(signed_in: &SignedIn) -> bool {
    signed_in.confirmed_on > now_micros().minus(CONFIRMATION_LIFETIME)
}
