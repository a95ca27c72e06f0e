//! SQL fragments that many of the core's queries share, as macros so that `concat!` can build
//! static statements from them (sqlx takes `'static` SQL, not formatted strings).

/// The rule for an account that exists: not deleted. Every query that must not see deleted
/// accounts says so with this, never with a predicate of its own. A disabled account is live:
/// it is listed, keeps its groups and names, and can be enabled again.
macro_rules! live_account {
    () => {
        "users.deleted_on IS NULL"
    };
}

/// The rule for an account that may be signed in: live, and not disabled by an administrator.
/// Sessions are looked up and started with this; a login reads `disabled_on` itself, so that it
/// can say why after a correct password.
macro_rules! usable_account {
    () => {
        "users.deleted_on IS NULL AND users.disabled_on IS NULL"
    };
}

/// The columns of [`super::User`], in the order of its fields.
macro_rules! user_columns {
    () => {
        "users.user_id, users.username, users.email, users.created_on, users.last_modified_on, \
         users.last_login_on, users.password_expires_on"
    };
}

/// Whether the account in the query's `users` row is an administrator: a manager (owner or
/// admin) of the default group. A column expression.
macro_rules! is_administrator {
    () => {
        "EXISTS (SELECT 1 FROM group_managers JOIN groups ON groups.group_id = group_managers.group_id \
         WHERE groups.is_default AND group_managers.user_id = users.user_id \
         AND (group_managers.is_owner OR group_managers.is_admin))"
    };
}

/// Whether the `users` row in the query has a second factor on (an authenticator app, or a
/// passkey), as a condition.
macro_rules! second_factor_on {
    () => {
        "(EXISTS (SELECT 1 FROM totp_factors WHERE totp_factors.user_id = users.user_id \
         AND totp_factors.enabled_on IS NOT NULL) \
         OR EXISTS (SELECT 1 FROM passkeys WHERE passkeys.user_id = users.user_id))"
    };
}

/// [`second_factor_on!`] as a boolean column.
macro_rules! has_second_factor {
    () => {
        concat!(second_factor_on!(), " AS has_second_factor")
    };
}
