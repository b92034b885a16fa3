// The audit chain on real SQLite files (issue 9, items 0 and 7): what is hashed is what is stored,
// every column is covered, every problem is reported, the head is keyed, and databases made before
// migration 005 keep verifying under their first rule with the chain continuous.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { wellFormed } from '../../src/domain/audit.ts';
import type { AuditEntry } from '../../src/domain/exceptions.ts';
import { acknowledgeAuditEntry, verifyAudit } from '../../src/service/audit.ts';
import type { ServiceContext } from '../../src/service/ports.ts';
import {
  GENESIS_HASH,
  hashOfRow,
  headValue,
  legacyAuditHash,
  makeAuditKey,
  type AuditRow,
} from '../../src/store/sqlite/auditRepo.ts';
import { loadMigrations, migrate } from '../../src/store/sqlite/db.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { auditRow, rewriteChain } from '../helpers/audit.ts';
import { tempDbPath, tempDir } from '../helpers/tmp.ts';

const t0 = new Date('2026-11-01T09:00:00Z');
const KEY = randomBytes(32);

const entry = (i: number, over: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: `U0ACTOR${i}`,
  action: 'test.happened',
  subjectType: 'test',
  subjectId: String(i),
  before: null,
  after: { i },
  ...over,
});

/** A keyed store with `n` entries, and a raw connection to tamper with. */
async function logOf(n: number, path = tempDbPath()): Promise<{ store: SqliteStore; path: string }> {
  const store = openSqliteStore(path, { auditKey: KEY });
  for (let i = 1; i <= n; i++) await store.recordEvent({ audit: [entry(i)], notices: [] }, t0);
  return { store, path };
}

const problemsOf = async (store: SqliteStore) => {
  const v = await store.verifyAudit();
  return v.ok ? [] : v.problems.map((p) => `${p.entry} ${p.kind}`);
};

const tamper = (path: string, sql: string, ...params: unknown[]) => {
  const raw = new Database(path);
  raw.exec('DROP TRIGGER IF EXISTS audit_log_append_only_update; DROP TRIGGER IF EXISTS audit_log_append_only_delete;');
  raw.prepare(sql).run(...params);
  raw.close();
};

describe('item 0: the hash covers exactly what is stored', () => {
  it('lone surrogates in every text column: stored well-formed, and the entry verifies', async () => {
    const half = `${'x'.repeat(199)}\uD83D`;
    const { store, path } = await logOf(0);
    await store.recordEvent(
      {
        audit: [
          {
            actor: 'U0\uDE00BOB',
            action: 'tool.review_requested\uD83D',
            subjectType: 'tool\uDC00',
            subjectId: half,
            before: { query: half },
            after: { query: half },
          },
        ],
        notices: [],
      },
      t0,
    );
    expect(await store.verifyAudit()).toMatchObject({ ok: true, entries: 1 });
    const raw = new Database(path, { readonly: true });
    const row = raw.prepare('SELECT subject_id, hex(subject_id) AS hex FROM audit_log WHERE id = 1').get() as {
      subject_id: string;
      hex: string;
    };
    // Valid UTF-8 (EF BF BD is U+FFFD), read back exactly as it was hashed.
    expect(row.hex.endsWith('78EFBFBD')).toBe(true);
    expect(row.subject_id).toBe(wellFormed(half));
    raw.close();
    expect((await store.auditEntries(null))[0]).toMatchObject({ actor: 'U0\uFFFDBOB', subjectId: wellFormed(half) });
    store.close();
  });

  it('the driver stores an unmended lone surrogate as bytes that read back as three U+FFFD (the domain’s asReadBack)', () => {
    const db = new Database(join(tempDir(), 'x.db'));
    db.exec('CREATE TABLE t (a TEXT)');
    db.prepare('INSERT INTO t VALUES (?)').run('x\uD83D');
    expect(db.prepare('SELECT a FROM t').pluck().get()).toBe('x\uFFFD\uFFFD\uFFFD');
    db.close();
  });

  it('every column is covered, the entry number included', async () => {
    const edits: Array<[string, string, unknown[], string]> = [
      ['id', 'UPDATE audit_log SET id = 0 WHERE id = 1', [], '0 altered'],
      ['at', "UPDATE audit_log SET at = '2020-01-01T00:00:00.000Z' WHERE id = 2", [], '2 altered'],
      ['actor', "UPDATE audit_log SET actor = 'U0MALLORY' WHERE id = 2", [], '2 altered'],
      ['action', "UPDATE audit_log SET action = 'test.other' WHERE id = 2", [], '2 altered'],
      ['subject_type', "UPDATE audit_log SET subject_type = 'other' WHERE id = 2", [], '2 altered'],
      ['subject_id', "UPDATE audit_log SET subject_id = '9' WHERE id = 2", [], '2 altered'],
      ['before', 'UPDATE audit_log SET before = \'{"i":0}\' WHERE id = 2', [], '2 altered'],
      ['after', 'UPDATE audit_log SET after = \'{"i":9}\' WHERE id = 2', [], '2 altered'],
      ['after, same JSON value', 'UPDATE audit_log SET after = \'{ "i": 2 }\' WHERE id = 2', [], '2 altered'],
      ['prev_hash', `UPDATE audit_log SET prev_hash = '${'1'.repeat(64)}' WHERE id = 2`, [], '2 unlinked'],
      ['hash', `UPDATE audit_log SET hash = '${'1'.repeat(64)}' WHERE id = 2`, [], '2 altered'],
      ['scheme', 'UPDATE audit_log SET scheme = 2 WHERE id = 2', [], '2 altered'],
      ['key_id', "UPDATE audit_log SET key_id = 'feedfeedfeedfeed' WHERE id = 2", [], '2 other_key'],
      ['text as a blob', "UPDATE audit_log SET actor = CAST(actor AS BLOB) || x'00' WHERE id = 2", [], '2 altered'],
    ];
    for (const [column, sql, params, expected] of edits) {
      const { store, path } = await logOf(3);
      expect(await problemsOf(store), `${column} untouched`).toEqual([]);
      tamper(path, sql, ...params);
      expect(await problemsOf(store), column).toContain(expected);
      store.close();
    }
  });
});

