-- Browsers that have logged in to an account before. A successful login hands the browser a
-- random device token in a long-lived cookie; while an account is under attack, only clients
-- that show one of its devices are let through its guessing limit. Only the token's SHA-256 is
-- kept. A password change or reset ends all of an account's devices.
CREATE TABLE known_devices (
    token_hash BYTEA  PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (user_id),
    created_on BIGINT NOT NULL,
    expires_on BIGINT NOT NULL
);
CREATE INDEX known_devices_user_id ON known_devices (user_id);
