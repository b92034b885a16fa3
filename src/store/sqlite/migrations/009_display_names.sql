-- Display names: people read "China mainland" and "AI coding assistant", not `cn` and `ai-coding-assistant`.
ALTER TABLE regions ADD COLUMN name TEXT;
CREATE TABLE category_names (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  position INTEGER NOT NULL
) WITHOUT ROWID;
