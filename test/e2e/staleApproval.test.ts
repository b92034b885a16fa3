// A stray copy of an approval message (issue 9, item 10): the bot died after Slack posted the
// message but before it recorded where, and could not look in the channel for it, so the message
// was posted again and the new one recorded. The copy must look and behave out of date.
import { afterEach, describe, expect, it } from 'vitest';
import {
  approvalIn,
  FAST_OUTBOX,
  fileRequest,
  openDecisionModal,
  outboxSettled,
  replyTo,
  stageRows,
} from '../helpers/exceptions.ts';
import { startHarness, visibleText, type Harness } from '../helpers/harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const approvals = (harness: Harness) =>
  harness.standIn.messages('C0SECURITY').filter((m) => m.text.startsWith('Exception request #1:'));

describe('an orphan copy of an approval message', () => {
  it('answers that it is out of date with a link to the current one, turns inert, and changes nothing', async () => {
    h = await startHarness({ env: FAST_OUTBOX });
    const harness = h;
    expect((await fileRequest(harness, 'U0BOB')).status).toBe(200);
    const orphan = await harness.standIn.waitFor(approvalIn(harness, 'C0SECURITY'));
    await outboxSettled(harness);

    // As the database was when the bot was killed right after Slack's answer: the message not marked
    // sent, its place not recorded, its lease left by a process that is gone. And the bot may not
    // read the channel (the manifest's scopes), so it cannot tell the message is already there.
    const db = harness.bot.store.db;
    db.prepare(
      `UPDATE outbox SET delivered_at = NULL, attempts = 0, claimed_by = 'killed:1:00@', claimed_until = '2000-01-01T00:00:00.000Z'
       WHERE lane = 'request:1' AND message LIKE '{"kind":"stage_message"%'`,
    ).run();
    db.prepare('UPDATE request_stages SET message_channel = NULL, message_ts = NULL WHERE request_id = 1').run();
    harness.standIn.failNext(3, { error: 'missing_scope' }, ['conversations.history']);
    harness.bot.outbox.kick();
    await harness.standIn.waitFor(() => approvals(harness).length === 2 || undefined);
    await outboxSettled(harness);
    expect(harness.standIn.callsTo('conversations.history').map((c) => c.error)).toEqual(['missing_scope']);
    const current = approvals(harness)[1];
    expect(current?.ts).not.toBe(orphan.ts);
    expect(db.prepare('SELECT message_ts FROM request_stages WHERE request_id = 1').pluck().get()).toBe(current?.ts);
    expect(visibleText(orphan.blocks)).toContain('Approve'); // looks live, until someone clicks it
    const auditBefore = db.prepare('SELECT COUNT(*) FROM audit_log').pluck().get();

    const click = await harness.slack.clickButton({ user: 'U0SEC1', inMessage: orphan, label: 'Approve' });
    const reply = await replyTo(harness, click);
    expect(reply).toMatch(
      /^This message is out of date: request #1 is shown and decided in <[^|]+\|the current message>/,
    );
    expect(reply).toContain(`/archives/C0SECURITY/p${current?.ts.replace('.', '')}|`);
    expect(harness.standIn.openViews('U0SEC1')).toEqual([]); // no decision form
    expect(stageRows(harness, 1).map((s) => s.status)).toEqual(['pending', 'waiting']);
    expect(db.prepare('SELECT COUNT(*) FROM audit_log').pluck().get()).toBe(auditBefore);

    // The copy now says so to everyone, and has no buttons left.
    const inert = await harness.standIn.waitFor(() => {
      const m = harness.standIn.message('C0SECURITY', orphan.ts);
      return m?.edited ? m : undefined;
    });
    expect(visibleText(inert.blocks)).toContain('This copy is out of date and takes no decisions');
    expect(inert.blocks.some((b) => b.type === 'actions')).toBe(false);

    await expect(harness.slack.clickButton({ user: 'U0SEC2', inMessage: orphan, label: 'Deny' })).rejects.toThrow();

    // The current message works as ever.
    const modal = await openDecisionModal(harness, 'U0SEC1', current as NonNullable<typeof current>, 'Approve');
    expect(modal.callback_id).toBe('approve_stage');
  });
});
