-- Second factors: an authenticator app (TOTP, RFC 6238) and recovery codes, and the logins that
-- wait for one between the password and the session.

-- One authenticator app per account. Its secret must be read to check codes, so it is stored as
-- it is (as every TOTP service does); `last_used_step` refuses a code's second use.
CREATE TABLE totp_factors (
    user_id        INTEGER PRIMARY KEY REFERENCES users (user_id),
    secret         BLOB    NOT NULL,
    created_on     INTEGER NOT NULL,
    -- NULL while its set-up waits for the first code from the app.
    enabled_on     INTEGER,
    last_used_step INTEGER NOT NULL DEFAULT 0
);

-- Single-use recovery codes: about 79 random bits each, so their SHA-256 is all that is kept.
-- A used code's row is deleted.
CREATE TABLE recovery_codes (
    user_id    INTEGER NOT NULL REFERENCES users (user_id),
    code_hash  BLOB    NOT NULL,
    created_on INTEGER NOT NULL,
    PRIMARY KEY (user_id, code_hash)
) WITHOUT ROWID;

-- A login whose password was right and which waits for its second factor: its token rides in a
-- short-lived cookie (only its SHA-256 is kept), and it ends after a few wrong codes.
CREATE TABLE login_challenges (
    token_hash BLOB    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (user_id),
    created_on INTEGER NOT NULL,
    expires_on INTEGER NOT NULL,
    failures   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX login_challenges_expires_on ON login_challenges (expires_on);
