// Opening the database: WAL, foreign keys, and the numbered migrations in ./migrations.
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreBusyError } from '../../errors.ts';

export type Db = Database.Database;

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .map((f) => ({
      version: Number.parseInt(f, 10),
      name: f.replace(/\.sql$/, ''),
      sql: readFileSync(join(dir, f), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
}

/** Apply every migration newer than the database, each in its own transaction. Returns the versions applied. */
export function migrate(db: Db, migrations = loadMigrations()): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const current = latestMigration(db);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}

/** The newest migration the database has. */
export const latestMigration = (db: Db): number =>
  (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;

/**
 * better-sqlite3 is synchronous: a statement waiting for another process's write lock blocks the
 * whole event loop, every answer and /healthz with it. So the busy timeout is short once the
 * database is open, and writers wait for the lock asynchronously (writeTransaction), between tries.
 */
export const BUSY_TIMEOUT_MS = 20;
/** How long an interactive write may wait for the lock: Slack wants its answer within 3 s. */
export const WRITE_DEADLINE_MS = 2000;

/** Another connection holds the lock. */
export const isBusy = (e: unknown): boolean =>
  e instanceof Error &&
  'code' in e &&
  (e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_BUSY_SNAPSHOT' || e.code === 'SQLITE_LOCKED');

/**
 * One transaction wrapper per database, running the function it is given: better-sqlite3 builds a
 * new wrapper (and looks up its statements) for every db.transaction() call, on every write.
 */
const transactions = new WeakMap<Db, Database.Transaction<(fn: () => unknown) => unknown>>();
function transactionOf(db: Db): Database.Transaction<(fn: () => unknown) => unknown> {
  let t = transactions.get(db);
  if (!t) {
    t = db.transaction((fn: () => unknown) => fn());
    transactions.set(db, t);
  }
  return t;
}

/** Runs `fn` in an IMMEDIATE transaction now; throws SQLITE_BUSY (isBusy) if another connection holds the lock. */
export function immediateTransaction<T>(db: Db, fn: () => T): T {
  return transactionOf(db).immediate(fn) as T;
}

/**
 * Runs `fn` in an IMMEDIATE transaction, waiting for the write lock without blocking the event
 * loop: on SQLITE_BUSY it sleeps (5, 10, 20... up to 100 ms) and tries again until `deadlineMs`,
 * then gives up with StoreBusyError, having changed nothing.
 */
export async function writeTransaction<T>(db: Db, fn: () => T, deadlineMs = WRITE_DEADLINE_MS): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return immediateTransaction(db, fn);
    } catch (e) {
      const waited = Date.now() - started;
      if (!isBusy(e)) throw e;
      if (waited >= deadlineMs) throw new StoreBusyError(waited);
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, 5 * 2 ** attempt)));
    }
  }
}

export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Checkpoint when the WAL holds 10,000 pages (about 40 MB), not SQLite's 1,000: each checkpoint
  // writes every page the WAL changed back to the database once and syncs twice, so with the
  // default the pages every decision rewrites (the outbox and its indexes, the audit head) were
  // copied back and synced every few hundred writes: a third of the time spent in write
  // transactions in the decision bench. Durability is unchanged (synchronous = NORMAL, WAL).
  db.pragma('wal_autocheckpoint = 10000');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // No big page cache and no memory map: the registry is held in memory as a snapshot (registrySnapshot.ts),
  // and what is still read at random (a person's exceptions) is small. SQLite's defaults keep the process small.
  migrate(db);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
}
