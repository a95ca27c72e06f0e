-- Searches are LIKE patterns on the lower-cased keys. The UNIQUE constraints' indexes follow the
-- database's collation, which LIKE cannot use; these can, for patterns with a literal prefix
-- (`username:al*`), so such searches stay fast with millions of accounts.
CREATE INDEX users_username_key_pattern ON users (username_key text_pattern_ops);
CREATE INDEX users_email_key_pattern ON users (email_key text_pattern_ops);
