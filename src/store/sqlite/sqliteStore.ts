// The SQLite implementation of the store ports.
import type { AskerToolState, AuditRecord, RegistrySnapshot, Store } from '../../service/ports.ts';
import { auditRepo, keysInUse, makeAuditKey, type AuditKey, type AuditRow } from './auditRepo.ts';
import { latestMigration, openDatabase, writeTransaction, type Db } from './db.ts';
import { directoryRepo } from './directoryRepo.ts';
import { approverRepo } from './approverRepo.ts';
import { exceptionRepo } from './exceptionRepo.ts';
import { outboxRepo } from './outboxRepo.ts';
import { registryRepo, TOOLS_FROM_ROWS } from './registryRepo.ts';
import { reviewRepo } from './reviewRepo.ts';
import { registrySnapshots, type RegistrySnapshots } from './registrySnapshot.ts';
import { keptSnapshotFormat } from '../registryIndex.ts';
import type { PrefetchedKept } from './keptPrefetch.ts';
import { commitWatch } from './commitWatch.ts';
import { demandRepo } from './demandRepo.ts';

export interface SqliteStore extends Store {
  db: Db;
  /** Where the registry snapshot came from, and keeping it now (tests and the bench). */
  registrySnapshots: Pick<RegistrySnapshots, 'heldFrom' | 'keepNow' | 'settled'>;
  /** The key audit entries are written and checked with, or null (unkeyed). */
  auditKey: AuditKey | null;
}

/**
 * Chooses the audit key once the database is open, knowing which keys wrote its keyed entries
 * (from which entry on), so that it can refuse to make a new key for a log an old one wrote.
 */
export type AuditKeySource = (inUse: Array<{ keyId: string; firstEntry: number }>) => Buffer | null;

export interface SqliteStoreOptions {
  /** The audit key, or how to find it; without one, entries are hashed unkeyed. */
  auditKey?: Buffer | AuditKeySource | null;
  /**
   * Keep the registry snapshots built here for the next start (kept_registry_snapshot): the bot
   * does; a short command only reads them back.
   */
  keepRegistrySnapshots?: boolean;
  /** The kept registry snapshot's parts, read ahead on another thread (keptPrefetch.ts). */
  prefetchedKept?: PrefetchedKept | null;
}

