-- Data upgrades that SQL alone cannot make (`app/src/ssr/upgrades.rs`): the server makes each
-- listed here right after migrating, and removes it.
CREATE TABLE pending_upgrades (
    name TEXT PRIMARY KEY
);
-- Usernames are compared in Unicode's composed form (NFC) from now on: a name stored decomposed
-- gets its composed form and key.
INSERT INTO pending_upgrades (name) VALUES ('usernames_in_nfc');
