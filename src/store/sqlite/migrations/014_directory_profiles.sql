-- What Slack said about a person (issue 13), kept so that answering need not wait on Slack: the
-- users.info facts region rules look at, the custom profile field values of users.profile.get,
-- the workspace they last asked from (for `team` rules), and when it was read (PROFILE_TTL_HOURS).
-- Not registry data: a registry import leaves it alone.
CREATE TABLE directory_profiles (
  user_id TEXT PRIMARY KEY,
  team_id TEXT,            -- the workspace the person last asked from, else their own
  user_facts TEXT,         -- JSON {tz, email, standard}; NULL: users.info did not answer
  field_values TEXT,       -- JSON {field id: value}; NULL: users.profile.get did not answer
  fetched_at TEXT NOT NULL
);

-- The workspace's custom profile field labels (team.profile.get), to match a rule naming `Office`.
CREATE TABLE directory_field_labels (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  labels TEXT NOT NULL,    -- JSON {field id: label}
  fetched_at TEXT NOT NULL
);
