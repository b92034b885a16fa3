import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RegistryFileError } from '../../src/errors.ts';
import { importRegistryFile, readRegistryFile } from '../../src/service/registryFile.ts';
import { loadMigrations, migrate, openDatabase } from '../../src/store/sqlite/db.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { REGISTRY_PATH, tempDbPath, tempDir } from '../helpers/tmp.ts';
import { exceptionStoreContract } from './exceptionStore.contract.ts';
import { registryStoreContract } from './registryStore.contract.ts';

registryStoreContract('sqlite', () => openSqliteStore(tempDbPath()));

const now = new Date('2026-11-01T00:00:00Z');

describe('sqlite database', () => {
  it('runs in WAL mode with foreign keys on, and records the migrations applied', () => {
    const db = openDatabase(tempDbPath());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{
      version: number;
    }>;
    expect(versions.map((v) => v.version)).toEqual(loadMigrations().map((m) => m.version));
    db.close();
  });

  it('migrates an existing database forward without losing its data', () => {
    // A database made by the first release: only migration 001.
    const dir = tempDir();
    const oldMigrations = join(dir, 'migrations');
    mkdirSync(oldMigrations);
    const first = readdirSync(fileURLToPath(new URL('../../src/store/sqlite/migrations', import.meta.url))).find((f) =>
      f.startsWith('001_'),
    );
    copyFileSync(
      fileURLToPath(new URL(`../../src/store/sqlite/migrations/${first}`, import.meta.url)),
      join(oldMigrations, first as string),
    );
    const path = join(dir, 'old.db');
    const old = new Database(path);
    migrate(old, loadMigrations(oldMigrations));
    old
      .prepare(
        `INSERT INTO tools (id, name, vendor, vendor_country, category, risk, status, reason, updated_at)
      VALUES ('legacy-tool', 'Legacy Tool', 'Acme', 'US', 'developer-tool', 'low', 'approved', 'Kept from release one.', '2025-01-01')`,
      )
      .run();
    old.close();

    // A later migration on top, as a new release would ship it.
    writeFileSync(join(oldMigrations, '999_test_column.sql'), 'ALTER TABLE tools ADD COLUMN test_note TEXT;');
    const reopened = new Database(path);
    expect(
      migrate(reopened, [...loadMigrations(), ...loadMigrations(oldMigrations).filter((m) => m.version === 999)]),
    ).toEqual([
      ...loadMigrations()
        .map((m) => m.version)
        .filter((v) => v > 1),
      999,
    ]);
    expect(reopened.prepare('SELECT name, test_note FROM tools WHERE id = ?').get('legacy-tool')).toEqual({
      name: 'Legacy Tool',
      test_note: null,
    });
    expect(migrate(reopened, [...loadMigrations(), ...loadMigrations(oldMigrations)])).toEqual([]);
    reopened.close();
  });

  it('a failing migration rolls back whole and leaves the version where it was', () => {
    const dir = tempDir();
    const db = new Database(join(dir, 'x.db'));
    const bad = [{ version: 1, name: '001_bad', sql: 'CREATE TABLE a (x); CREATE TABLE a (y);' }];
    expect(() => migrate(db, bad)).toThrow();
    expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'a'").get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: 0 });
    db.close();
  });

  it('a bad registry file is rejected whole and changes nothing', async () => {
    const store = openSqliteStore(tempDbPath());
    await importRegistryFile(store, REGISTRY_PATH, { prune: false, actor: 'test', now });
    const before = await store.exportRegistry();
    const bad = join(tempDir(), 'bad.yml');
    const { readFileSync } = await import('node:fs');
    writeFileSync(
      bad,
      readFileSync(REGISTRY_PATH, 'utf8')
        .replace('name: Claude Code', 'name: Claude Code Renamed')
        .replace(/risk: medium/, 'risk: severe'),
    );
    const error = await importRegistryFile(store, bad, { prune: true, actor: 'test', now }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryFileError);
    expect((error as RegistryFileError).problems).toEqual([
      expect.stringMatching(/^tools\[\d+\]\.risk: expected one of low\|medium\|high\|critical$/),
    ]);
    expect(await store.exportRegistry()).toEqual(before);
    store.close();
  });

  it('filling an empty registry is one audit entry with the digest of what was loaded; later changes are one a tool', async () => {
    const store = openSqliteStore(tempDbPath());
    const registry = readRegistryFile(REGISTRY_PATH);
    await store.importRegistry(registry, { prune: false, actor: 'system:first-start', now });
    const seeded = await store.auditEntries(null);
    expect(seeded.map((e) => e.action)).toEqual(['registry.imported']);
    const digest = createHash('sha256');
    for (const t of registry.tools) digest.update(`${JSON.stringify(t)}\n`);
    expect(seeded[0]?.after).toMatchObject({
      tools: { added: registry.tools.length, updated: 0, removed: 0, seeded: digest.digest('hex') },
    });
    const renamed = registry.tools.map((t) => (t.id === 'claude-code' ? { ...t, name: 'Claude Code 2' } : t));
    await store.importRegistry({ ...registry, tools: renamed }, { prune: false, actor: 'admin', now });
    const later = (await store.auditEntries(null)).slice(1);
    expect(later.map((e) => [e.action, e.subjectId])).toEqual([
      ['tool.updated', 'claude-code'],
      ['registry.imported', 'registry'],
    ]);
    expect(later[1]?.after).toMatchObject({ tools: { added: 0, updated: 1 } });
    expect((later[1]?.after as { tools: object }).tools).not.toHaveProperty('seeded');
    store.close();
  });

  it('a tool whose only change is its past (history:) has History at once: history moves the registry version', async () => {
    const path = tempDbPath();
    const store = openSqliteStore(path);
    const registry = readRegistryFile(REGISTRY_PATH);
    await store.importRegistry(registry, { prune: false, actor: 'admin', now });
    expect(await store.hasToolHistory('claude-code')).toBe(false);
    // Another process (the CLI) loads the record the company already has; no tool changes.
    const cli = openSqliteStore(path);
    const past = { 'claude-code': [{ date: '2025-03', status: 'prohibited' as const, reason: 'Sends code abroad.' }] };
    const summary = await cli.importRegistry({ ...registry, toolHistory: past }, { prune: false, actor: 'cli', now });
    expect(summary).toMatchObject({ added: [], updated: [] });
    cli.close();
    expect(await store.hasToolHistory('claude-code')).toBe(false); // not looked again within the same answer…
    await store.registrySnapshot(); // …but the next answer's snapshot sees it
    expect(await store.hasToolHistory('claude-code')).toBe(true);
    store.close();
  });
});

exceptionStoreContract('sqlite', () => openSqliteStore(tempDbPath()));
