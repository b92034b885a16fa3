// Demand in SQLite (issue 12): the /can-i-use query log, written in batches off the answer's path;
// the report's rows (grouped in SQL where they could be many); and periodic digests, sent once per period.
import type { QueryLogEntry, ReportRows } from '../../domain/report.ts';
import type { RequestStatus } from '../../domain/exceptions.ts';
import type { DemandStore } from '../../service/ports.ts';
import type { AuditRepo } from './auditRepo.ts';
import { writeTransaction, type Db } from './db.ts';
import type { OutboxRepo } from './outboxRepo.ts';

/** A question is written within this long of being asked (or at once when many are waiting). */
const FLUSH_MS = 250;
const FLUSH_AT = 200;
/** If the database cannot take them for a long while, the oldest questions are dropped past this many. */
const MAX_BUFFERED = 20_000;

export interface DemandRepo extends DemandStore {
  /** Writes what is buffered, at once (the store is closing). */
  flushSync: () => void;
}

export function demandRepo(db: Db, audit: AuditRepo, outbox: OutboxRepo): DemandRepo {
  const s = {
    // Positional: binding eight named values from an object costs half as much again, once a question.
    insert: db.prepare<[string, string, string, string, string, string | null, string | null, string]>(
      `INSERT INTO query_log (at, user, query, query_key, outcome, tool_id, status, region) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    prune: db.prepare('DELETE FROM query_log WHERE at < ?'),
    questions: db.prepare<[string, string], number>('SELECT COUNT(*) FROM query_log WHERE at >= ? AND at <= ?').pluck(),
    toolQueries: db.prepare<[string, string], { toolId: string; count: number; askers: number }>(
      `SELECT tool_id AS toolId, COUNT(*) AS count, COUNT(DISTINCT user) AS askers FROM query_log
       WHERE at >= ? AND at <= ? AND tool_id IS NOT NULL GROUP BY tool_id`,
    ),
    unknownQueries: db.prepare<[string, string], { key: string; example: string; count: number; askers: number }>(
      `SELECT query_key AS key, MIN(query) AS example, COUNT(*) AS count, COUNT(DISTINCT user) AS askers FROM query_log
       WHERE at >= ? AND at <= ? AND outcome = 'not_found' AND query_key <> '' GROUP BY query_key`,
    ),
    requests: db.prepare<[string, string], { id: number; toolId: string; status: RequestStatus }>(
      `SELECT id, tool_id AS toolId, status FROM exception_requests WHERE created_at >= ? AND created_at <= ? ORDER BY id`,
    ),
    stages: db.prepare<
      [string, string],
      { groupId: string; status: 'approved' | 'denied'; startedAt: string; decidedAt: string }
    >(
      `SELECT group_id AS groupId, status, started_at AS startedAt, decided_at AS decidedAt FROM request_stages
       WHERE status IN ('approved', 'denied') AND started_at IS NOT NULL AND decided_at >= ? AND decided_at <= ?
       ORDER BY request_id, position`,
    ),
    expiring: db.prepare<[string, string], { id: number; toolId: string; requester: string; expiresAt: string }>(
      `SELECT id, tool_id AS toolId, requester, expires_at AS expiresAt FROM exception_requests
       WHERE status = 'active' AND expires_at > ? AND expires_at <= ? ORDER BY expires_at, id`,
    ),
    digestSentAt: db.prepare<[string], string>('SELECT sent_at FROM digests WHERE kind = ?').pluck(),
    digestSent: db.prepare(
      'INSERT INTO digests (kind, sent_at) VALUES (?, ?) ON CONFLICT (kind) DO UPDATE SET sent_at = excluded.sent_at',
    ),
  };
  const insertAll = db.transaction((entries: readonly QueryLogEntry[]) => {
    for (const e of entries) s.insert.run(e.at, e.user, e.query, e.queryKey, e.outcome, e.toolId, e.status, e.region);
  });

  let buffer: QueryLogEntry[] = [];
  let timer: NodeJS.Timeout | null = null;

  const flush = async (): Promise<number> => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!buffer.length) return 0;
    const batch = buffer;
    buffer = [];
    try {
      await writeTransaction(db, () => insertAll(batch));
      return batch.length;
    } catch (e) {
      // Kept for the next try (e.g. another process held the write lock past the deadline); a closed database drops them.
      if (db.open) {
        buffer = [...batch, ...buffer].slice(-MAX_BUFFERED);
        schedule();
      }
      throw e;
    }
  };
  const flushLater = () => {
    // A failed background write is tried again later; nobody waits on it to report the error to.
    flush().catch(() => undefined);
  };
  function schedule() {
    if (timer) return;
    timer = setTimeout(flushLater, FLUSH_MS);
    timer.unref();
  }

  return {
    logQuery(entry) {
      buffer.push(entry);
      if (buffer.length > MAX_BUFFERED) buffer.shift();
      if (buffer.length >= FLUSH_AT) flushLater();
      else schedule();
    },
    flushQueryLog: flush,
    flushSync() {
      if (timer) clearTimeout(timer);
      timer = null;
      if (!buffer.length || !db.open) return;
      const batch = buffer;
      buffer = [];
      try {
        insertAll.immediate(batch);
      } catch {
        // Closing with the database locked by another process: these few questions are lost, nothing else.
      }
    },
    async pruneQueryLog(before) {
      await flush();
      return writeTransaction(db, () => s.prune.run(before.toISOString()).changes);
    },
    async reportRows(since, now, expiringBy) {
      await flush();
      const from = since.toISOString();
      const to = now.toISOString();
      // One snapshot: a request filed between two of these reads is in all of them or none.
      return db.transaction((): ReportRows => ({
        questions: s.questions.get(from, to) ?? 0,
        toolQueries: s.toolQueries.all(from, to),
        unknownQueries: s.unknownQueries.all(from, to),
        requests: s.requests.all(from, to),
        stages: s.stages.all(from, to),
        expiring: s.expiring.all(to, expiringBy.toISOString()),
      }))();
    },
    async sendDigest(kind, plan, actor, now) {
      // Asked every minute and due once a week: only a due digest takes the write lock (and is asked again under it).
      if (!plan(s.digestSentAt.get(kind) ?? null)) return null;
      return writeTransaction(db, () => {
        const last = s.digestSentAt.get(kind) ?? null;
        const planned = plan(last);
        if (!planned) return null;
        const at = now.toISOString();
        s.digestSent.run(kind, at);
        if (planned.notices.length) {
          audit.append(
            {
              actor,
              action: 'digest.sent',
              subjectType: 'digest',
              subjectId: kind,
              before: { sentAt: last },
              after: { sentAt: at, tools: planned.notices.flatMap((n) => n.tools.map((t) => t.id)) },
            },
            now,
          );
          outbox.enqueue(planned.notices, now);
        }
        return planned.notices.length;
      });
    },
  };
}
