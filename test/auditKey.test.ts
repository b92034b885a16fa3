// The audit key (issue 9, item 7): AUDIT_KEY or a key file beside the database, made on first start
// with one line saying where; without one, toolgate keeps working and `audit verify` says the chain is
// unkeyed; a key file lost after keyed entries is never silently replaced.
import { mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.ts';
import { loadConfig } from '../src/config.ts';
import { openContext } from '../src/context.ts';
import { makeAuditKey } from '../src/store/sqlite/auditRepo.ts';
import { tempDbPath, tempDir } from './helpers/tmp.ts';

const t0 = new Date('2026-11-01T09:00:00Z');
const KEY_HEX = 'a1'.repeat(32);

function open(env: Record<string, string>) {
  const lines: string[] = [];
  const log = { info: (l: string) => lines.push(`info ${l}`), warn: (l: string) => lines.push(`warn ${l}`) };
  const opened = openContext(loadConfig(env), { now: () => t0 }, { log });
  return { ...opened, lines };
}

async function withEntry(env: Record<string, string>) {
  const o = open(env);
  await o.store.recordEvent(
    {
      audit: [{ actor: 'test', action: 'test.done', subjectType: 'test', subjectId: '1', before: null, after: {} }],
      notices: [],
    },
    t0,
  );
  o.close();
  return o;
}

async function verify(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['audit', 'verify'], env, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('the audit key file', () => {
  it('is made on first start beside the database, mode 0600, with one line saying where; then reused', async () => {
    const db = tempDbPath();
    const file = join(dirname(db), 'audit.key');
    const first = await withEntry({ DATABASE_PATH: db });
    expect(first.lines).toEqual([
      `info toolgate: made a new audit key in ${file} (mode 0600). Back it up, apart from the database: without it the audit log cannot be verified`,
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(first.store.auditKey?.id).toMatch(/^[0-9a-f]{16}$/);
    const second = await withEntry({ DATABASE_PATH: db });
    expect(second.lines).toEqual([]);
    expect(second.store.auditKey?.id).toBe(first.store.auditKey?.id);
    const v = await verify({ DATABASE_PATH: db });
    expect(v.code).toBe(0);
    expect(v.out).toContain(`The chain is keyed from entry #1 on.`);
    expect(v.out).toContain(`key id ${first.store.auditKey?.id}`);
  });

  it('AUDIT_KEY is used instead, and no file is made; AUDIT_KEY_FILE names another file', async () => {
    const db = tempDbPath();
    const o = await withEntry({ DATABASE_PATH: db, AUDIT_KEY: KEY_HEX });
    expect(o.lines).toEqual([]);
    expect(o.store.auditKey?.id).toBe(makeAuditKey(Buffer.from(KEY_HEX, 'hex')).id);
    expect(() => statSync(join(dirname(db), 'audit.key'))).toThrow();
    const elsewhere = join(tempDir(), 'secrets', 'toolgate.key');
    mkdirSync(dirname(elsewhere));
    writeFileSync(elsewhere, Buffer.from(KEY_HEX, 'hex').toString('base64'), { mode: 0o600 });
    expect((await verify({ DATABASE_PATH: db, AUDIT_KEY_FILE: elsewhere })).code).toBe(0);
  });

  it('no key to be had (a file that cannot be read, nor made): keeps working, unkeyed, and verify says so', async () => {
    for (const file of [tempDir(), join(tempDir(), 'no-such-dir', 'audit.key')]) {
      const db = tempDbPath();
      const o = await withEntry({ DATABASE_PATH: db, AUDIT_KEY_FILE: file });
      expect(o.lines).toEqual([
        expect.stringMatching(/^warn toolgate: cannot (read|create) the audit key file .* UNKEYED/),
      ]);
      expect(o.store.auditKey).toBeNull();
      const v = await verify({ DATABASE_PATH: db, AUDIT_KEY_FILE: file });
      expect(v.code).toBe(0);
      expect(v.out).toContain('The chain is UNKEYED');
      expect(v.err).toContain('cannot');
    }
  });

  it('a key file that holds no key stops the start, naming the file', async () => {
    const db = tempDbPath();
    const file = join(dirname(db), 'audit.key');
    writeFileSync(file, 'not a key\n');
    expect(() => open({ DATABASE_PATH: db })).toThrow(`AUDIT_KEY_FILE ${file} does not hold an audit key`);
    const v = await verify({ DATABASE_PATH: db });
    expect(v.code).toBe(2);
    expect(v.err).toContain('restore it from your backup');
  });

  it('lost after keyed entries: not replaced by a new one; verify cannot check them until it is restored', async () => {
    const db = tempDbPath();
    const file = join(dirname(db), 'audit.key');
    await withEntry({ DATABASE_PATH: db });
    const key = readFileSync(file);
    unlinkSync(file);
    const o = open({ DATABASE_PATH: db });
    o.close();
    expect(o.lines).toEqual([
      `warn toolgate: the audit key file ${file} is missing, but the audit log is keyed from entry #1 on (key id ${makeAuditKey(Buffer.from(key.toString().trim(), 'hex')).id}): restore the file from your backup (or set AUDIT_KEY). Until then new entries are written unkeyed, and audit verify reports them`,
    ]);
    expect(() => statSync(file)).toThrow();
    const v = await verify({ DATABASE_PATH: db });
    expect(v.code).toBe(1);
    expect(v.err).toContain('Audit log NOT VERIFIED');
    writeFileSync(file, key, { mode: 0o600 });
    expect((await verify({ DATABASE_PATH: db })).code).toBe(0);
  });

  it('another key than the one that wrote the log: said at start, and verify reports those entries', async () => {
    const db = tempDbPath();
    await withEntry({ DATABASE_PATH: db });
    const o = open({ DATABASE_PATH: db, AUDIT_KEY: KEY_HEX });
    o.close();
    expect(o.lines).toEqual([
      expect.stringMatching(/^warn toolgate: AUDIT_KEY is not the key that wrote the audit log from entry #1 on/),
    ]);
    const v = await verify({ DATABASE_PATH: db, AUDIT_KEY: KEY_HEX });
    expect(v.code).toBe(1);
    expect(v.err).toContain('#1  entry 1 was written with another audit key');
  });
});
