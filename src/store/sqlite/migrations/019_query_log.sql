-- Demand (issue 12): every /can-i-use question, kept QUERY_LOG_DAYS and pruned by the sweep. Not
-- the registry (no version bump) and not the audit log (it is pruned): what people asked, for the
-- report. tool_id has no foreign key: a tool removed later must not take its history with it.
CREATE TABLE query_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  user TEXT NOT NULL,
  query TEXT NOT NULL,
  -- The query after the same normalisation as matching, so "Codex" and "codex " count as one name.
  query_key TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('found', 'ambiguous', 'not_found', 'list', 'help')),
  tool_id TEXT,
  -- The status the answer showed (the region's), null when it named no tool.
  status TEXT,
  region TEXT NOT NULL
);
CREATE INDEX query_log_at ON query_log (at);

-- When each periodic digest was last sent (the weekly stale-tools digest), so a sweep every
-- minute posts it once a week, and a restart neither repeats nor skips it.
CREATE TABLE digests (
  kind TEXT PRIMARY KEY,
  sent_at TEXT NOT NULL
) WITHOUT ROWID;
