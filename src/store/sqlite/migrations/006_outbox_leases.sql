-- Outbox leases (issue 9, items 8, 10-12): a message is claimed before it is sent, so two
-- processes on one database never send it both; a lease a dead process left runs out and is
-- taken over. A message whose last attempt may have reached Slack (its sender died or timed out)
-- is "in doubt": the next attempt first looks for it in Slack. Messages about a request go
-- before notices. Delivered rows are pruned after OUTBOX_KEEP_DAYS.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;                      -- the worker sending it, while it does
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;                   -- when that lease runs out
ALTER TABLE outbox ADD COLUMN in_doubt INTEGER NOT NULL DEFAULT 0;  -- 1: an attempt may have reached Slack
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 1;  -- 0: about a request, 1: other notices
UPDATE outbox SET priority = 0 WHERE lane LIKE 'request:%';
CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;
