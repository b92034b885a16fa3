// The registry snapshot of a SQLite store (issue 11): held while nothing in the registry changes,
// read again as soon as anything in it does, whoever changed it: this connection, another one
// (another process, another replica), or a hand edit that bypassed the store. And the asker's own
// exception, which the store keeps until anything is committed.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { Registry } from '../../src/domain/types.ts';
import { generatedRegistry } from '../../bench/generate.ts';
import { answer } from '../../src/service/answer.ts';
import { readRegistryFile } from '../../src/service/registryFile.ts';
import type { PrefetchedKept } from '../../src/store/sqlite/keptPrefetch.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { ROOT } from '../helpers/npmStart.ts';
import { REGISTRY_PATH, tempDbPath } from '../helpers/tmp.ts';

const now = new Date('2026-11-01T00:00:00Z');
const registry = readRegistryFile(REGISTRY_PATH);
const renamed = (r: Registry, name: string): Registry => ({
  ...r,
  tools: r.tools.map((t) => (t.id === 'claude-code' ? { ...t, name } : t)),
});

/** A request for Claude Code, short of who asks. */
const requestDraft = {
  toolId: 'claude-code',
  region: 'global',
  department: null,
  justification: 'Needed for the open-source SDK work, nothing confidential.',
  usage: 'github.com/acme/sdk',
  dataClass: 'internal' as const,
  durationDays: 30,
  renewalOf: null,
};

function twoConnections() {
  const path = tempDbPath();
  const bot = openSqliteStore(path);
  const other = openSqliteStore(path);
  return { bot, other, close: () => [bot, other].forEach((s) => s.close()) };
}