/** A tampered row may hold anything: show it as it is rather than fail to read it. */
const parseJson = (text: string | null): unknown => {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};
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
  scheme: r.scheme,
  keyId: r.key_id,
});

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const db = openDatabase(path);
  const source = options.auditKey ?? null;
  let keyBytes: Buffer | null;
  try {
    keyBytes = typeof source === 'function' ? source(keysInUse(db)) : source;
  } catch (e) {
    db.close();
    throw e;
  }
  const key = keyBytes ? makeAuditKey(keyBytes) : null;
  const audit = auditRepo(db, key);
  const outbox = outboxRepo(db);
  const ping = db.prepare('SELECT 1 AS ok');
  const { groupsOfSync, groupNowSync, authoritySync, availabilitySync, ...approvers } = approverRepo(db, audit);
  const {
    recordStageMessageSync,
    recordDmSync,
    allRequestsSync,
    latestActiveSync,
    openForToolSync,
    activeOfSync,
    saveEndingsSync,
    openForToolsSync,
    saveSync,
    ...exceptions
  } = exceptionRepo(db, audit, outbox, { groupsOfSync, groupNowSync, authoritySync, availabilitySync });
  const directory = directoryRepo(db, { activeOfSync, saveEndingsSync });
  const { readRegistrySync, toolSync, writeToolSync, recountSync, ...registry } = registryRepo(
    db,
    audit,
    { openForToolsSync, saveSync },
    // An empty registry just filled (the first start): held as it was written, not read back.
    (version, written) => snapshots.adopt(version, written),
  );
  const { recordReviewPostSync, ...reviews } = reviewRepo(db, audit, outbox, { writeToolSync, recountSync });
  const { flushSync: flushQueryLogSync, ...demand } = demandRepo(db, audit, outbox);
  const commits = commitWatch(db);
  // What answers read of the asker's own state (askerToolState), kept until the look an answer
  // begins with (the snapshot's, below) sees anything at all committed, by anyone.
  const askerStates = new Map<string, AskerToolState>();
  const snapshotLook = commits.watcher();
  const committed = () => {
    const seen = snapshotLook();
    if (seen) askerStates.clear();
    return seen;
  };
  // Registry reads come from the snapshot in memory, which is read again when the registry changed.
  const snapshots = registrySnapshots(db, { registry: readRegistrySync, tool: toolSync }, committed, {
    keep: (options.keepRegistrySnapshots ?? false) && !db.memory,
    format: `${keptSnapshotFormat()}:${latestMigration(db)}:${TOOLS_FROM_ROWS}`,
    prefetched: options.prefetchedKept ?? null,
  });
  const snapshot = () => snapshots.current();
  // Which tools have a history, read again with each new snapshot (history moves the version, 020).
  const historyTools = db.prepare<[], string>('SELECT DISTINCT tool_id FROM tool_history').pluck();
  let withHistory: { of: RegistrySnapshot; tools: Set<string> } | null = null;
  // At most this many askers' states are kept between commits (then started afresh).
  const HELD_LIMIT = 10_000;
  return {
    ...registry,
    ...directory,
    async registrySnapshot() {
      return snapshot();
    },
    async findKeyHits(key, variants) {
      // The variants are the key's deletion variants, or none (exact only): the snapshot makes its own.
      return snapshot().findKeyHits(key, variants.length > 0);
    },
    async getTool(id) {
      return snapshot().tool(id);
    },
    async hasToolHistory(toolId) {
      // Asked while answering, right after the answer took its snapshot: no second look for commits.
      const current = snapshots.latest();
      if (withHistory?.of !== current) withHistory = { of: current, tools: new Set(historyTools.all()) };
      return withHistory.tools.has(toolId);
    },
    async toolRefs(ids) {
      return snapshot().toolRefs(ids);
    },
    async listTools(region, category, limit) {
      return snapshot().listTools(region, category, limit);
    },
    async categories() {
      return snapshot().categories();
    },
    async getPerson(user) {
      return snapshot().person(user);
    },
    async approverGroup(id) {
      return snapshot().approverGroup(id);
    },
    async approvalChain(risk) {
      return snapshot().approvalChain(risk);
    },
    async admins() {
      return [...snapshot().registry.admins];
    },
    async reviewChannel() {
      return snapshot().registry.reviewChannel;
    },
    async auditChannel() {
      return snapshot().registry.auditChannel;
    },
    async displayNames() {
      return snapshot().registry.names;
    },
    async regions() {
      return [...snapshot().registry.regions];
    },
    async regionRules() {
      return snapshot().registry.regionRules;
    },
    async rubric() {
      return snapshot().registry.rubric;
    },
    ...exceptions,
    ...demand,
    ...directory,
    ...approvers,
    ...reviews,
    async askerToolState(user, toolId, now) {
      // No look of its own: the answer's registrySnapshot() looked just before (see `committed`).
      const key = `${user}\u0000${toolId}`;
      let state = askerStates.get(key);
      if (state === undefined) {
        if (askerStates.size >= HELD_LIMIT) askerStates.clear();
        const latest = latestActiveSync(user, toolId);
        state = { exception: latest, openRequest: latest ? null : openForToolSync(user, toolId) };
        askerStates.set(key, state);
      }
      const { exception } = state;
      // As the store's query has it: active, and not expired by now. One that has expired since it
      // was read leaves no open request known: read again.
      if (exception && exception.expiresAt <= now.toISOString()) {
        askerStates.delete(key);
        return { exception: null, openRequest: openForToolSync(user, toolId) };
      }
      return state;
    },
    db,
    auditKey: key,
    async due(now, limit) {
      return outbox.due(now, limit);
    },
    async markDelivered(id, now, post) {
      await writeTransaction(db, () => {
        if (post && 'reviewId' in post) recordReviewPostSync(post.reviewId, post.channel, post.ts);
        else if (post && 'dm' in post) recordDmSync(post.requestId, post.dm, post.channel, post.ts);
        else if (post) recordStageMessageSync(post.requestId, post.position, post.channel, post.ts);
        outbox.markDelivered(id, now);
      });
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
      // One snapshot: the chain and its head read in one transaction, so a write between them is no "problem".
      return db.transaction(() => audit.verify())();
    },
    async auditSnapshot() {
      return db.transaction(() => ({
        verification: audit.verify(),
        keying: audit.keying(),
        entries: audit.entries(null).map(toRecord),
        requests: allRequestsSync(),
      }))();
    },
    async publishAuditHead(plan, now) {
      return writeTransaction(db, () => {
        const planned = plan(audit.headState());
        if (!planned) return null;
        for (const entry of planned.audit) audit.append(entry, now);
        outbox.enqueue(planned.notices, now);
        return planned.publication;
      });
    },
    async ping() {
      return (ping.get() as { ok: number } | undefined)?.ok === 1;
    },
    registrySnapshots: snapshots,
    close() {
      snapshots.close();
      flushQueryLogSync();
      commits.close();
      if (db.open) db.close();
    },
  };
}
