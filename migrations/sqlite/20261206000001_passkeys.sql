-- Passkeys (WebAuthn): a sign-in of their own and a second factor. The credential (its public
-- key, sign counter and flags) is stored as the webauthn library serialises it; reading it opens
-- no account. `user_handle` is the random id the authenticator keeps for the account (the same
-- for all of an account's passkeys), which a sign-in without a username hands back.
CREATE TABLE passkeys (
    passkey_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (user_id),
    credential_id BLOB    NOT NULL,
    user_handle   BLOB    NOT NULL,
    name          TEXT    NOT NULL,
    credential    TEXT    NOT NULL,
    created_on    INTEGER NOT NULL,
    last_used_on  INTEGER,
    CONSTRAINT passkeys_credential_id UNIQUE (credential_id)
);
CREATE INDEX passkeys_user_id ON passkeys (user_id);

-- A passkey ceremony under way (adding one, or signing in with one): its challenge and state,
-- kept here so that it may finish on any replica, for 5 minutes, and used once. Only the SHA-256
-- of the ceremony's id is kept. `user_id` is the account adding a passkey (NULL for a sign-in);
-- `client_address` bounds how many one address may have waiting.
CREATE TABLE passkey_ceremonies (
    ceremony_hash  BLOB    PRIMARY KEY,
    purpose        TEXT    NOT NULL CHECK (purpose IN ('add', 'sign-in')),
    user_id        INTEGER REFERENCES users (user_id),
    passkey_name   TEXT,
    client_address TEXT,
    state          TEXT    NOT NULL,
    expires_on     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX passkey_ceremonies_expires_on ON passkey_ceremonies (expires_on);
CREATE INDEX passkey_ceremonies_client_address ON passkey_ceremonies (client_address);
