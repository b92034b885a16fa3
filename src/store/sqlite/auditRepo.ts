// The audit log: append-only (triggers refuse UPDATE and DELETE) and hash-chained, so an
// edited or removed row shows up in `toolgate audit verify`.
import { createHash } from 'node:crypto';
import type { AuditEntry } from '../../domain/exceptions.ts';
import type { Db } from './db.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
}

export type AuditVerification =
  | { ok: true; entries: number; head: string | null }
  | { ok: false; entries: number; firstBad: number; problem: string };

export function auditHash(
  prevHash: string,
  row: Pick<AuditRow, 'at' | 'actor' | 'action' | 'subject_type' | 'subject_id' | 'before' | 'after'>,
): string {
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(JSON.stringify([row.at, row.actor, row.action, row.subject_type, row.subject_id, row.before, row.after]))
    .digest('hex');
}

export function auditRepo(db: Db) {
  const s = {
    last: db.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1'),
    insert: db.prepare(
      'INSERT INTO audit_log (at, actor, action, subject_type, subject_id, before, after, prev_hash, hash) VALUES (:at, :actor, :action, :subject_type, :subject_id, :before, :after, :prev_hash, :hash)',
    ),
    head: db.prepare<[], { value: string }>("SELECT value FROM settings WHERE key = 'audit_head'"),
    setHead: db.prepare<[string]>(
      "INSERT INTO settings (key, value) VALUES ('audit_head', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ),
    since: db.prepare<[string], AuditRow>('SELECT * FROM audit_log WHERE at >= ? ORDER BY id'),
    forSubject: db.prepare<[string, string], AuditRow>(
      'SELECT * FROM audit_log WHERE subject_type = ? AND subject_id = ? ORDER BY id',
    ),
    all: db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY id'),
  };

  return {
    /** Call inside the transaction that makes the change. */
    append(entry: AuditEntry, now: Date): void {
      const prev = s.last.get()?.hash ?? GENESIS_HASH;
      const row = {
        at: now.toISOString(),
        actor: entry.actor,
        action: entry.action,
        subject_type: entry.subjectType,
        subject_id: entry.subjectId,
        before: entry.before === null || entry.before === undefined ? null : JSON.stringify(entry.before),
        after: entry.after === null || entry.after === undefined ? null : JSON.stringify(entry.after),
      };
      const hash = auditHash(prev, row);
      const id = s.insert.run({ ...row, prev_hash: prev, hash }).lastInsertRowid;
      // The head catches a removed last entry, which the chain alone cannot.
      s.setHead.run(`${id}:${hash}`);
    },
    entries(since: string | null): AuditRow[] {
      return since ? s.since.all(since) : s.all.all();
    },
    forSubject(type: string, id: string): AuditRow[] {
      return s.forSubject.all(type, id);
    },
    verify(): AuditVerification {
      let prev = GENESIS_HASH;
      let count = 0;
      let lastId = 0;
      for (const row of s.all.iterate()) {
        count++;
        if (row.prev_hash !== prev)
          return {
            ok: false,
            entries: count,
            firstBad: row.id,
            problem: `entry ${row.id} does not follow the entry before it (an entry was removed or altered)`,
          };
        if (auditHash(prev, row) !== row.hash)
          return {
            ok: false,
            entries: count,
            firstBad: row.id,
            problem: `entry ${row.id} was altered: its content does not match its hash`,
          };
        prev = row.hash;
        lastId = row.id;
      }
      const head = s.head.get()?.value;
      if (head && head !== `${lastId}:${prev}`) {
        const headId = Number.parseInt(head, 10);
        return {
          ok: false,
          entries: count,
          firstBad: headId,
          problem: `the log ends at entry ${lastId}, but entry ${headId} was written: entries at the end were removed`,
        };
      }
      return { ok: true, entries: count, head: count ? `${lastId}:${prev}` : null };
    },
  };
}

export type AuditRepo = ReturnType<typeof auditRepo>;
