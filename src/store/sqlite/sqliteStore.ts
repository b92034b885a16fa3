// The SQLite implementation of the store ports.
import type { AuditRecord, Store } from '../../service/ports.ts';
import { auditRepo, type AuditRow } from './auditRepo.ts';
import { openDatabase, type Db } from './db.ts';
import { exceptionRepo } from './exceptionRepo.ts';
import { outboxRepo } from './outboxRepo.ts';
import { registryRepo } from './registryRepo.ts';

export interface SqliteStore extends Store {
  db: Db;
}

const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
const toRecord = (r: AuditRow): AuditRecord => ({
  id: r.id,
  at: r.at,
  actor: r.actor,
  action: r.action,
  subjectType: r.subject_type,
  subjectId: r.subject_id,
  before: parseJson(r.before),
  after: parseJson(r.after),
  prevHash: r.prev_hash,
  hash: r.hash,
});

export function openSqliteStore(path: string): SqliteStore {
  const db = openDatabase(path);
  const audit = auditRepo(db);
  const outbox = outboxRepo(db);
  const ping = db.prepare('SELECT 1 AS ok');
  const { recordStageMessageSync, ...exceptions } = exceptionRepo(db, audit, outbox);
  return {
    ...registryRepo(db, audit),
    ...exceptions,
    db,
    async due(now, limit) {
      return outbox.due(now, limit);
    },
    async markDelivered(id, now, post) {
      db.transaction(() => {
        if (post) recordStageMessageSync(post.requestId, post.position, post.channel, post.ts);
        outbox.markDelivered(id, now);
      }).immediate();
    },
    async failedMessages() {
      return outbox.failedItems();
    },
    async retryFailed(ids, now) {
      return outbox.retryFailed(ids, now);
    },
    async claim(owner, now, leaseMs, limit) {
      return outbox.claim(owner, now, leaseMs, limit);
    },
    async markRetry(id, at, error, inDoubt) {
      outbox.markRetry(id, at, error, inDoubt);
    },
    async markFailed(id, now, error) {
      outbox.markFailed(id, now, error);
    },
    async leaseHolders(now) {
      return outbox.leaseHolders(now);
    },
    async endLeases(owner, now) {
      return outbox.endLeases(owner, now);
    },
    async pruneDelivered(before) {
      return outbox.pruneDelivered(before);
    },
    async nextDueAt() {
      return outbox.nextDueAt();
    },
    async pendingCount() {
      return outbox.pendingCount();
    },
    async auditEntries(since) {
      return audit.entries(since).map(toRecord);
    },
    async auditFor(type, id) {
      return audit.forSubject(type, id).map(toRecord);
    },
    async verifyAudit() {
      return audit.verify();
    },
    async ping() {
      return (ping.get() as { ok: number } | undefined)?.ok === 1;
    },
    close() {
      if (db.open) db.close();
    },
  };
}
