-- Settings that administrators change from the console, shared by every replica (each reads
-- them again every few seconds). A setting without a row takes the server's command-line value.
CREATE TABLE settings (
    name       TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    changed_on BIGINT  NOT NULL,
    -- The administrator who set it; NULL for the operator at the command line.
    changed_by BIGINT  REFERENCES users (user_id)
);
