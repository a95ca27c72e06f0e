-- A group's members are listed in the order they joined, and only the first few (a group can hold
-- every account): this index gives that order without sorting the whole membership.
CREATE INDEX group_members_joined ON group_members (group_id, joined_on, user_id);
