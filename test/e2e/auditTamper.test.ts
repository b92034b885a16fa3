// The audit log after a real flow verifies, and tampering with the database file is caught (issue 3, rule 13).
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { auditHash } from '../../src/store/sqlite/auditRepo.ts';
import { approvalIn, decideViaModal, dmTo, FAST_OUTBOX, fileRequest } from '../helpers/exceptions.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
let raw: Database.Database | undefined;
beforeEach(async () => {
  h = await startHarness({ env: FAST_OUTBOX });
});
afterEach(async () => {
  raw?.close();
  raw = undefined;
  await h.stop();
});

/** Request #1 approved at both stages, and request #2 (Cursor) denied. */
async function aFlow(): Promise<void> {
  await fileRequest(h, 'U0BOB');
  await decideViaModal(
    h,
    'U0SEC1',
    await h.standIn.waitFor(approvalIn(h, 'C0SECURITY', 1)),
    'Approve',
    'Public repositories only.',
  );
  await decideViaModal(h, 'U0LEGAL1', await h.standIn.waitFor(approvalIn(h, 'C0LEGAL', 1)), 'Approve');
  await dmTo(h, 'U0BOB', 'Request #1 approved');
  await fileRequest(h, 'U0CAROL', 'cursor');
  await decideViaModal(
    h,
    'U0SEC2',
    await h.standIn.waitFor(approvalIn(h, 'C0SECURITY', 2)),
    'Deny',
    'Marketing has no need for a coding agent.',
  );
  await dmTo(h, 'U0CAROL', 'Request #2 for Cursor was denied');
}

/** `toolgate audit verify` on the bot's database. */
async function cliVerify(): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ['audit', 'verify'],
    { DATABASE_PATH: h.config.databasePath, REGISTRY_PATH: h.config.registryPath },
    { out: (t) => out.push(t), err: (t) => err.push(t) },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const idOf = (db: Database.Database, action: string, subjectId: string): number =>
  db
    .prepare<[string, string], number>(
      "SELECT id FROM audit_log WHERE action = ? AND subject_type = 'exception_request' AND subject_id = ? ORDER BY id LIMIT 1",
    )
    .pluck()
    .get(action, subjectId) as number;

describe('rule 13: the audit log', () => {
  it('is intact after a flow, and refuses edits while its triggers stand', async () => {
    await aFlow();
    const verified = await h.bot.store.verifyAudit();
    expect(verified).toMatchObject({ ok: true });
    const entries = await h.bot.store.auditEntries(null);
    expect(verified.entries).toBe(entries.length);
    expect(
      entries.filter((e) => e.subjectType === 'exception_request').map((e) => `${e.subjectId} ${e.action} ${e.actor}`),
    ).toEqual([
      '1 request.filed U0BOB',
      '1 stage.approved U0SEC1',
      '1 stage.approved U0LEGAL1',
      '1 request.activated system',
      '2 request.filed U0CAROL',
      '2 stage.denied U0SEC2',
    ]);
    expect(await cliVerify()).toMatchObject({
      code: 0,
      out: expect.stringContaining(`Audit log intact: ${entries.length} entries`),
    });

    raw = new Database(h.config.databasePath);
    expect(() => raw?.prepare("UPDATE audit_log SET actor = 'U0MALLORY' WHERE id = 1").run()).toThrow(
      'audit_log is append-only',
    );
    expect(() => raw?.prepare('DELETE FROM audit_log WHERE id = 1').run()).toThrow('audit_log is append-only');
    expect(await h.bot.store.verifyAudit()).toMatchObject({ ok: true });
  });

  it('an edited row is caught, and named', async () => {
    await aFlow();
    raw = new Database(h.config.databasePath);
    const approved = idOf(raw, 'stage.approved', '1');
    raw.exec('DROP TRIGGER audit_log_append_only_update');
    raw.prepare("UPDATE audit_log SET actor = 'U0MALLORY' WHERE id = ?").run(approved);

    expect(await h.bot.store.verifyAudit()).toMatchObject({
      ok: false,
      firstBad: approved,
      problem: expect.stringContaining(`entry ${approved} was altered`),
    });
    const cli = await cliVerify();
    expect(cli.code).toBe(1);
    expect(cli.err).toContain(`First bad entry: #${approved}`);
  });

  it('an edit that also recomputes the row’s own hash is still caught, at the next row', async () => {
    await aFlow();
    raw = new Database(h.config.databasePath);
    const approved = idOf(raw, 'stage.approved', '1');
    type Row = Parameters<typeof auditHash>[1] & { prev_hash: string };
    const row = raw.prepare<[number], Row>('SELECT * FROM audit_log WHERE id = ?').get(approved) as Row;
    const forged = { ...row, actor: 'U0MALLORY' };
    raw.exec('DROP TRIGGER audit_log_append_only_update');
    raw
      .prepare('UPDATE audit_log SET actor = ?, hash = ? WHERE id = ?')
      .run(forged.actor, auditHash(row.prev_hash, forged), approved);

    expect(await h.bot.store.verifyAudit()).toMatchObject({
      ok: false,
      firstBad: approved + 1,
      problem: expect.stringContaining(`entry ${approved + 1} does not follow`),
    });
  });

  it('a deleted middle row is caught at the row after it; a deleted last row by the head', async () => {
    await aFlow();
    raw = new Database(h.config.databasePath);
    const middle = idOf(raw, 'stage.approved', '1');
    const last = raw.prepare<[], number>('SELECT MAX(id) FROM audit_log').pluck().get() as number;
    raw.exec('DROP TRIGGER audit_log_append_only_delete');

    raw.prepare('DELETE FROM audit_log WHERE id = ?').run(last);
    expect(await h.bot.store.verifyAudit()).toMatchObject({
      ok: false,
      firstBad: last,
      problem: expect.stringContaining('removed'),
    });

    raw.prepare('DELETE FROM audit_log WHERE id = ?').run(middle);
    expect(await h.bot.store.verifyAudit()).toMatchObject({
      ok: false,
      firstBad: middle + 1,
      problem: expect.stringContaining(`entry ${middle + 1} does not follow`),
    });
    const cli = await cliVerify();
    expect(cli.code).toBe(1);
    expect(cli.err).toContain(`First bad entry: #${middle + 1}`);
  });
});
