-- Delegation while away (issue 13): "I'm away from <date> to <date>; my approvals go to @someone".
-- One absence a person at a time; the dates are whole UTC days, both included.
CREATE TABLE absences (
  user_id TEXT PRIMARY KEY,
  starts_on TEXT NOT NULL,           -- YYYY-MM-DD
  ends_on TEXT NOT NULL,             -- YYYY-MM-DD, the last day away
  delegate TEXT NOT NULL,
  set_at TEXT NOT NULL,
  CHECK (starts_on <= ends_on),
  CHECK (delegate <> user_id)
) WITHOUT ROWID;
CREATE INDEX absences_delegate ON absences (delegate);

-- A stage decided by a delegate names whom they stood in for (decided_by is the delegate).
ALTER TABLE request_stages ADD COLUMN on_behalf_of TEXT;
