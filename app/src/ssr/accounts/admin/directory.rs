//! The console's accounts table: every account, deleted ones included, with what an
//! administrator needs to see at a glance (status, last login, open sessions, the admin role),
//! searchable with the API's search language and paged.

use super::Accounts;
use crate::{
    domain::SearchTerm,
    error::AccountError,
    ssr::{
        accounts::{Page, paging::SqlFilters, users::matching},
        clock::{Micros, now_micros},
        db::on_pool,
    },
};

/// Where an account stands, as the table says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountStatus {
    Active,
    Disabled,
    PasswordExpired,
    Deleted,
}

impl AccountStatus {
    pub fn words(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Disabled => "disabled",
            AccountStatus::PasswordExpired => "password expired",
            AccountStatus::Deleted => "deleted",
        }
    }
}

/// One row of the accounts table.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AdminAccount {
    pub user_id: i64,
    pub username: String,
    pub email: String,
    pub created_on: Micros,
    pub last_login_on: Option<Micros>,
    pub password_expires_on: Option<Micros>,
    pub disabled_on: Option<Micros>,
    pub deleted_on: Option<Micros>,
    /// A manager (owner or admin) of the default group.
    pub is_administrator: bool,
    /// The owner of the default group, whom no act can disable, delete or demote.
    pub is_owner: bool,
    /// Whether the account has a second factor on (an authenticator app).
    pub has_second_factor: bool,
    /// Filled in after the page is read.
    #[sqlx(skip)]
    pub open_sessions: i64,
}

impl AdminAccount {
    pub fn status(&self, now: Micros) -> AccountStatus {
        if self.deleted_on.is_some() {
            AccountStatus::Deleted
        } else if self.disabled_on.is_some() {
            AccountStatus::Disabled
        } else if self.password_expires_on.is_some_and(|expiry| expiry <= now) {
            AccountStatus::PasswordExpired
        } else {
            AccountStatus::Active
        }
    }
}

const SELECT: &str = concat!(
    "SELECT users.user_id, users.username, users.email, users.created_on, \
     users.last_login_on, users.password_expires_on, users.disabled_on, users.deleted_on, \
     (COALESCE(managers.is_owner, FALSE) OR COALESCE(managers.is_admin, FALSE)) AS is_administrator, \
     COALESCE(managers.is_owner, FALSE) AS is_owner, ",
    has_second_factor!()
);
// The managers of the default group, joined by account: no parameter, so that the
// search's parameters stay the only ones.
const FROM: &str = " FROM users LEFT JOIN group_managers AS managers ON managers.user_id = users.user_id \
     AND managers.group_id = (SELECT group_id FROM groups WHERE is_default) WHERE users.user_id > 0";
/// The same accounts for the count: the join adds columns, never rows (one manager row at most
/// per account and group). No condition on the primary key, which would make SQLite read every
/// row of the table rather than a narrow index (and with no search at all, no condition: SQLite
/// then counts the pages of a b-tree, in well under a millisecond at a million accounts).
const COUNTED: &str = " FROM users WHERE TRUE";

/// How deep the accounts table goes, and how far it counts: past this many, narrowing the search
/// is quicker than paging, and counting or skipping a million accounts takes longer than an
/// administrator should wait (a search engine's "result window").
pub const ACCOUNTS_WINDOW: i64 = 10_000;

impl Accounts {
    /// Accounts (deleted ones too) matching every search term, ordered by id, with their open
    /// sessions counted. The total is counted up to [`ACCOUNTS_WINDOW`] + 1 (more means at
    /// least that many), and `index` must be below [`ACCOUNTS_WINDOW`].
    pub async fn admin_accounts(
        &self,
        terms: &[SearchTerm],
        index: i64,
        limit: i64,
    ) -> Result<Page<AdminAccount>, AccountError> {
        if index >= ACCOUNTS_WINDOW {
            return Err(AccountError::BadRequest(format!(
                "the table goes {ACCOUNTS_WINDOW} accounts deep: narrow the search to see further"
            )));
        }
        let filters = matching(FROM, terms);
        let counted = if terms.is_empty() { SqlFilters::new(" FROM users") } else { matching(COUNTED, terms) };
        let mut page: Page<AdminAccount> = self
            .page_counting(SELECT, "users.user_id", &filters, &counted, Some(ACCOUNTS_WINDOW), index, limit)
            .await?;
        let ids: Vec<i64> = page.items.iter().map(|account| account.user_id).collect();
        let counts = self.open_sessions_of(&ids).await?;
        for account in &mut page.items {
            account.open_sessions =
                counts.iter().find(|(user_id, _)| *user_id == account.user_id).map_or(0, |(_, count)| *count);
        }
        Ok(page)
    }

    /// One account (deleted ones too) as the table lists it.
    pub async fn admin_account(&self, user_id: i64) -> Result<Option<AdminAccount>, AccountError> {
        let mut filters = SqlFilters::new(FROM);
        filters.push(" AND users.user_id = ");
        filters.bind_id(user_id);
        let mut account: Option<AdminAccount> = self.first_row(SELECT, &filters).await?;
        if let Some(account) = &mut account {
            account.open_sessions = self.open_sessions_of(&[user_id]).await?.first().map_or(0, |(_, count)| *count);
        }
        Ok(account)
    }

    /// How many live sessions each of `user_ids` has (those with none are left out).
    async fn open_sessions_of(&self, user_ids: &[i64]) -> Result<Vec<(i64, i64)>, AccountError> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let now = now_micros();
        let idle_since = now.minus(self.settings.session_idle_timeout);
        Ok(on_pool!(&self.db, |pool| {
            let mut query = sqlx::QueryBuilder::new("SELECT user_id, COUNT(*) FROM sessions WHERE expires_on > ");
            query.push_bind(now).push(" AND last_seen_on > ").push_bind(idle_since).push(" AND user_id IN (");
            let mut list = query.separated(", ");
            for user_id in user_ids {
                list.push_bind(*user_id);
            }
            list.push_unseparated(") GROUP BY user_id");
            query.build_query_as().fetch_all(pool).await?
        }))
    }
}
