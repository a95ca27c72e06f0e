-- Second factors: an authenticator app (TOTP, RFC 6238) and recovery codes, and the logins that
-- wait for one between the password and the session.

-- One authenticator app per account. Its secret must be read to check codes, so it is stored as
-- it is (as every TOTP service does); `last_used_step` refuses a code's second use.
CREATE TABLE totp_factors (
    user_id        BIGINT PRIMARY KEY REFERENCES users (user_id),
    secret         BYTEA   NOT NULL,
    created_on     BIGINT  NOT NULL,
    -- NULL while its set-up waits for the first code from the app.
    enabled_on     BIGINT,
    last_used_step BIGINT  NOT NULL DEFAULT 0
);

-- Single-use recovery codes: about 79 random bits each, so their SHA-256 is all that is kept.
-- A used code's row is deleted.
CREATE TABLE recovery_codes (
    user_id    BIGINT  NOT NULL REFERENCES users (user_id),
    code_hash  BYTEA   NOT NULL,
    created_on BIGINT  NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);

-- A login whose password was right and which waits for its second factor: its token rides in a
-- short-lived cookie (only its SHA-256 is kept), and it ends after a few wrong codes.
CREATE TABLE login_challenges (
    token_hash BYTEA   PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (user_id),
    created_on BIGINT  NOT NULL,
    expires_on BIGINT  NOT NULL,
    failures   BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX login_challenges_expires_on ON login_challenges (expires_on);
