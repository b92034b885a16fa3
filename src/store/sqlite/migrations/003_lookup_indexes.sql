-- Per-person lookups on every answer: find a holder's exceptions without touching anyone else's.
DROP INDEX exception_requests_requester;
CREATE INDEX exception_requests_holder_tool ON exception_requests (requester, tool_id, status, expires_at);
CREATE INDEX exception_requests_holder ON exception_requests (requester, status, expires_at);

-- `/can-i-use list` walks tools in name order and stops at the page size.
DROP INDEX tools_name;
DROP INDEX tools_category_name;
CREATE INDEX tools_name_nocase ON tools (name COLLATE NOCASE);
CREATE INDEX tools_category_name_nocase ON tools (category, name COLLATE NOCASE);

-- Counts per category, kept by registry import, so listing never counts 50,000 rows per request.
CREATE TABLE tool_categories (
  category TEXT PRIMARY KEY,
  count INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO tool_categories (category, count) SELECT category, COUNT(*) FROM tools GROUP BY category;
