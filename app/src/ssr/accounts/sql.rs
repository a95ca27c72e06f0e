//! SQL fragments that many of the core's queries share, as macros so that `concat!` can build
//! static statements from them (sqlx takes `'static` SQL, not formatted strings).

/// The rule for an account that can be used: not deleted. Every query that must not see deleted
/// accounts says so with this, never with a predicate of its own, so that a new state that ends
/// an account's use (a disabled account, say) is added here once.
macro_rules! live_account {
    () => {
        "users.deleted_on IS NULL"
    };
}

/// The columns of [`super::User`], in the order of its fields.
macro_rules! user_columns {
    () => {
        "users.user_id, users.username, users.email, users.created_on, users.last_modified_on, \
         users.last_login_on, users.password_expires_on"
    };
}
