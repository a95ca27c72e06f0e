-- Groups of their own for every account (spec Part C): a group's name is unique per creator,
-- deleted groups included (a deleted group's name stays its creator's), not across the deployment;
-- a group is public (seen by every account) or private (seen by its members only); the default
-- group everyone joins is marked, as a second group may also be named `public`; a name has a
-- case-folded key for searches (as usernames have); a group has one owner at a time; an account's
-- managed groups are found by an index; an audit event can say what it was about.
--
-- Replicas of the earlier version cannot run beside this schema (their signup finds `public` by
-- its name's uniqueness, gone here): stop them all before the first replica of this one starts.
ALTER TABLE groups
    ADD COLUMN is_public BOOLEAN NOT NULL DEFAULT TRUE,
    ADD COLUMN is_default BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN name_key TEXT,
    DROP CONSTRAINT groups_name_key,
    ADD CONSTRAINT groups_creator_name_key UNIQUE (creator_id, name);
UPDATE groups SET is_default = (name = 'public'), name_key = lower(name);
ALTER TABLE groups ALTER COLUMN name_key SET NOT NULL;
CREATE INDEX groups_name_key ON groups (name_key text_pattern_ops);
CREATE UNIQUE INDEX groups_one_default ON groups (is_default) WHERE is_default;
CREATE UNIQUE INDEX group_managers_one_owner ON group_managers (group_id) WHERE is_owner;
CREATE INDEX group_managers_user_id ON group_managers (user_id);
ALTER TABLE audit_events ADD COLUMN detail TEXT;
