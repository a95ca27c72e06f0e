-- Accounts, the one `public` group, its members and managers, and login sessions.
-- Times are microseconds since the Unix epoch (UTC) on both backends, so comparisons are plain
-- integer comparisons whatever the database.

CREATE TABLE users (
    user_id             INTEGER PRIMARY KEY AUTOINCREMENT,
    username            TEXT    NOT NULL,
    -- Lower-cased username and email: uniqueness ignores case, enforced here rather than by a
    -- check-then-insert that two concurrent signups could both pass.
    username_key        TEXT    NOT NULL,
    email               TEXT    NOT NULL,
    email_key           TEXT    NOT NULL,
    password_hash       TEXT    NOT NULL,
    created_on          INTEGER NOT NULL,
    last_modified_on    INTEGER NOT NULL,
    last_login_on       INTEGER,
    password_expires_on INTEGER,
    -- Soft delete: a deleted account keeps its row, so its username and email stay reserved.
    deleted_on          INTEGER,
    CONSTRAINT users_username_key UNIQUE (username_key),
    CONSTRAINT users_email_key UNIQUE (email_key)
);

CREATE TABLE groups (
    group_id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT    NOT NULL,
    creator_id       INTEGER NOT NULL REFERENCES users (user_id),
    created_on       INTEGER NOT NULL,
    last_modified_on INTEGER NOT NULL,
    deleted_on       INTEGER,
    CONSTRAINT groups_name_key UNIQUE (name)
);

CREATE TABLE group_members (
    group_id        INTEGER NOT NULL REFERENCES groups (group_id),
    user_id         INTEGER NOT NULL REFERENCES users (user_id),
    can_read        BOOLEAN NOT NULL,
    can_write       BOOLEAN NOT NULL,
    can_share_read  BOOLEAN NOT NULL,
    can_share_write BOOLEAN NOT NULL,
    joined_on       INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user_id ON group_members (user_id);

CREATE TABLE group_managers (
    group_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    is_owner BOOLEAN NOT NULL,
    is_admin BOOLEAN NOT NULL,
    PRIMARY KEY (group_id, user_id),
    -- A manager is always a member.
    FOREIGN KEY (group_id, user_id) REFERENCES group_members (group_id, user_id)
);

-- Only a SHA-256 hash of each session token is stored: a copy of this table logs nobody in.
CREATE TABLE sessions (
    token_hash     BLOB    PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (user_id),
    created_on     INTEGER NOT NULL,
    last_seen_on   INTEGER NOT NULL,
    expires_on     INTEGER NOT NULL,
    client_address TEXT,
    user_agent     TEXT
) WITHOUT ROWID;
CREATE INDEX sessions_user_id ON sessions (user_id);
