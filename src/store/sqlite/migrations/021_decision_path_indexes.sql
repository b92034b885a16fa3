-- Indexes for the decision path (issue 11: Approve decisions at 1,000/s), each in its query's order.

-- The outbox worker claims the first due lane heads in the order they should go out (priority,
-- then next_attempt_at, then id; outboxRepo.ts `claim`). Without an index in that order SQLite read
-- every row of the table (delivered ones too) and sorted them, for each claim: O(table) per message
-- sent. With it, the claim walks pending rows in order and stops after `limit` lane heads, so its
-- cost is that of the rows it skips (claimed heads, and rows queued behind them), not the backlog.
CREATE INDEX outbox_claim ON outbox (priority, next_attempt_at, id) WHERE delivered_at IS NULL AND failed_at IS NULL;

-- An approver's queue (exceptionRepo.ts `queueOfGroup`): a group's first pending stages in the order
-- the Home lists them, read in that order and no further, not every pending stage sorted, on every
-- Home refresh (after each decision an approver makes).
CREATE INDEX request_stages_queue ON request_stages (group_id, started_at, request_id) WHERE status = 'pending';
