-- Groups of their own for every account (spec Part C): a group's name is unique per creator,
-- deleted groups included (a deleted group's name stays its creator's), not across the deployment;
-- a group is public (seen by every account) or private (seen by its members only); the default
-- group everyone joins is marked, as a second group may also be named `public`; a group has one
-- owner at a time; an audit event can say what it was about.
ALTER TABLE groups
    ADD COLUMN is_public BOOLEAN NOT NULL DEFAULT TRUE,
    ADD COLUMN is_default BOOLEAN NOT NULL DEFAULT FALSE,
    DROP CONSTRAINT groups_name_key,
    ADD CONSTRAINT groups_creator_name_key UNIQUE (creator_id, name);
UPDATE groups SET is_default = TRUE WHERE name = 'public';
CREATE UNIQUE INDEX groups_one_default ON groups (is_default) WHERE is_default;
CREATE UNIQUE INDEX group_managers_one_owner ON group_managers (group_id) WHERE is_owner;
ALTER TABLE audit_events ADD COLUMN detail TEXT;
