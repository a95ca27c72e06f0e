-- The periodic clean-up deletes in batches of rows past a time. Without an index on that time,
-- each batch reads the table from its start, live rows included, so a backlog of millions (an
-- attacker's counters from as many addresses) is read again for every thousand deleted. With one,
-- a batch reads only the rows it deletes.
CREATE INDEX attempt_counters_last_attempt_on ON attempt_counters (last_attempt_on);
CREATE INDEX sessions_expires_on ON sessions (expires_on);
CREATE INDEX known_devices_expires_on ON known_devices (expires_on);
CREATE INDEX application_passwords_expires_on ON application_passwords (expires_on) WHERE expires_on IS NOT NULL;
