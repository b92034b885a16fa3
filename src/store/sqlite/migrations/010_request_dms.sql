-- Where the DMs that carry a button were posted (the "filed" DM's Cancel, the expiry reminder's
-- Renew), so a later change can update them in place instead of leaving a button that no longer applies.
CREATE TABLE request_dms (
  request_id INTEGER NOT NULL REFERENCES exception_requests (id) ON DELETE CASCADE,
  event TEXT NOT NULL CHECK (event IN ('filed', 'expiring')),
  channel TEXT NOT NULL,
  ts TEXT NOT NULL,
  PRIMARY KEY (request_id, event)
) WITHOUT ROWID;
