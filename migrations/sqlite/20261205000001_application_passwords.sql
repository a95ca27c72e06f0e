-- Application passwords: a credential of its own for a script (Dioptra's Python client sends a
-- username and a password, nothing more). Each is 24 random characters (about 119 bits), so its
-- SHA-256 is all that is kept: reading this table opens no account. A session started with one
-- names it, and ends when it is revoked (the session's row goes with the password's).
CREATE TABLE application_passwords (
    application_password_id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id                 INTEGER NOT NULL REFERENCES users (user_id),
    name                    TEXT    NOT NULL,
    secret_hash             BLOB    NOT NULL,
    created_on              INTEGER NOT NULL,
    expires_on              INTEGER,
    last_used_on            INTEGER,
    CONSTRAINT application_passwords_secret_hash UNIQUE (secret_hash)
);
CREATE INDEX application_passwords_user_id ON application_passwords (user_id);

ALTER TABLE sessions ADD COLUMN application_password_id INTEGER REFERENCES application_passwords (application_password_id)
    ON DELETE CASCADE;
CREATE INDEX sessions_application_password_id ON sessions (application_password_id) WHERE application_password_id IS NOT NULL;
