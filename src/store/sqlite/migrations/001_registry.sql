-- The tool registry: tools, their per-region rules, the names they answer to,
-- and who approves what.

CREATE TABLE regions (
  id TEXT PRIMARY KEY
) WITHOUT ROWID;

CREATE TABLE tools (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  vendor TEXT NOT NULL,
  vendor_country TEXT NOT NULL,
  category TEXT NOT NULL,
  risk TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high', 'critical')),
  status TEXT NOT NULL CHECK (status IN ('approved', 'conditional', 'exception_required', 'prohibited')),
  reason TEXT NOT NULL,
  conditions TEXT,
  alternatives TEXT NOT NULL DEFAULT '[]',   -- JSON array of tool ids
  aliases TEXT NOT NULL DEFAULT '[]',        -- JSON array of names
  max_exception_days INTEGER,
  approvers TEXT,                            -- JSON array of group ids, overrides the chain
  data TEXT NOT NULL DEFAULT '{}',           -- JSON facts about data handling
  policy_url TEXT,
  reviewed TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX tools_category_name ON tools (category, name);
CREATE INDEX tools_name ON tools (name);

CREATE TABLE tool_regions (
  tool_id TEXT NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
  region TEXT NOT NULL,
  status TEXT CHECK (status IN ('approved', 'conditional', 'exception_required', 'prohibited')),
  reason TEXT,
  conditions TEXT,
  alternatives TEXT,                         -- JSON array, NULL means "as globally"
  PRIMARY KEY (tool_id, region)
) WITHOUT ROWID;
CREATE INDEX tool_regions_region ON tool_regions (region, tool_id);

-- Every normalized name a tool answers to (id, name, aliases, words of them).
CREATE TABLE tool_keys (
  id INTEGER PRIMARY KEY,
  tool_id TEXT NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('id', 'name', 'alias', 'word'))
);
CREATE INDEX tool_keys_key ON tool_keys (key);
CREATE INDEX tool_keys_tool ON tool_keys (tool_id);

-- Each key and its single-deletion variants: the typo index (symmetric delete).
CREATE TABLE tool_key_variants (
  variant TEXT NOT NULL,
  key_id INTEGER NOT NULL REFERENCES tool_keys (id) ON DELETE CASCADE,
  PRIMARY KEY (variant, key_id)
) WITHOUT ROWID;
CREATE INDEX tool_key_variants_key ON tool_key_variants (key_id);

CREATE TABLE people (
  user_id TEXT PRIMARY KEY,
  name TEXT,
  region TEXT NOT NULL,
  department TEXT
) WITHOUT ROWID;

CREATE TABLE approver_groups (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  channel TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE approver_group_members (
  group_id TEXT NOT NULL REFERENCES approver_groups (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX approver_group_members_user ON approver_group_members (user_id, group_id);

CREATE TABLE approval_chains (
  risk TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high', 'critical')),
  position INTEGER NOT NULL,
  group_id TEXT NOT NULL REFERENCES approver_groups (id),
  PRIMARY KEY (risk, position)
) WITHOUT ROWID;

CREATE TABLE admins (
  user_id TEXT PRIMARY KEY
) WITHOUT ROWID;

-- Registry-wide settings (review channel and the like).
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
