// The audit log after a real flow verifies, and tampering with the database file is caught (issue 3, rule 13).
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { hashOfRow } from '../../src/store/sqlite/auditRepo.ts';
import { auditKeyOf, auditRow } from '../helpers/audit.ts';
import { askForReview } from '../../src/service/reviews.ts';
import {
  approvalIn,
  ask,
  decideViaModal,
  dmTo,
  FAST_OUTBOX,
  fileRequest,
  newModal,
  openViewIds,
} from '../helpers/exceptions.ts';
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
    // With the audit key (stolen from beside the database): the row's own hash is right again.
    const forged = { ...auditRow(raw, approved), actor: 'U0MALLORY' };
    raw.exec('DROP TRIGGER audit_log_append_only_update');
    raw
      .prepare('UPDATE audit_log SET actor = ?, hash = ? WHERE id = ?')
      .run(forged.actor, hashOfRow(forged, auditKeyOf(h.config.databasePath)), approved);

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

/** `toolgate <args>` on the bot's database. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    args,
    { DATABASE_PATH: h.config.databasePath, REGISTRY_PATH: h.config.registryPath, USER: 'ops' },
    { out: (t) => out.push(t), err: (t) => err.push(t) },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('issue 9: an audit log you can trust without trusting the database', () => {
  it('item 0: half an emoji in a review request does not break the log', async () => {
    const query = `${'x'.repeat(99)}😀`;
    const a = await ask(h, 'U0BOB', query);
    const before = openViewIds(h, 'U0BOB');
    await h.slack.clickButton({
      user: 'U0BOB',
      inMessage: { ephemeralFrom: a.responseUrl, blocks: a.blocks },
      actionId: 'request_review',
    });
    // The form opens with the name cut where a Slack name field ends (100), never inside the emoji.
    const form = await newModal(h, 'U0BOB', 'tool_review', before);
    const name = (
      form.blocks.find((b) => b.block_id === 'review_name') as unknown as { element: { initial_value: string } }
    ).element.initial_value;
    expect(name).toBe('x'.repeat(99));
    await h.slack.viewSubmission({
      user: 'U0BOB',
      view: form,
      values: { review_vendor: 'example.com', usage: 'Trying it out', data_class: 'public' },
    });
    // Half an emoji as a client might send it, through the same service: cleaned first.
    const asked = await askForReview(h.bot.ctx, 'U0BOB', {
      name: `${'y'.repeat(99)}\uD83D`,
      vendor: 'example.com',
      usage: `Trying it out \uD83D`,
      dataClass: 'public',
    });
    expect(asked).toMatchObject({ ok: true, review: { name: 'y'.repeat(99) } });
    // And should one reach the store all the same, it is stored (and hashed) well-formed.
    await h.bot.store.recordEvent(
      {
        audit: [
          {
            actor: 'U0BOB',
            action: 'tool.review_requested',
            subjectType: 'tool',
            subjectId: `${'x'.repeat(199)}\uD83D`,
            before: null,
            after: null,
          },
        ],
        notices: [],
      },
      new Date(),
    );
    const reviews = (await h.bot.store.auditEntries(null)).filter((e) => e.action === 'tool.review_requested');
    expect(reviews).toHaveLength(3);
    expect(reviews[2]?.subjectId).toBe(`${'x'.repeat(199)}\uFFFD`);
    expect(await cli(['audit', 'verify'])).toMatchObject({ code: 0, out: expect.stringContaining('Audit log intact') });
  });

  it('item 7: a denied request set to active beside the log is reported like a broken chain', async () => {
    await aFlow();
    expect((await cli(['audit', 'verify'])).code).toBe(0);
    raw = new Database(h.config.databasePath);
    raw
      .prepare("UPDATE exception_requests SET status = 'active', expires_at = '2030-01-01T00:00:00.000Z' WHERE id = 2")
      .run();
    raw.prepare("UPDATE request_stages SET status = 'approved' WHERE request_id = 2 AND position = 0").run();
    // Why it matters: the answer believes the database.
    expect((await cli(['ask', 'cursor', '--user', 'U0CAROL'])).out).toContain('Allowed under exception #2');
    const v = await cli(['audit', 'verify']);
    expect(v.code).toBe(1);
    expect(v.err).toContain('Audit log TAMPERED: the database is not in the state the log says (3 differences)');
    const denied = idOf(raw, 'stage.denied', '2');
    expect(v.err).toContain(
      `request #2: status is "active" in the database, but the log says "denied" (entry ${denied})`,
    );
    expect(v.err).toContain(
      `request #2: stage 1 (security) status is "approved" in the database, but the log says "denied" (entry ${denied})`,
    );
    // A request added beside the log, with no entry filing it, is reported too.
    raw
      .prepare(
        `INSERT INTO exception_requests (id, tool_id, requester, region, justification, usage, data_class, duration_days, status, created_at, expires_at)
         VALUES (3, 'cursor', 'U0MALLORY', 'global', 'x', 'x', 'public', 30, 'active', '2026-01-01', '2030-01-01')`,
      )
      .run();
    expect((await cli(['audit', 'verify'])).err).toContain(
      'request #3 (active, cursor for U0MALLORY) is in the database, but the log never filed it',
    );
  });

  it('item 4: an admin acknowledges a known-bad entry; a later edit of another entry still fails', async () => {
    await aFlow();
    raw = new Database(h.config.databasePath);
    const approved = idOf(raw, 'stage.approved', '1');
    const filed = idOf(raw, 'request.filed', '2');
    raw.exec('DROP TRIGGER audit_log_append_only_update');
    raw.prepare("UPDATE audit_log SET actor = 'U0SEC1 ' WHERE id = ?").run(approved);
    expect((await cli(['audit', 'verify'])).code).toBe(1);

    expect(await cli(['audit', 'acknowledge', String(filed), '--reason', 'Nothing wrong here.'])).toMatchObject({
      code: 1,
      err: `Audit entry #${filed} verifies: there is nothing to acknowledge.`,
    });
    expect((await cli(['audit', 'acknowledge', String(approved), '--reason', 'typo'])).code).toBe(2);
    expect((await cli(['audit', 'acknowledge', String(approved)])).code).toBe(2);
    const acked = await cli([
      'audit',
      'acknowledge',
      String(approved),
      '--reason',
      'A trailing space added by hand during the 2026-11 migration (ticket OPS-12).',
    ]);
    expect(acked.code).toBe(0);
    const ack = (await h.bot.store.auditEntries(null)).at(-1);
    expect(ack).toMatchObject({
      actor: 'cli:ops',
      action: 'audit.acknowledged',
      subjectId: String(approved),
      after: expect.objectContaining({ entry: approved, kinds: ['altered'] }),
    });
    expect((await cli(['audit', 'acknowledge', String(approved), '--reason', 'Once more.'])).err).toContain(
      'already acknowledged, by cli:ops',
    );

    const v = await cli(['audit', 'verify']);
    expect(v.code).toBe(0);
    expect(v.out).toContain('Acknowledged (1), known to be bad and not counted as failing:');
    expect(v.out).toContain(
      `#${approved}  entry ${approved} was altered: its content does not match its hash; acknowledged by cli:ops`,
    );

    raw.prepare("UPDATE audit_log SET actor = 'U0MALLORY' WHERE id = ?").run(filed);
    const after = await cli(['audit', 'verify']);
    expect(after.code).toBe(1);
    expect(after.err).toContain(`First bad entry: #${filed}.`);
    expect(after.out).toContain(`#${approved}  entry ${approved} was altered`);
    // The acknowledged entry edited again is no longer covered.
    raw.prepare("UPDATE audit_log SET actor = 'U0MALLORY' WHERE id = ?").run(approved);
    expect((await cli(['audit', 'verify'])).err).toContain(`First bad entry: #${approved}.`);
  });
});
