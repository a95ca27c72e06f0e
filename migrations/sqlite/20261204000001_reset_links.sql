-- Password reset links that an administrator hands to an account's owner. The link carries a
-- 256-bit token; only its SHA-256 is kept, so reading this table opens no account. A link works
-- once: using it deletes its row, as does any new password for the account.
CREATE TABLE reset_links (
    token_hash BLOB    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (user_id),
    -- The administrator who made it; NULL for the operator at the command line.
    created_by INTEGER REFERENCES users (user_id),
    created_on INTEGER NOT NULL,
    expires_on INTEGER NOT NULL
) WITHOUT ROWID;
-- One link per account: its newest.
CREATE UNIQUE INDEX reset_links_user_id ON reset_links (user_id);
CREATE INDEX reset_links_expires_on ON reset_links (expires_on);
