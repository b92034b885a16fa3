// The outbox: messages a state change must send, written in the same transaction as the
// change and delivered afterwards by a worker that retries until Slack takes them.
import { z } from 'zod';
import { DM_EVENTS, REFRESHED_DMS, REVIEW_DM_EVENTS, type Notice } from '../../domain/exceptions.ts';
import type { OutboxItem } from '../../service/ports.ts';
import type { Db } from './db.ts';

const noticeSchema: z.ZodType<Notice> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('stage_message'), requestId: z.number().int(), position: z.number().int() }),
  z.object({
    kind: z.literal('dm'),
    user: z.string(),
    requestId: z.number().int(),
    event: z.enum(DM_EVENTS),
  }),
  z.object({
    kind: z.literal('stage_reminder'),
    requestId: z.number().int(),
    position: z.number().int(),
    user: z.string().optional(),
    onBehalfOf: z.string().optional(),
  }),
  z.object({
    kind: z.literal('escalation'),
    requestId: z.number().int(),
    position: z.number().int(),
    admin: z.string(),
    everyoneAway: z.boolean().optional(),
  }),
  z.object({ kind: z.literal('review_request'), channel: z.string(), user: z.string(), query: z.string() }),
  z.object({ kind: z.literal('review_post'), reviewId: z.number().int() }),
  z.object({
    kind: z.literal('review_dm'),
    reviewId: z.number().int(),
    user: z.string(),
    event: z.enum(REVIEW_DM_EVENTS),
  }),
  z.object({ kind: z.literal('dm_refresh'), requestId: z.number().int(), event: z.enum(REFRESHED_DMS) }),
  z.object({
    kind: z.literal('answer_refresh'),
    requestId: z.number().int(),
    user: z.string(),
    url: z.string(),
    until: z.string(),
  }),
  z.object({
    kind: z.literal('audit_head'),
    channel: z.string(),
    entry: z.number().int(),
    hash: z.string(),
    at: z.string(),
  }),
  z.object({
    kind: z.literal('stale_digest'),
    channel: z.string(),
    at: z.string(),
    maxAgeDays: z.number().int(),
    tools: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        lastChecked: z.string().nullable(),
        ageDays: z.number().nullable(),
      }),
    ),
  }),
]);

/** Messages about one request go out in the order they were written; others don't wait for them. */
export const laneOf = (n: Notice): string =>
  'reviewId' in n
    ? `review:${n.reviewId}`
    : 'requestId' in n
      ? `request:${n.requestId}`
      : 'user' in n
        ? `${n.kind}:${n.user}`
        : n.kind;

/** Messages about a request (approvals, the requester's DMs) go before other notices: people wait on them. */
export const priorityOf = (n: Notice): number => ('requestId' in n ? 0 : 1);

interface Row {
  id: number;
  lane: string;
  message: string;
  attempts: number;
  created_at: string;
  in_doubt: number;
}

const toItem = (r: Row): OutboxItem => ({
  id: r.id,
  lane: r.lane,
  notice: noticeSchema.parse(JSON.parse(r.message)),
  attempts: r.attempts,
  createdAt: r.created_at,
  inDoubt: r.in_doubt === 1,
});

/** Not delivered, not given up (columns of `alias`, when given). */
const pending = (alias = '') =>
  `${alias && `${alias}.`}delivered_at IS NULL AND ${alias && `${alias}.`}failed_at IS NULL`;

