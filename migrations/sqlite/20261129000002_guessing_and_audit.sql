-- Counters against online guessing, and the audit trail. In the database rather than in each
-- process, so every replica sees the same counts and a restart forgets nothing.

-- One row per (scope, subject): failed password checks per account ('account', the username
-- key) and per client address ('address'), and signups per client address ('signup').
CREATE TABLE attempt_counters (
    scope             TEXT    NOT NULL,
    subject           TEXT    NOT NULL,
    attempts          INTEGER NOT NULL,
    window_started_on INTEGER NOT NULL,
    last_attempt_on   INTEGER NOT NULL,
    -- Until when further attempts are refused with 429; 0 when they are not.
    blocked_until     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, subject)
) WITHOUT ROWID;

-- Who did what, when, from where. Never a password or a token.
CREATE TABLE audit_events (
    event_id       INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_on    INTEGER NOT NULL,
    event          TEXT    NOT NULL,
    user_id        INTEGER,
    username       TEXT,
    client_address TEXT
);
CREATE INDEX audit_events_user_id ON audit_events (user_id);
CREATE INDEX sessions_last_seen_on ON sessions (last_seen_on);