describe('registry snapshot', () => {
  it('is kept while nothing in the registry changes, whatever else is written', async () => {
    const { bot, other, close } = twoConnections();
    await bot.importRegistry(registry, { prune: false, actor: 'test', now });
    const held = await bot.registrySnapshot();
    expect(await bot.registrySnapshot()).toBe(held);
    // Exception requests, their audit entries and the audit head, from both connections: not the registry.
    await bot.fileRequest({ ...requestDraft, requester: 'U0BOB' }, ['security'], () => null, now);
    await other.fileRequest({ ...requestDraft, requester: 'U0CAROL' }, ['security'], () => null, now);
    // An audit entry moves the audit head, which lives in the settings table.
    const entry = {
      actor: 'U0BOB',
      action: 'test.noted',
      subjectType: 'test',
      subjectId: '1',
      before: null,
      after: null,
    };
    await other.recordEvent({ audit: [entry], notices: [] }, now);
    expect(other.db.prepare("SELECT value FROM settings WHERE key = 'audit_head'").pluck().get()).toBeTruthy();
    expect(await bot.registrySnapshot()).toBe(held);
    close();
  });

  it('sees an import made through another connection at the next read', async () => {
    const { bot, other, close } = twoConnections();
    await bot.importRegistry(registry, { prune: false, actor: 'test', now });
    expect((await bot.getTool('claude-code'))?.name).toBe('Claude Code');
    await other.importRegistry(renamed(registry, 'Claude Code Two'), { prune: false, actor: 'test', now });
    expect((await bot.getTool('claude-code'))?.name).toBe('Claude Code Two');
    expect((await bot.registrySnapshot()).findKeyHits('claudecodetwo', false).map((h) => h.id)).toContain(
      'claude-code',
    );
    close();
  });

  it('sees its own import, and a hand edit of any registry table from elsewhere', async () => {
    const { bot, other, close } = twoConnections();
    await bot.importRegistry(registry, { prune: false, actor: 'test', now });
    await bot.importRegistry(renamed(registry, 'Claude Code Again'), { prune: false, actor: 'test', now });
    expect((await bot.getTool('claude-code'))?.name).toBe('Claude Code Again');
    other.db.prepare("UPDATE tools SET name = 'Edited By Hand' WHERE id = 'claude-code'").run();
    expect((await bot.getTool('claude-code'))?.name).toBe('Edited By Hand');
    other.db.prepare("UPDATE people SET region = 'global' WHERE user_id = 'U0ALICE'").run();
    expect((await bot.getPerson('U0ALICE'))?.region).toBe('global');
    other.db
      .prepare(
        "INSERT INTO settings (key, value) VALUES ('review_channel', 'C0EDITED') ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      )
      .run();
    expect(await bot.reviewChannel()).toBe('C0EDITED');
    close();
  });

  it('reads a hand-edited JSON column as the schema reads it: unknown keys dropped, a wrong type refused', async () => {
    const { bot, other, close } = twoConnections();
    await bot.importRegistry(registry, { prune: false, actor: 'test', now });
    other.db
      .prepare(
        `UPDATE tools SET data = '{"trains_on_inputs":true,"extra":1,"self_hostable":false}', facts = '{"sources":["a"],"zz":2}' WHERE id = 'claude-code'`,
      )
      .run();
    const tool = await bot.getTool('claude-code');
    // Keys in the schema's order, as zod gives them.
    expect(JSON.stringify(tool?.data)).toBe('{"self_hostable":false,"trains_on_inputs":true}');
    expect(tool?.facts).toEqual({ sources: ['a'] });
    other.db.prepare(`UPDATE tools SET aliases = '["ok", 3]' WHERE id = 'claude-code'`).run();
    await expect(bot.registrySnapshot()).rejects.toThrow(/expected string/);
    close();
  });

  it('holds an empty registry just filled as a read of it gives it, key order and all', async () => {
    const large = generatedRegistry(registry, 1300);
    // An id with a surrogate pair and a lone surrogate in a reason: read back, not taken as written.
    const odd = renamed(registry, 'Claude \ud83d\ude00 Code');
    odd.tools = odd.tools.map((t) => (t.id === 'cursor' ? { ...t, reason: `${t.reason} \ud800` } : t));
    for (const r of [registry, large, odd]) {
      const { bot, other, close } = twoConnections();
      await bot.importRegistry(r, { prune: false, actor: 'test', now });
      const held = await bot.registrySnapshot();
      const read = await other.registrySnapshot();
      expect(JSON.stringify(held.registry)).toBe(JSON.stringify(read.registry));
      expect(held.registry).toEqual(read.registry);
      expect(await bot.registrySnapshot()).toBe(held);
      // A change from elsewhere after it is seen at the next look.
      other.db.prepare("UPDATE tools SET name = 'Edited By Hand' WHERE id = 'claude-code'").run();
      expect((await bot.getTool('claude-code'))?.name).toBe('Edited By Hand');
      close();
    }
  });

  it('does not hold what a dry run of filling an empty registry would have written', async () => {
    const { bot, close } = twoConnections();
    await bot.importRegistry(registry, { prune: false, actor: 'test', now, dryRun: true });
    expect((await bot.registrySnapshot()).registry.tools).toEqual([]);
    close();
  });

  it('sees an exception granted, revoked or expired, whichever connection changed it', async () => {
    const { bot, other, close } = twoConnections();
    await bot.importRegistry(registry, { prune: false, actor: 'test', now });
    const later = (days: number) => new Date(now.getTime() + days * 86_400_000);
    expect(await bot.activeException('U0BOB', 'claude-code', now)).toBeNull();
    // No approver groups: granted at once, by the other connection.
    const filed = await other.fileRequest({ ...requestDraft, requester: 'U0BOB' }, [], () => null, now);
    if (!filed.ok) throw new Error('not filed');
    const held = await bot.activeException('U0BOB', 'claude-code', now);
    expect(held).toEqual({ requestId: filed.request.id, expiresAt: filed.request.expiresAt });
    expect(await bot.activeException('U0BOB', 'claude-code', later(29))).toEqual(held);
    expect(await bot.activeException('U0BOB', 'claude-code', later(31))).toBeNull();
    expect(await bot.activeException('U0CAROL', 'claude-code', now)).toBeNull();
    expect((await other.revoke(filed.request.id, 'U0ADMIN1', 'No longer needed.', now)).ok).toBe(true);
    expect(await bot.activeException('U0BOB', 'claude-code', now)).toBeNull();
    close();
  });

  it("answers read the asker's own state as of the snapshot they begin with: granted, filed or ended by any connection", async () => {
    const { bot, other, close } = twoConnections();
    await bot.importRegistry(registry, { prune: false, actor: 'test', now });
    const later = (days: number) => new Date(now.getTime() + days * 86_400_000);
    // As an answer reads it: a look for commits (registrySnapshot), then the asker's state.
    const asked = async (user: string, at = now) => {
      await bot.registrySnapshot();
      return bot.askerToolState(user, 'claude-code', at);
    };
    expect(await asked('U0BOB')).toEqual({ exception: null, openRequest: null });
    const draft = { ...requestDraft, requester: 'U0BOB' };
    // Filed by the other connection, waiting for security: the answer says so.
    const pending = await other.fileRequest(draft, ['security'], () => null, now);
    if (!pending.ok) throw new Error('not filed');
    expect((await asked('U0BOB')).openRequest?.id).toBe(pending.request.id);
    expect(await asked('U0CAROL')).toEqual({ exception: null, openRequest: null });
    // Cancelled there, then filed again with no approvers (granted at once): the exception, no open request.
    expect((await other.cancel(pending.request.id, 'U0BOB', now)).ok).toBe(true);
    expect(await asked('U0BOB')).toEqual({ exception: null, openRequest: null });
    const granted = await other.fileRequest(draft, [], () => null, now);
    if (!granted.ok) throw new Error('not filed');
    const held = { requestId: granted.request.id, expiresAt: granted.request.expiresAt };
    expect(await asked('U0BOB')).toEqual({ exception: held, openRequest: null });
    // Past its end (before a sweep marks it): no exception, and what is open is read again.
    expect(await asked('U0BOB', later(31))).toEqual({ exception: null, openRequest: null });
    expect(await asked('U0BOB')).toEqual({ exception: held, openRequest: null });
    // Revoked by the other connection: gone at the next answer.
    expect((await other.revoke(granted.request.id, 'U0ADMIN1', 'No longer needed.', now)).ok).toBe(true);
    expect(await asked('U0BOB')).toEqual({ exception: null, openRequest: null });
    close();
  });

  it('an answer follows a registry change made elsewhere, though its question was answered before', async () => {
    const { bot, other, close } = twoConnections();
    await bot.importRegistry(registry, { prune: false, actor: 'test', now });
    const deps = { store: bot, defaultRegion: 'global', clock: { now: () => now } };
    const ask = (text: string) => answer(deps, text, { user: 'U0BOB' });
    // Asked twice from one snapshot: worked out once, the same answer both times.
    expect(await ask('opencode')).toMatchObject({ kind: 'not_found' });
    expect(await ask('OpenCode')).toMatchObject({ kind: 'not_found', query: 'OpenCode' });
    expect(await ask('opencode')).toEqual(await ask('opencode'));
    const withAlias: Registry = {
      ...registry,
      tools: registry.tools.map((t) => (t.id === 'claude-code' ? { ...t, aliases: [...t.aliases, 'OpenCode'] } : t)),
    };
    await other.importRegistry(withAlias, { prune: false, actor: 'test', now });
    expect(await ask('opencode')).toMatchObject({ kind: 'found', tool: { id: 'claude-code' } });
    close();
  });

  it('is kept for the next connection at the same version, and built from the rows at any other', async () => {
    const path = tempDbPath();
    const bot = openSqliteStore(path, { keepRegistrySnapshots: true });
    const large = generatedRegistry(registry, 400);
    await bot.importRegistry(large, { prune: false, actor: 'test', now });
    const built = await bot.registrySnapshot();
    expect(bot.registrySnapshots.heldFrom()).toBe('written');
    expect(bot.registrySnapshots.keepNow()).toBe(true);
    expect(bot.registrySnapshots.heldFrom()).toBe('kept');
    expect(bot.registrySnapshots.keepNow()).toBe(false); // kept already
    const deps = (store: typeof bot) => ({ store, defaultRegion: 'global', clock: { now: () => now } });
    const questions = ['claude code', 'claude cod', 'cursr', 'copilot', 'list', 'no such tool at all'];
    const answersOf = async (store: typeof bot) => {
      const out = [];
      for (const q of questions) out.push(await answer(deps(store), q, { user: 'U0BOB' }));
      return out;
    };

    // The next start reads it back: the same answers, the tools read when asked for.
    const next = openSqliteStore(path);
    const readBack = await next.registrySnapshot();
    expect(next.registrySnapshots.heldFrom()).toBe('kept');
    expect(await answersOf(next)).toEqual(await answersOf(bot));
    expect(JSON.stringify(readBack.registry)).toBe(JSON.stringify(built.registry));
    // And as a snapshot built from the rows at the same version answers (a copy without the kept one).
    bot.db.pragma('wal_checkpoint(TRUNCATE)');
    const copy = tempDbPath();
    copyFileSync(path, copy);
    const rows = openSqliteStore(copy);
    rows.db.exec('DELETE FROM kept_registry_snapshot');
    expect(JSON.stringify((await rows.registrySnapshot()).registry)).toBe(JSON.stringify(readBack.registry));
    expect(rows.registrySnapshots.heldFrom()).toBe('rows');
    expect(await answersOf(rows)).toEqual(await answersOf(next));
    rows.close();

    // A change anywhere moves the version: the kept snapshot is not read for it.
    await bot.importRegistry(renamed(large, 'Claude Code Two'), { prune: false, actor: 'test', now });
    expect((await next.getTool('claude-code'))?.name).toBe('Claude Code Two');
    expect(next.registrySnapshots.heldFrom()).toBe('rows');
    const third = openSqliteStore(path);
    expect((await third.getTool('claude-code'))?.name).toBe('Claude Code Two');
    expect(third.registrySnapshots.heldFrom()).toBe('rows');
    for (const s of [bot, next, third]) s.close();
  });

  it('a start uses the parts a worker read ahead only while the database still says they are kept', async () => {
    // The worker as `npm start` runs it: the compiled module (dist/, built by the global setup).
    const { prefetchKeptSnapshot } = (await import(
      pathToFileURL(join(ROOT, 'dist/store/sqlite/keptPrefetch.js')).href
    )) as typeof import('../../src/store/sqlite/keptPrefetch.ts');
    expect(await prefetchKeptSnapshot(tempDbPath())).toBeNull(); // no database there yet
    const path = tempDbPath();
    const bot = openSqliteStore(path, { keepRegistrySnapshots: true });
    await bot.importRegistry(generatedRegistry(registry, 300), { prune: false, actor: 'test', now });
    await bot.registrySnapshot();
    expect(await prefetchKeptSnapshot(path)).toBeNull(); // nothing kept yet
    expect(bot.registrySnapshots.keepNow()).toBe(true);
    const ahead = await prefetchKeptSnapshot(path);
    expect(ahead?.arrays.length).toBeGreaterThan(0);
    const prefetched = ahead as PrefetchedKept;

    const withAhead = openSqliteStore(path, { prefetchedKept: prefetched });
    expect((await withAhead.registrySnapshot()).findKeyHits('claudecode', true)).toEqual(
      (await bot.registrySnapshot()).findKeyHits('claudecode', true),
    );
    expect(withAhead.registrySnapshots.heldFrom()).toBe('kept');
    expect((await withAhead.getTool('cursor'))?.name).toBe((await bot.getTool('cursor'))?.name);
    withAhead.close();
    // They are what is read: with a piece missing, under the same row, the snapshot is built from the rows.
    const damaged = openSqliteStore(path, { prefetchedKept: { ...prefetched, arrays: prefetched.arrays.slice(1) } });
    await damaged.registrySnapshot();
    expect(damaged.registrySnapshots.heldFrom()).toBe('rows');
    damaged.close();

    // The registry changed and the new version was kept since: the parts read ahead are not used.
    await bot.importRegistry(renamed(generatedRegistry(registry, 300), 'Claude Code Two'), {
      prune: false,
      actor: 'test',
      now,
    });
    await bot.registrySnapshot();
    expect(bot.registrySnapshots.keepNow()).toBe(true);
    const late = openSqliteStore(path, { prefetchedKept: { ...prefetched, arrays: [] } });
    expect((await late.getTool('claude-code'))?.name).toBe('Claude Code Two');
    expect(late.registrySnapshots.heldFrom()).toBe('kept'); // its own read of the new version
    late.close();
    bot.close();
  });

  it('is kept by the bot a while after it built it, and then held as a start would read it back', async () => {
    const path = tempDbPath();
    const seed = openSqliteStore(path);
    await seed.importRegistry(registry, { prune: false, actor: 'test', now });
    seed.close();
    const bot = openSqliteStore(path, { keepRegistrySnapshots: true });
    await bot.registrySnapshot();
    expect(bot.registrySnapshots.heldFrom()).toBe('rows');
    const kept = () => bot.db.prepare('SELECT version FROM kept_registry_snapshot').pluck().get();
    expect(kept()).toBeUndefined();
    await vi.waitFor(() => expect(bot.registrySnapshots.heldFrom()).toBe('kept'), { timeout: 10_000, interval: 100 });
    expect(kept()).toBe(bot.db.prepare('SELECT version FROM registry_version').pluck().get());
    expect((await bot.getTool('claude-code'))?.name).toBe('Claude Code');
    // A short command (no keeping) reads it back, and never writes one.
    const cli = openSqliteStore(path);
    await cli.registrySnapshot();
    expect(cli.registrySnapshots.heldFrom()).toBe('kept');
    // The next bot reads it back too, then parses its tools ahead: then it reads no tool any more.
    const next = openSqliteStore(path, { keepRegistrySnapshots: true });
    const held = await next.registrySnapshot();
    expect(next.registrySnapshots.heldFrom()).toBe('kept');
    expect(next.registrySnapshots.settled()).toBe(false);
    await vi.waitFor(() => expect(next.registrySnapshots.settled()).toBe(true), { timeout: 10_000, interval: 100 });
    cli.db.exec("DELETE FROM kept_registry_parts WHERE kind = 'tool'; DELETE FROM tools WHERE id = 'cursor'");
    expect(held.tool('cursor')?.name).toBe('Cursor');
    for (const s of [bot, cli, next]) s.close();
  });

  it('is not read back when other code kept it, and is then kept again whole; a reader whose tools are gone reads the rows', async () => {
    const path = tempDbPath();
    const bot = openSqliteStore(path);
    await bot.importRegistry(registry, { prune: false, actor: 'test', now });
    await bot.registrySnapshot();
    expect(bot.registrySnapshots.keepNow()).toBe(true);
    bot.db.prepare("UPDATE kept_registry_snapshot SET format = 'registry-snapshot-0'").run();
    const other = openSqliteStore(path);
    await other.registrySnapshot();
    expect(other.registrySnapshots.heldFrom()).toBe('rows');
    other.close();
    // What that other code kept had more pieces than this code keeps: none may be left over.
    const version = bot.db.prepare('SELECT version FROM registry_version').pluck().get() as number;
    bot.db.prepare("INSERT INTO kept_registry_parts VALUES (?, 'arrays', 999, x'00')").run(version);

    // Kept again; a connection answering from it while two newer ones were kept (its tools' rows
    // gone) gets each tool as its rows are now.
    const fresh = openSqliteStore(path, { keepRegistrySnapshots: true });
    await fresh.registrySnapshot();
    expect(fresh.registrySnapshots.keepNow()).toBe(true);
    const reader = openSqliteStore(path);
    const held = await reader.registrySnapshot();
    expect(reader.registrySnapshots.heldFrom()).toBe('kept');
    const pieces = bot.db.prepare("SELECT COUNT(*) FROM kept_registry_parts WHERE kind = 'arrays'").pluck().get();
    expect(pieces).toBe(bot.db.prepare('SELECT arrays_parts FROM kept_registry_snapshot').pluck().get());
    bot.db.prepare("DELETE FROM kept_registry_parts WHERE kind = 'tool'").run();
    expect(held.tool('claude-code')?.name).toBe('Claude Code');
    bot.db.prepare("DELETE FROM tools WHERE id = 'cursor'").run();
    expect(() => held.tool('cursor')).toThrow(/registry changed while answering/);
    for (const s of [bot, fresh, reader]) s.close();
  });
});