export function outboxRepo(db: Db) {
  const s = {
    insert: db.prepare<[string, string, string, string, number]>(
      'INSERT INTO outbox (lane, message, created_at, next_attempt_at, priority) VALUES (?, ?, ?, ?, ?)',
    ),
    // Due items that are first in their lane: a later message never overtakes an earlier one.
    // A message never tried is due at once, even if the change that wrote it was computed as of a
    // later time (`toolgate sweep --now <future>`); only retries wait for next_attempt_at.
    due: db.prepare<[string, number], Row>(`
      SELECT o.id, o.lane, o.message, o.attempts, o.created_at, o.in_doubt FROM outbox o
      WHERE ${pending('o')} AND (o.attempts = 0 OR o.next_attempt_at <= ?)
        AND o.id = (SELECT MIN(p.id) FROM outbox p WHERE p.lane = o.lane AND ${pending('p')})
      ORDER BY o.next_attempt_at, o.id LIMIT ?`),
    // Claims due items, so two workers never take the same one: the first in its lane (a lane's head
    // stays claimed until it is marked, so nothing behind it can be taken), not leased, or leased by a
    // worker whose lease ran out. Taking over a lease that was never given back (its worker died
    // mid-send) puts the message in doubt: it may have reached Slack.
    // The index outbox_claim (migration 021) is in the ORDER BY's order, so this walks pending rows
    // from the first due and stops after `limit` lane heads, instead of reading and sorting the table.
    // The ids are read, then each row leased by its id, in one IMMEDIATE transaction (claim below):
    // no other writer can come between. One UPDATE ... WHERE id IN (this SELECT) did the same but
    // cost SQLite 10 to 50 times as much, most when nothing was due (every kick after a change).
    claimable: db
      .prepare<{ now: string; limit: number }, number>(
        `
      SELECT o.id FROM outbox o
      WHERE ${pending('o')} AND (o.attempts = 0 OR o.next_attempt_at <= :now)
        AND (o.claimed_until IS NULL OR o.claimed_until <= :now)
        AND o.id = (SELECT MIN(p.id) FROM outbox p WHERE p.lane = o.lane AND ${pending('p')})
      ORDER BY o.priority, o.next_attempt_at, o.id LIMIT :limit`,
      )
      .pluck(),
    lease: db.prepare<
      { owner: string; until: string; id: number },
      Row & { priority: number; next_attempt_at: string }
    >(`
      UPDATE outbox SET claimed_by = :owner, claimed_until = :until,
        in_doubt = CASE WHEN claimed_by IS NOT NULL THEN 1 ELSE in_doubt END
      WHERE id = :id
      RETURNING id, lane, message, attempts, created_at, in_doubt, priority, next_attempt_at`),
    // Every mark gives the lease back.
    delivered: db.prepare<[string, number]>(
      `UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL, claimed_by = NULL, claimed_until = NULL, in_doubt = 0
       WHERE id = ? AND delivered_at IS NULL`,
    ),
    retry: db.prepare<{ at: string; error: string; id: number; inDoubt: number }>(
      `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = :at, last_error = :error, claimed_by = NULL, claimed_until = NULL,
         in_doubt = MAX(in_doubt, :inDoubt)
       WHERE id = :id AND delivered_at IS NULL`,
    ),
    failed: db.prepare<[string, string, number]>(
      'UPDATE outbox SET attempts = attempts + 1, failed_at = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ? AND delivered_at IS NULL',
    ),
    holders: db.prepare<[string], { owner: string }>(
      `SELECT DISTINCT claimed_by AS owner FROM outbox WHERE ${pending()} AND claimed_by IS NOT NULL AND claimed_until > ?`,
    ),
    endLeases: db.prepare<[string, string, string]>(
      `UPDATE outbox SET claimed_until = ? WHERE ${pending()} AND claimed_by = ? AND claimed_until > ?`,
    ),
    prune: db.prepare<[string]>('DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?'),
    nextDue: db.prepare<[], { at: string | null }>(`SELECT MIN(next_attempt_at) AS at FROM outbox WHERE ${pending()}`),
    pending: db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM outbox WHERE ${pending()}`),
    retryFailed: db.prepare<{ at: string; id: number | null }>(
      'UPDATE outbox SET failed_at = NULL, attempts = 0, next_attempt_at = :at WHERE failed_at IS NOT NULL AND (:id IS NULL OR id = :id)',
    ),
    failedList: db.prepare<
      [],
      { id: number; message: string; attempts: number; last_error: string | null; failed_at: string }
    >('SELECT id, message, attempts, last_error, failed_at FROM outbox WHERE failed_at IS NOT NULL ORDER BY id'),
  };
  // Made once: better-sqlite3 builds a new wrapper for every db.transaction() call.
  const claimTransaction = db.transaction((owner: string, at: string, until: string, limit: number) =>
    s.claimable.all({ now: at, limit }).flatMap((id) => s.lease.all({ owner, until, id })),
  );
  return {
    /** Call inside the transaction that makes the change. */
    enqueue(notices: readonly Notice[], now: Date): void {
      const at = now.toISOString();
      for (const n of notices) s.insert.run(laneOf(n), JSON.stringify(n), at, at, priorityOf(n));
    },
    due(now: Date, limit: number): OutboxItem[] {
      return s.due.all(now.toISOString(), limit).map(toItem);
    },
    /** Up to `limit` due items, leased to `owner` until now + leaseMs; in the order they should go out. */
    claim(owner: string, now: Date, leaseMs: number, limit: number): OutboxItem[] {
      const at = now.toISOString();
      const until = new Date(now.getTime() + leaseMs).toISOString();
      // Taking the write lock first: a claim never reads a snapshot another writer has moved past.
      const rows = claimTransaction.immediate(owner, at, until, limit);
      rows.sort((a, b) => a.priority - b.priority || a.next_attempt_at.localeCompare(b.next_attempt_at) || a.id - b.id);
      return rows.map(toItem);
    },
    markDelivered(id: number, now: Date): void {
      s.delivered.run(now.toISOString(), id);
    },
    markRetry(id: number, at: Date, error: string, inDoubt = false): void {
      s.retry.run({ at: at.toISOString(), error: error.slice(0, 500), id, inDoubt: inDoubt ? 1 : 0 });
    },
    markFailed(id: number, now: Date, error: string): void {
      s.failed.run(now.toISOString(), error.slice(0, 500), id);
    },
    /** Owners holding a lease that has not run out. */
    leaseHolders(now: Date): string[] {
      return s.holders.all(now.toISOString()).map((r) => r.owner);
    },
    /** Ends now every lease `owner` holds (it is known to be dead), so they can be taken over. */
    endLeases(owner: string, now: Date): number {
      const at = now.toISOString();
      return s.endLeases.run(at, owner, at).changes;
    },
    /** Deletes delivered rows older than `before`; pending and given-up ones stay. */
    pruneDelivered(before: Date): number {
      return s.prune.run(before.toISOString()).changes;
    },
    nextDueAt(): string | null {
      return s.nextDue.get()?.at ?? null;
    },
    pendingCount(): number {
      return s.pending.get()?.n ?? 0;
    },
    failedItems() {
      return s.failedList.all().map((r) => ({
        id: r.id,
        notice: noticeSchema.parse(JSON.parse(r.message)),
        attempts: r.attempts,
        lastError: r.last_error,
        failedAt: r.failed_at,
      }));
    },
    retryFailed(ids: readonly number[] | null, now: Date): number {
      const at = now.toISOString();
      if (ids === null) return s.retryFailed.run({ at, id: null }).changes;
      return db.transaction(() => ids.reduce((n, id) => n + s.retryFailed.run({ at, id }).changes, 0))();
    },
  };
}

export type OutboxRepo = ReturnType<typeof outboxRepo>;
