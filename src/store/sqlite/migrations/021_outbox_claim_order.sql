-- The outbox worker claims the first due lane heads in the order they should go out (priority,
-- then next_attempt_at, then id; outboxRepo.ts `claim`). Without an index in that order SQLite read
-- every row of the table (delivered ones too) and sorted them, for each claim: O(table) per message
-- sent. With it, the claim walks pending rows in order and stops after `limit` lane heads, so its
-- cost is that of the rows it skips (claimed heads, and rows queued behind them), not the backlog.
CREATE INDEX outbox_claim ON outbox (priority, next_attempt_at, id) WHERE delivered_at IS NULL AND failed_at IS NULL;
