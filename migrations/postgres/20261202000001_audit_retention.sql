-- The periodic clean-up deletes audit events past their retention (--audit-retention-days) by
-- time: without this index each run would read the whole trail.
CREATE INDEX audit_events_occurred_on ON audit_events (occurred_on);
