-- Exception requests and their approval stages, the outbox of messages that state
-- changes must send, and the hash-chained audit log.

CREATE TABLE exception_requests (
  id INTEGER PRIMARY KEY,
  tool_id TEXT NOT NULL REFERENCES tools (id),
  requester TEXT NOT NULL,
  region TEXT NOT NULL,
  department TEXT,
  justification TEXT NOT NULL,
  usage TEXT NOT NULL,
  data_class TEXT NOT NULL CHECK (data_class IN ('public', 'internal', 'confidential', 'restricted')),
  duration_days INTEGER NOT NULL CHECK (duration_days > 0),
  status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'denied', 'cancelled', 'revoked', 'expired', 'superseded')),
  renewal_of INTEGER REFERENCES exception_requests (id),
  created_at TEXT NOT NULL,
  decided_at TEXT,
  expires_at TEXT,
  expiry_reminded_at TEXT,
  ended_at TEXT,
  ended_by TEXT,
  end_reason TEXT
);
CREATE INDEX exception_requests_requester ON exception_requests (requester, status, tool_id);
CREATE INDEX exception_requests_expiry ON exception_requests (status, expires_at);
-- At most one open request per person and tool, even under a race.
CREATE UNIQUE INDEX exception_requests_one_open ON exception_requests (requester, tool_id) WHERE status = 'pending';

CREATE TABLE request_stages (
  request_id INTEGER NOT NULL REFERENCES exception_requests (id),
  position INTEGER NOT NULL,
  group_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('waiting', 'pending', 'approved', 'denied', 'cancelled')),
  started_at TEXT,
  decided_by TEXT,
  decided_at TEXT,
  note TEXT,
  reminded_at TEXT,
  escalated_at TEXT,
  message_channel TEXT,
  message_ts TEXT,
  PRIMARY KEY (request_id, position)
) WITHOUT ROWID;
CREATE INDEX request_stages_open ON request_stages (status, started_at);
CREATE INDEX request_stages_group ON request_stages (group_id, status);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  lane TEXT NOT NULL,             -- messages of one lane go out in order
  message TEXT NOT NULL,          -- JSON: what to send, rendered when it is sent
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  delivered_at TEXT,
  failed_at TEXT,
  last_error TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_lane ON outbox (lane, id) WHERE delivered_at IS NULL AND failed_at IS NULL;

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject_type TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  before TEXT,
  after TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
