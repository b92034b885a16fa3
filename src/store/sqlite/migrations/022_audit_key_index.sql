-- Which audit keys the log was signed with is asked at every start (keysInUse in auditRepo.ts), as
-- MIN(id) by key_id. Without an index that read every entry of the log, before and after included
-- (a tenth of a second at 40,000 entries, growing with the log); with this one it reads the index
-- alone, a few bytes an entry.
CREATE INDEX audit_log_key ON audit_log (scheme, key_id, id);
