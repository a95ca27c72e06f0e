-- Groups of their own for every account (spec Part C): a group's name is unique per creator,
-- deleted groups included (a deleted group's name stays its creator's), not across the deployment;
-- a group is public (seen by every account) or private (seen by its members only); the default
-- group everyone joins is marked, as a second group may also be named `public`; a name has a
-- case-folded key for searches (as usernames have: SQLite's lower() folds ASCII only); a group
-- has one owner at a time; an account's managed groups are found by an index; an audit event can
-- say what it was about.
--
-- SQLite cannot drop a table's UNIQUE constraint, so `groups` is rebuilt. Its rows go back into
-- the new table under their old ids before the transaction ends, which is when the (deferred)
-- foreign keys of `group_members` are checked.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE groups_before AS SELECT * FROM groups;
DROP TABLE groups;
CREATE TABLE groups (
    group_id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT    NOT NULL,
    name_key         TEXT    NOT NULL,
    creator_id       INTEGER NOT NULL REFERENCES users (user_id),
    is_public        BOOLEAN NOT NULL DEFAULT TRUE,
    is_default       BOOLEAN NOT NULL DEFAULT FALSE,
    created_on       INTEGER NOT NULL,
    last_modified_on INTEGER NOT NULL,
    deleted_on       INTEGER,
    CONSTRAINT groups_creator_name_key UNIQUE (creator_id, name)
);
INSERT INTO groups (group_id, name, name_key, creator_id, is_public, is_default, created_on, last_modified_on,
                    deleted_on)
    SELECT group_id, name, lower(name), creator_id, TRUE, name = 'public', created_on, last_modified_on, deleted_on
    FROM groups_before;
DROP TABLE groups_before;
CREATE UNIQUE INDEX groups_one_default ON groups (is_default) WHERE is_default;
CREATE INDEX groups_name_key ON groups (name_key);
CREATE UNIQUE INDEX group_managers_one_owner ON group_managers (group_id) WHERE is_owner;
CREATE INDEX group_managers_user_id ON group_managers (user_id);
ALTER TABLE audit_events ADD COLUMN detail TEXT;