describe('item 7: a keyed chain and its head', () => {
  it('entries are HMAC’d with the key and name it; without the key, a rewrite of the whole log is caught', async () => {
    const { store, path } = await logOf(4);
    const rows = (await store.auditEntries(null)).map((e) => [e.scheme, e.keyId]);
    expect(rows).toEqual(Array(4).fill([3, makeAuditKey(KEY).id]));
    const raw = new Database(path);
    // The forger's best guess at the key: every entry fails, and the head with it.
    rewriteChain(raw, makeAuditKey(randomBytes(32)), (row) => (row.id === 2 ? { ...row, actor: 'U0MALLORY' } : row));
    raw.close();
    expect(await problemsOf(store)).toEqual(['1 altered', '2 altered', '3 altered', '4 altered', '4 head']);
    store.close();
  });

  it('an entry appended beside toolgate is caught, unkeyed or with a guessed key', async () => {
    for (const scheme of [2, 3]) {
      const { store, path } = await logOf(3);
      const raw = new Database(path);
      const last = auditRow(raw, 3);
      const forged: AuditRow = { ...last, id: 4, actor: 'U0MALLORY', prev_hash: last.hash, scheme, hash: '' };
      const guess = makeAuditKey(randomBytes(32));
      const hash = hashOfRow({ ...forged, key_id: scheme === 3 ? last.key_id : null }, guess) as string;
      raw
        .prepare(
          'INSERT INTO audit_log (id, at, actor, action, subject_type, subject_id, before, after, prev_hash, hash, scheme, key_id) VALUES (:id, :at, :actor, :action, :subject_type, :subject_id, :before, :after, :prev_hash, :hash, :scheme, :key_id)',
        )
        .run({ ...forged, hash, key_id: scheme === 3 ? last.key_id : null });
      raw.prepare("UPDATE settings SET value = ? WHERE key = 'audit_head'").run(headValue(4, hash, guess));
      raw.close();
      expect(await problemsOf(store), `scheme ${scheme}`).toEqual(
        scheme === 2 ? ['4 downgraded', '4 head'] : ['4 altered', '4 head'],
      );
      store.close();
    }
  });

  it('the last entry deleted together with the head is caught; so is a head rewritten without the key', async () => {
    const { store, path } = await logOf(4);
    tamper(path, 'DELETE FROM audit_log WHERE id = 4');
    tamper(path, "DELETE FROM settings WHERE key = 'audit_head'");
    expect(await store.verifyAudit()).toMatchObject({
      ok: false,
      firstBad: 4,
      problem: 'the stored head is missing: entries after entry 3 may have been removed with it',
    });
    // Pointing the head at the new last entry needs its MAC.
    const raw = new Database(path);
    const third = auditRow(raw, 3);
    raw.prepare("INSERT INTO settings (key, value) VALUES ('audit_head', ?)").run(`3:${third.hash}`);
    raw.close();
    expect(await problemsOf(store)).toEqual(['3 head']);
    tamper(path, "UPDATE settings SET value = ? WHERE key = 'audit_head'", headValue(3, third.hash, makeAuditKey(KEY)));
    expect(await problemsOf(store)).toEqual([]);
    store.close();
  });

  it('what the head cannot catch: moved back to a value it once had, with the entries after it removed; an anchor can', async () => {
    const { store, path } = await logOf(2);
    const raw = new Database(path, { readonly: true });
    const oldHead = raw.prepare("SELECT value FROM settings WHERE key = 'audit_head'").pluck().get() as string;
    raw.close();
    for (let i = 3; i <= 4; i++) await store.recordEvent({ audit: [entry(i)], notices: [] }, t0);
    const anchor = (await store.verifyAudit()) as { head: string };
    tamper(path, 'DELETE FROM audit_log WHERE id > 2');
    tamper(path, "UPDATE settings SET value = ? WHERE key = 'audit_head'", oldHead);
    expect(await store.verifyAudit()).toMatchObject({ ok: true, entries: 2 });
    const [entryId, hash] = anchor.head.split(':');
    const ctx = { store } as Pick<ServiceContext, 'store'>;
    const report = await verifyAudit(ctx, [{ entry: Number(entryId), hash: hash as string }]);
    expect(report.failing).toEqual([expect.objectContaining({ entry: 4, kind: 'anchor' })]);
    store.close();
  });

  it('reports every bad entry, and checks every anchor past the first bad one', async () => {
    const { store, path } = await logOf(6);
    const anchors = (await store.auditEntries(null)).map((e) => ({ entry: e.id, hash: e.hash }));
    tamper(path, "UPDATE audit_log SET actor = 'U0MALLORY' WHERE id = 2");
    tamper(path, "UPDATE audit_log SET after = '{}' WHERE id = 5");
    expect(await problemsOf(store)).toEqual(['2 altered', '5 altered']);
    // Entry 6 rewritten with the key: the chain cannot tell, its anchor can.
    const raw = new Database(path);
    const six = { ...auditRow(raw, 6), actor: 'U0MALLORY' };
    const hash = hashOfRow(six, makeAuditKey(KEY)) as string;
    raw.prepare('UPDATE audit_log SET actor = ?, hash = ? WHERE id = 6').run(six.actor, hash);
    raw.prepare("UPDATE settings SET value = ? WHERE key = 'audit_head'").run(headValue(6, hash, makeAuditKey(KEY)));
    raw.close();
    const report = await verifyAudit(
      { store },
      [anchors[0], anchors[3], anchors[5]].flatMap((a) => a ?? []),
    );
    expect(report.failing.map((p) => `${p.entry} ${p.kind}`)).toEqual(['2 altered', '5 altered', '6 anchor']);
    expect(report.ok).toBe(false);
    store.close();
  });

  it('without a key: entries are hashed unkeyed over every column, and a keyed entry cannot be checked', async () => {
    const path = tempDbPath();
    const unkeyed = openSqliteStore(path);
    await unkeyed.recordEvent({ audit: [entry(1)], notices: [] }, t0);
    expect((await unkeyed.auditEntries(null))[0]).toMatchObject({ scheme: 2, keyId: null });
    unkeyed.close();
    const keyed = openSqliteStore(path, { auditKey: KEY });
    await keyed.recordEvent({ audit: [entry(2)], notices: [] }, t0);
    expect(await problemsOf(keyed)).toEqual([]);
    keyed.close();
    const again = openSqliteStore(path);
    expect(await problemsOf(again)).toEqual(['2 unverifiable']);
    // Writing without the key after keyed entries is a downgrade, reported until someone acknowledges it.
    await again.recordEvent({ audit: [entry(3)], notices: [] }, t0);
    expect(await problemsOf(again)).toEqual(['2 unverifiable', '3 downgraded']);
    again.close();
  });
});

