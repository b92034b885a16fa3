import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openContext } from '../../src/context.ts';
import { cli as toolgate } from '../helpers/cli.ts';
import { loadConfig } from '../../src/config.ts';
import { decide, requestException } from '../../src/service/exceptions.ts';
import { importRegistryFile } from '../../src/service/registryFile.ts';
import { auditKeyOf, rewriteChain } from '../helpers/audit.ts';
import { REGISTRY_PATH, tempDbPath } from '../helpers/tmp.ts';

const t0 = new Date('2026-11-01T09:00:00Z');

const cli = (db: string, args: string[]) => toolgate(args, { DATABASE_PATH: db });

/** A database with request #1 active (granted at t0) and request #2 pending since t0. */
async function seeded() {
  const db = tempDbPath();
  const { store, ctx } = openContext(loadConfig({ DATABASE_PATH: db }), { now: () => t0 });
  await importRegistryFile(store, REGISTRY_PATH, { prune: false, actor: 'test', now: t0 });
  const input = {
    justification: 'Needed for the open-source SDK work, nothing confidential.',
    usage: 'github.com/acme/sdk',
    dataClass: 'internal' as const,
    durationDays: 30,
    renewalOf: null,
  };
  const first = await requestException(ctx, { ...input, user: 'U0BOB', toolId: 'claude-code' });
  expect(first.ok).toBe(true);
  await decide(ctx, { requestId: 1, position: 0, actor: 'U0SEC1', decision: 'approve', note: null });
  await decide(ctx, { requestId: 1, position: 1, actor: 'U0LEGAL1', decision: 'approve', note: null });
  expect((await requestException(ctx, { ...input, user: 'U0CAROL', toolId: 'cursor' })).ok).toBe(true);
  store.close();
  return db;
}

describe('requestException, whoever calls it', () => {
  it('checks the form limits itself: a caller that skips the modal files nothing', async () => {
    const { store, ctx } = openContext(loadConfig({ DATABASE_PATH: tempDbPath() }), { now: () => t0 });
    await importRegistryFile(store, REGISTRY_PATH, { prune: false, actor: 'test', now: t0 });
    const result = await requestException(ctx, {
      user: 'U0BOB',
      toolId: 'claude-code',
      justification: 'because',
      usage: 'github.com/acme/sdk',
      dataClass: 'internal',
      durationDays: 400,
      renewalOf: null,
    });
    expect(result).toMatchObject({
      ok: false,
      fieldErrors: { justification: expect.any(String), durationDays: 'At most 90 days for this tool.' },
    });
    expect(await store.listRequests(null, 10)).toEqual([]);
    store.close();
  });
});

