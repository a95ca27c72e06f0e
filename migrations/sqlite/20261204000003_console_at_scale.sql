-- The console at a million accounts and ten million audit events. The overview counts disabled
-- and deleted accounts (few) from partial indexes instead of reading every account, and sums
-- the week's logins, failures and throttled attempts from an index that holds `repeats` too,
-- without visiting the events' rows.
CREATE INDEX users_disabled ON users (user_id) WHERE deleted_on IS NULL AND disabled_on IS NOT NULL;
CREATE INDEX users_deleted ON users (user_id) WHERE deleted_on IS NOT NULL;
DROP INDEX audit_events_event_occurred_on;
CREATE INDEX audit_events_event_occurred_on ON audit_events (event, occurred_on, repeats);
