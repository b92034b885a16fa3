-- The rule each audit entry is hashed under, so entries written before this release still verify
-- under the rule they were written with and the chain stays continuous (issue 9):
--   1  the first rule: SHA-256 over the previous hash and the content (not the id), as JavaScript strings
--   2  SHA-256 over the stored bytes of every column but the hash, the id included (no key available)
--   3  the same as an HMAC-SHA-256 with the audit key, which is kept outside the database
-- Existing entries are scheme 1; key_id names the key of a scheme-3 entry (a digest of it, not the key).
ALTER TABLE audit_log ADD COLUMN scheme INTEGER NOT NULL DEFAULT 1 CHECK (scheme BETWEEN 1 AND 3);
ALTER TABLE audit_log ADD COLUMN key_id TEXT;
