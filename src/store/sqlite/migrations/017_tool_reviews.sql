-- Review requests for tools not in the registry (issue 12). Everyone asking about the same name
-- (normalised as matching does) joins the one open request: at most one open per name.
CREATE TABLE tool_reviews (
  id INTEGER PRIMARY KEY,
  name_key TEXT NOT NULL,
  name TEXT NOT NULL,
  vendor TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'classified', 'same_as', 'rejected')),
  created_at TEXT NOT NULL,
  decided_at TEXT,
  decided_by TEXT,
  tool_id TEXT,                -- the tool it became or was found to be (no foreign key: a tool may go later)
  reason TEXT,                 -- why it was rejected
  message_channel TEXT,        -- where its post in the review channel is, once posted
  message_ts TEXT
);
CREATE UNIQUE INDEX tool_reviews_open_name ON tool_reviews (name_key) WHERE status = 'open';

CREATE TABLE tool_review_askers (
  review_id INTEGER NOT NULL REFERENCES tool_reviews (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  usage TEXT NOT NULL,
  data_class TEXT NOT NULL CHECK (data_class IN ('public', 'internal', 'confidential', 'restricted')),
  asked_at TEXT NOT NULL,
  PRIMARY KEY (review_id, user_id)
) WITHOUT ROWID;