describe('toolgate requests', () => {
  it('lists and shows requests with their stages and audit trail', async () => {
    const db = await seeded();
    const list = await cli(db, ['requests', 'list']);
    expect(list.out.split('\n')).toEqual([
      expect.stringMatching(/^#2\s+pending\s+cursor\s+U0CAROL/),
      expect.stringMatching(/^#1\s+active\s+claude-code\s+U0BOB .* until 2026-12-01/),
    ]);
    expect((await cli(db, ['requests', 'list', '--status', 'active'])).out.split('\n')).toHaveLength(1);
    expect((await cli(db, ['requests', 'list', '--status', 'bogus'])).code).toBe(2);
    const show = await cli(db, ['requests', 'show', '1']);
    expect(show.out).toContain('1. security     approved  U0SEC1');
    expect(show.out).toContain('2. legal        approved  U0LEGAL1');
    expect(show.out).toMatch(/request\.activated/);
    expect((await cli(db, ['requests', 'show', '99'])).code).toBe(1);
    expect((await cli(db, ['requests', 'show', 'x'])).code).toBe(2);
  });
});

describe('toolgate sweep', () => {
  it('does one pass as of --now and never does the same thing twice', async () => {
    const db = await seeded();
    const atHours = (h: number) => new Date(t0.getTime() + h * 3_600_000).toISOString();
    expect((await cli(db, ['sweep', '--now', atHours(47)])).out).toContain(
      '0 expired, 0 expiry reminders, 0 approver reminders, 0 escalations',
    );
    expect((await cli(db, ['sweep', '--now', atHours(49)])).out).toContain(
      '0 expired, 0 expiry reminders, 1 approver reminders, 0 escalations',
    );
    expect((await cli(db, ['sweep', '--now', atHours(50)])).out).toContain('0 approver reminders, 0 escalations');
    expect((await cli(db, ['sweep', '--now', atHours(5 * 24)])).out).toContain('1 escalations');
    expect((await cli(db, ['sweep', '--now', '2026-11-24T10:00:00Z'])).out).toContain('0 expired, 1 expiry reminders');
    expect((await cli(db, ['sweep', '--now', '2026-11-25'])).out).toContain('0 expired, 0 expiry reminders');
    expect((await cli(db, ['sweep', '--now', '2026-12-01T09:00:00Z'])).out).toContain('1 expired');
    expect((await cli(db, ['sweep', '--now', '2026-12-02'])).out).toContain('0 expired');
    expect((await cli(db, ['requests', 'list', '--status', 'expired'])).out).toMatch(/^#1\s+expired/);
    // What the sweep must send waits in the outbox, once each.
    const raw = new Database(db, { readonly: true });
    const kinds = (
      raw
        .prepare(
          "SELECT json_extract(message, '$.kind') AS kind, json_extract(message, '$.event') AS event FROM outbox WHERE id > 0 ORDER BY id",
        )
        .all() as Array<{ kind: string; event: string | null }>
    )
      // A refresh of a DM already sent is not a new message (issue 10).
      .filter((r) => r.kind !== 'dm_refresh')
      .map((r) => r.event ?? r.kind);
    raw.close();
    expect(kinds.filter((k) => k === 'stage_reminder')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'escalation')).toHaveLength(1); // one admin in the registry
    expect(kinds.filter((k) => k === 'expiring')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'expired')).toHaveLength(1);
  });
  it('refuses a time it cannot read', async () => {
    const db = await seeded();
    for (const bad of ['tomorrow', '2026-02-30', '2026-13-01']) {
      const r = await cli(db, ['sweep', '--now', bad]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('--now must be an ISO date or time');
    }
  });
  it('reading commands refuse a database that does not exist instead of creating one', async () => {
    const missing = `${tempDbPath()}.typo`;
    for (const args of [['audit', 'verify'], ['requests', 'list'], ['sweep'], ['outbox']]) {
      const r = await cli(missing, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toContain(`no database at ${missing}`);
    }
    const { existsSync } = await import('node:fs');
    expect(existsSync(missing)).toBe(false);
  });
});

describe('toolgate outbox', () => {
  it('shows what waits and what was given up, and queues given-up messages again', async () => {
    const db = await seeded();
    expect((await cli(db, ['outbox'])).out).toMatch(/^\d+ messages waiting to be sent, 0 given up\.$/);
    const raw = new Database(db);
    raw
      .prepare(
        "UPDATE outbox SET failed_at = '2026-11-01T10:00:00.000Z', last_error = 'slack error: invalid_blocks' WHERE id = 1",
      )
      .run();
    raw.close();
    const failed = await cli(db, ['outbox', 'failed']);
    expect(failed.out).toContain('1 given up');
    expect(failed.out).toContain('#1 {"kind":"stage_message","requestId":1,"position":0}');
    expect((await cli(db, ['outbox', 'retry', '1'])).out).toBe(
      "1 messages queued again; the bot's outbox sends them within a second.",
    );
    expect((await cli(db, ['outbox', 'failed'])).out).toContain('0 given up');
    expect((await cli(db, ['outbox', 'retry', 'x'])).code).toBe(2);
  });
});

describe('toolgate audit', () => {
  it('verifies an intact log and exports it as JSON lines or CSV', async () => {
    const db = await seeded();
    expect(await cli(db, ['audit', 'verify'])).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^Audit log intact: \d+ entries/),
    });
    const jsonl = (await cli(db, ['audit', 'export'])).out
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; hash: string; prevHash: string });
    expect(jsonl.map((e) => e.action)).toContain('registry.imported');
    expect(jsonl.map((e) => e.action)).toContain('stage.approved');
    jsonl.slice(1).forEach((e, i) => expect(e.prevHash).toBe(jsonl[i]?.hash));
    const csv = (await cli(db, ['audit', 'export', '--format', 'csv', '--since', '2026-11-01'])).out.split('\n');
    expect(csv[0]).toBe('id,at,actor,action,subject_type,subject_id,before,after,prev_hash,hash');
    expect(csv.length).toBeGreaterThan(5);
    expect((await cli(db, ['audit', 'export', '--since', '2030-01-01'])).out).toBe('');
    expect((await cli(db, ['audit', 'export', '--format', 'xml'])).code).toBe(2);
  });

  it('an anchor recorded elsewhere catches a rewritten chain', async () => {
    const db = await seeded();
    const head = /Head: (\d+:[0-9a-f]{64})/.exec((await cli(db, ['audit', 'verify'])).out)?.[1] as string;
    expect(head).toBeTruthy();
    expect((await cli(db, ['audit', 'verify', '--anchor', head])).code).toBe(0);
    // Rewrite the whole chain from entry 2 on with fresh hashes, with the audit key (stolen from beside
    // the database): the chain verifies, the anchor does not.
    const raw = new Database(db);
    rewriteChain(raw, auditKeyOf(db), (row) => (row.id === 2 ? { ...row, actor: 'U0MALLORY' } : row));
    raw.close();
    expect((await cli(db, ['audit', 'verify'])).code).toBe(0);
    const anchored = await cli(db, ['audit', 'verify', '--anchor', head]);
    expect(anchored.code).toBe(1);
    expect(anchored.err).toContain('the log was rewritten');
    expect((await cli(db, ['audit', 'verify', '--anchor', 'nonsense'])).code).toBe(2);
  });

  it('names the first altered or removed entry', async () => {
    const db = await seeded();
    const raw = new Database(db);
    expect(() => raw.prepare("UPDATE audit_log SET actor = 'U0MALLORY' WHERE id = 3").run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM audit_log WHERE id = 3').run()).toThrow(/append-only/);
    raw.exec('DROP TRIGGER audit_log_append_only_update; DROP TRIGGER audit_log_append_only_delete;');
    raw.prepare("UPDATE audit_log SET actor = 'U0MALLORY' WHERE id = 3").run();
    raw.close();
    const altered = await cli(db, ['audit', 'verify']);
    expect(altered.code).toBe(1);
    expect(altered.err).toContain('First bad entry: #3');

    const db2 = await seeded();
    const raw2 = new Database(db2);
    raw2.exec('DROP TRIGGER audit_log_append_only_delete;');
    raw2.prepare('DELETE FROM audit_log WHERE id = 4').run();
    const last = (raw2.prepare('SELECT MAX(id) AS id FROM audit_log').get() as { id: number }).id;
    raw2.close();
    expect((await cli(db2, ['audit', 'verify'])).err).toContain('First bad entry: #5');

    const db3 = await seeded();
    const raw3 = new Database(db3);
    raw3.exec('DROP TRIGGER audit_log_append_only_delete;');
    raw3.prepare('DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)').run();
    raw3.close();
    const truncated = await cli(db3, ['audit', 'verify']);
    expect(truncated.code).toBe(1);
    expect(truncated.err).toContain(`First bad entry: #${last}`);
  });
});
