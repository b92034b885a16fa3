// The query log's buffer and the digest record in SQLite (issue 12).
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { QueryLogEntry } from '../../src/domain/report.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { tempDbPath } from '../helpers/tmp.ts';

const question = (at: string, user = 'U0BOB'): QueryLogEntry => ({
  at,
  user,
  query: 'claude code',
  queryKey: 'claudecode',
  outcome: 'found',
  toolId: 'claude-code',
  status: 'exception_required',
  region: 'global',
});

const rowsIn = (path: string): number => {
  const db = new Database(path, { readonly: true });
  const n = db.prepare('SELECT COUNT(*) FROM query_log').pluck().get() as number;
  db.close();
  return n;
};

describe('the query log in SQLite', () => {
  it('keeps questions in memory until a flush, a report, a prune or close writes them', async () => {
    const path = tempDbPath();
    const store = openSqliteStore(path);
    store.logQuery(question('2026-11-01T00:00:00.000Z'));
    store.logQuery(question('2026-11-02T00:00:00.000Z', 'U0CAROL'));
    expect(rowsIn(path)).toBe(0);
    expect(await store.flushQueryLog()).toBe(2);
    expect(rowsIn(path)).toBe(2);
    expect(await store.flushQueryLog()).toBe(0);

    store.logQuery(question('2026-11-03T00:00:00.000Z'));
    const rows = await store.reportRows(
      new Date('2026-10-01T00:00:00Z'),
      new Date('2026-12-01T00:00:00Z'),
      new Date('2026-12-15T00:00:00Z'),
    );
    expect(rows.questions).toBe(3);
    expect(rows.toolQueries).toEqual([{ toolId: 'claude-code', count: 3, askers: 2 }]);

    store.logQuery(question('2026-11-04T00:00:00.000Z'));
    expect(await store.pruneQueryLog(new Date('2026-11-02T00:00:00.000Z'))).toBe(1);
    expect(rowsIn(path)).toBe(3);

    store.logQuery(question('2026-11-05T00:00:00.000Z'));
    store.close();
    expect(rowsIn(path)).toBe(4);
  });

  it('writes at once, without a flush, when many questions wait', async () => {
    const path = tempDbPath();
    const store = openSqliteStore(path);
    for (let i = 0; i < 200; i++) store.logQuery(question('2026-11-01T00:00:00.000Z'));
    // The batch is written in the same turn it filled up; nothing is left to flush.
    expect(rowsIn(path)).toBe(200);
    expect(await store.flushQueryLog()).toBe(0);
    store.close();
  });
});

describe('digests', () => {
  it('records when one was sent, with its messages and audit entry; a plan that declines changes nothing', async () => {
    const store = openSqliteStore(tempDbPath());
    const now = new Date('2026-11-30T09:00:00Z');
    const seen: Array<string | null> = [];
    const notice = {
      kind: 'stale_digest' as const,
      channel: 'C0REVIEW',
      at: now.toISOString(),
      maxAgeDays: 365,
      tools: [{ id: 'old', name: 'Old', lastChecked: null, ageDays: null }],
    };
    expect(await store.sendDigest('stale_tools', (last) => (seen.push(last), null), 'system', now)).toBeNull();
    expect(await store.pendingCount()).toBe(0);
    expect(
      await store.sendDigest('stale_tools', (last) => (seen.push(last), { notices: [notice] }), 'system', now),
    ).toBe(1);
    expect(await store.sendDigest('stale_tools', (last) => (seen.push(last), null), 'system', now)).toBeNull();
    // Asked before taking the lock, and again under it when due.
    expect(seen).toEqual([null, null, null, now.toISOString()]);
    expect(await store.pendingCount()).toBe(1);
    const [entry] = (await store.auditEntries(null)).filter((e) => e.action === 'digest.sent');
    expect(entry).toMatchObject({ subjectType: 'digest', subjectId: 'stale_tools', after: { tools: ['old'] } });
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
    store.close();
  });
});