/** A database as the release before migration 005 left it, with entries hashed by the first rule. */
function legacyDatabase(entries: Array<Pick<AuditRow, 'actor' | 'subject_id'>>): string {
  const dir = tempDir();
  const oldMigrations = join(dir, 'migrations');
  mkdirSync(oldMigrations);
  const src = fileURLToPath(new URL('../../src/store/sqlite/migrations/', import.meta.url));
  for (const f of readdirSync(src).filter((f) => Number.parseInt(f, 10) < 5))
    copyFileSync(join(src, f), join(oldMigrations, f));
  const path = join(dir, 'old.db');
  const old = new Database(path);
  migrate(old, loadMigrations(oldMigrations));
  let prev = GENESIS_HASH;
  const insert = old.prepare(
    'INSERT INTO audit_log (at, actor, action, subject_type, subject_id, before, after, prev_hash, hash) VALUES (:at, :actor, :action, :subject_type, :subject_id, :before, :after, :prev_hash, :hash)',
  );
  entries.forEach((e, i) => {
    const row = {
      at: t0.toISOString(),
      actor: e.actor,
      action: 'tool.review_requested',
      subject_type: 'tool',
      subject_id: e.subject_id,
      before: null,
      after: JSON.stringify({ query: e.subject_id }),
    };
    const hash = legacyAuditHash(prev, row);
    insert.run({ ...row, prev_hash: prev, hash });
    old
      .prepare(
        "INSERT INTO settings (key, value) VALUES ('audit_head', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      )
      .run(`${i + 1}:${hash}`);
    prev = hash;
  });
  old.close();
  return path;
}

describe('migration 005: entries written before it', () => {
  it('keep verifying under the first rule; new entries are keyed and chained on; verify says from which entry', async () => {
    const path = legacyDatabase([
      { actor: 'U0BOB', subject_id: 'some tool' },
      { actor: 'U0CAROL', subject_id: 'another tool' },
    ]);
    const store = openSqliteStore(path, { auditKey: KEY });
    expect(await problemsOf(store)).toEqual([]);
    await store.recordEvent({ audit: [entry(3)], notices: [] }, t0);
    const entries = await store.auditEntries(null);
    expect(entries.map((e) => e.scheme)).toEqual([1, 1, 3]);
    expect(entries[2]?.prevHash).toBe(entries[1]?.hash);
    const report = await verifyAudit({ store });
    expect(report).toMatchObject({ ok: true, entries: 3 });
    expect(report.keying).toEqual({
      keyId: makeAuditKey(KEY).id,
      schemes: [
        { scheme: 1, first: 1, last: 2, count: 2 },
        { scheme: 3, first: 3, last: 3, count: 1 },
      ],
    });
    // The first rule does not cover the entry number: the numbering check does.
    tamper(path, 'UPDATE audit_log SET id = 0 WHERE id = 1');
    expect(await problemsOf(store)).toEqual(['0 numbering', '2 numbering']);
    store.close();
  });

  it('an old entry broken by half an emoji is acknowledged once, and a later edit still fails', async () => {
    // The old release hashed the JavaScript string; SQLite kept other bytes: broken for good.
    const path = legacyDatabase([
      { actor: 'U0BOB', subject_id: 'fine' },
      { actor: 'U0BOB', subject_id: `${'x'.repeat(199)}\uD83D` },
      { actor: 'U0CAROL', subject_id: 'fine too' },
    ]);
    const store = openSqliteStore(path, { auditKey: KEY });
    const ctx: ServiceContext = { store, clock: { now: () => t0 }, defaultRegion: 'global', outboxKeepDays: 30 };
    expect(await problemsOf(store)).toEqual(['2 altered']);
    expect(await acknowledgeAuditEntry(ctx, 1, 'Not broken at all.', 'cli:ops')).toMatchObject({
      ok: false,
      refusal: { kind: 'nothing_wrong' },
    });
    expect(await acknowledgeAuditEntry(ctx, 2, 'Half an emoji, cut by release 0.1.', 'cli:ops')).toEqual({
      ok: true,
      entry: 2,
    });
    const acked = await verifyAudit(ctx);
    expect(acked).toMatchObject({ ok: true, failing: [] });
    expect(acked.acknowledged).toEqual([
      {
        problem: expect.objectContaining({ entry: 2, kind: 'altered' }),
        ack: expect.objectContaining({ by: 4, actor: 'cli:ops', reason: 'Half an emoji, cut by release 0.1.' }),
      },
    ]);
    const ack = (await store.auditEntries(null)).at(-1);
    expect(ack).toMatchObject({ action: 'audit.acknowledged', subjectType: 'audit_entry', subjectId: '2', scheme: 3 });
    tamper(path, "UPDATE audit_log SET actor = 'U0MALLORY' WHERE id = 3");
    expect((await verifyAudit(ctx)).failing.map((p) => `${p.entry} ${p.kind}`)).toEqual(['3 altered']);
    store.close();
  });
});
