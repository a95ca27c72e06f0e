-- A client that keeps knocking on throttled accounts is recorded once a minute, with how many
-- times it knocked (repeats) and when it last did, not once per knock: an attacker's refused
-- guesses cannot fill the disk.
ALTER TABLE audit_events ADD COLUMN repeats BIGINT NOT NULL DEFAULT 1;
ALTER TABLE audit_events ADD COLUMN last_occurred_on BIGINT;
-- The minute (occurred_on in whole minutes) an aggregated event stands for; NULL for the events
-- recorded one by one.
ALTER TABLE audit_events ADD COLUMN aggregate_minute BIGINT;
-- What an aggregated row stands for: the client (an IPv6 address by its /64), so that a client
-- naming a new account, or a new address of its network, each time still shares one row. The row
-- keeps the first username and address as they came.
ALTER TABLE audit_events ADD COLUMN aggregate_key TEXT;
CREATE UNIQUE INDEX audit_events_aggregated ON audit_events (event, aggregate_key, aggregate_minute)
    WHERE aggregate_minute IS NOT NULL;
