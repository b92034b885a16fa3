-- A tool's classification over time (issue 12): every change of status, risk, region status or
-- approvers, recorded in the transaction that makes it (import, registry edit, Slack), and the past
-- a registry file carries (`history:`), loaded on import. No foreign key: the history of a tool
-- outlives the tool (a pruned tool's record is still the record).
CREATE TABLE tool_history (
  id INTEGER PRIMARY KEY,
  tool_id TEXT NOT NULL,
  at TEXT NOT NULL,              -- when it took effect: the file's date (YYYY-MM or YYYY-MM-DD), or an ISO time
  actor TEXT,                    -- who decided it, where known
  source TEXT NOT NULL CHECK (source IN ('file', 'import', 'edit', 'slack')),
  before TEXT,                   -- JSON classification before, NULL where not known
  after TEXT NOT NULL,           -- JSON classification after: {status, risk, regions, approvers}
  reason TEXT
);
CREATE INDEX tool_history_tool ON tool_history (tool_id, at, id);
