-- Submitted views, by view id and hash: a view is acted on once, however often it is sent.
CREATE TABLE view_submissions (
  view_id TEXT NOT NULL,
  hash TEXT NOT NULL,
  user_id TEXT NOT NULL,
  submitted_at TEXT NOT NULL,
  PRIMARY KEY (view_id, hash)
) WITHOUT ROWID;
CREATE INDEX view_submissions_at ON view_submissions (submitted_at);
