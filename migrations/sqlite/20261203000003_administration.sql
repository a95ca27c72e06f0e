-- The administrators' console: disabled accounts, and when a session last had its password
-- entered (fresh authentication for administrative acts).

-- When an administrator disabled the account; NULL while it may log in.
ALTER TABLE users ADD COLUMN disabled_on INTEGER;
-- When the session's owner last typed the password in it (its login, or a confirmation since).
-- Sessions older than this column are never fresh: 0.
ALTER TABLE sessions ADD COLUMN confirmed_on INTEGER NOT NULL DEFAULT 0;
-- The overview counts events of a kind over the last day and week, and the audit trail is read
-- newest first, narrowed by kind, account or client address: each by its column and time.
CREATE INDEX audit_events_event_occurred_on ON audit_events (event, occurred_on);
CREATE INDEX audit_events_username_occurred_on ON audit_events (username, occurred_on);
CREATE INDEX audit_events_client_address_occurred_on ON audit_events (client_address, occurred_on);
