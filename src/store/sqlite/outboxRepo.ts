// The outbox: messages a state change must send, written in the same transaction as the
// change and delivered afterwards by a worker that retries until Slack takes them.
import { z } from 'zod';
import { DM_EVENTS, type Notice } from '../../domain/exceptions.ts';
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
  z.object({ kind: z.literal('stage_reminder'), requestId: z.number().int(), position: z.number().int() }),
  z.object({
    kind: z.literal('escalation'),
    requestId: z.number().int(),
    position: z.number().int(),
    admin: z.string(),
  }),
  z.object({ kind: z.literal('review_request'), channel: z.string(), user: z.string(), query: z.string() }),
  z.object({
    kind: z.literal('audit_head'),
    channel: z.string(),
    entry: z.number().int(),
    hash: z.string(),
    at: z.string(),
  }),
]);

/** Messages about one request go out in the order they were written; others don't wait for them. */
export const laneOf = (n: Notice): string =>
  'requestId' in n ? `request:${n.requestId}` : 'user' in n ? `${n.kind}:${n.user}` : n.kind;

interface Row {
  id: number;
  lane: string;
  message: string;
  attempts: number;
  created_at: string;
}

export function outboxRepo(db: Db) {
  const s = {
    insert: db.prepare<[string, string, string, string]>(
      'INSERT INTO outbox (lane, message, created_at, next_attempt_at) VALUES (?, ?, ?, ?)',
    ),
    // Due items that are first in their lane: a later message never overtakes an earlier one.
    // A message never tried is due at once, even if the change that wrote it was computed as of a
    // later time (`toolgate sweep --now <future>`); only retries wait for next_attempt_at.
    due: db.prepare<[string, number], Row>(`
      SELECT o.id, o.lane, o.message, o.attempts, o.created_at FROM outbox o
      WHERE o.delivered_at IS NULL AND o.failed_at IS NULL AND (o.attempts = 0 OR o.next_attempt_at <= ?)
        AND o.id = (SELECT MIN(p.id) FROM outbox p WHERE p.lane = o.lane AND p.delivered_at IS NULL AND p.failed_at IS NULL)
      ORDER BY o.next_attempt_at, o.id LIMIT ?`),
    delivered: db.prepare<[string, number]>(
      'UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ? AND delivered_at IS NULL',
    ),
    retry: db.prepare<[string, string, number]>(
      'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?',
    ),
    failed: db.prepare<[string, string, number]>(
      'UPDATE outbox SET attempts = attempts + 1, failed_at = ?, last_error = ? WHERE id = ?',
    ),
    nextDue: db.prepare<[], { at: string | null }>(
      'SELECT MIN(next_attempt_at) AS at FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL',
    ),
    pending: db.prepare<[], { n: number }>(
      'SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL',
    ),
    retryFailed: db.prepare<{ at: string; id: number | null }>(
      'UPDATE outbox SET failed_at = NULL, attempts = 0, next_attempt_at = :at WHERE failed_at IS NOT NULL AND (:id IS NULL OR id = :id)',
    ),
    failedList: db.prepare<
      [],
      { id: number; message: string; attempts: number; last_error: string | null; failed_at: string }
    >('SELECT id, message, attempts, last_error, failed_at FROM outbox WHERE failed_at IS NOT NULL ORDER BY id'),
  };
  return {
    /** Call inside the transaction that makes the change. */
    enqueue(notices: readonly Notice[], now: Date): void {
      const at = now.toISOString();
      for (const n of notices) s.insert.run(laneOf(n), JSON.stringify(n), at, at);
    },
    due(now: Date, limit: number): OutboxItem[] {
      return s.due.all(now.toISOString(), limit).map((r) => ({
        id: r.id,
        lane: r.lane,
        notice: noticeSchema.parse(JSON.parse(r.message)),
        attempts: r.attempts,
        createdAt: r.created_at,
      }));
    },
    markDelivered(id: number, now: Date): void {
      s.delivered.run(now.toISOString(), id);
    },
    markRetry(id: number, at: Date, error: string): void {
      s.retry.run(at.toISOString(), error.slice(0, 500), id);
    },
    markFailed(id: number, now: Date, error: string): void {
      s.failed.run(now.toISOString(), error.slice(0, 500), id);
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
