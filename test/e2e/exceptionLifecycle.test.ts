// Cancelling a request, revoking an exception, and the App Home (issue 3, rules 8-9).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../src/standIn/index.ts';
import {
  approvalIn,
  ask,
  auditActions,
  decideViaModal,
  dmsTo,
  dmTo,
  FAST_OUTBOX,
  fileRequest,
  messageShowing,
  newModal,
  openViewIds,
  outboxSettled,
  replyTo,
  requestRow,
  stageRows,
} from '../helpers/exceptions.ts';
import { startHarness, visibleText, type Harness } from '../helpers/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ env: FAST_OUTBOX });
});
afterEach(async () => {
  await h.stop();
});

const hasButton = (m: { blocks: unknown } | undefined, actionId: string) =>
  JSON.stringify(m?.blocks ?? []).includes(`"action_id":"${actionId}"`);

/** Bob's request #1 for Claude Code, approved by Security and Legal; returns Legal's (final) approval message. */
async function activeException(): Promise<StoredMessage> {
  await fileRequest(h, 'U0BOB');
  await decideViaModal(h, 'U0SEC1', await h.standIn.waitFor(approvalIn(h, 'C0SECURITY')), 'Approve');
  await decideViaModal(h, 'U0LEGAL1', await h.standIn.waitFor(approvalIn(h, 'C0LEGAL')), 'Approve');
  await dmTo(h, 'U0BOB', 'Request #1 approved');
  expect((await ask(h, 'U0BOB', 'claude code')).text).toBe('Claude Code: Allowed under exception #1');
  const legal = await h.standIn.waitFor(() => {
    const m = approvalIn(h, 'C0LEGAL')();
    return hasButton(m, 'revoke_exception') ? m : undefined;
  });
  return legal;
}

describe('rule 8: cancel', () => {
  it('the requester cancels from the filing DM; the approval message and a DM say so; nobody else can', async () => {
    await fileRequest(h, 'U0BOB');
    const security = await h.standIn.waitFor(approvalIn(h, 'C0SECURITY'));
    const filed = await dmTo(h, 'U0BOB', 'Request #1 for Claude Code filed');
    expect(visibleText(filed.blocks)).toContain('Cancel request');

    // Carol clicking the same button (a forged click: she cannot see Bob's DM) is refused.
    const carol = await h.slack.clickButton({ user: 'U0CAROL', inMessage: filed, label: 'Cancel request' });
    expect(await replyTo(h, carol)).toBe('Only the person who filed a request can cancel it.');
    expect(requestRow(h, 1)?.status).toBe('pending');
    expect(auditActions(h, 1)).toEqual(['request.filed']);

    const bob = await h.slack.clickButton({ user: 'U0BOB', inMessage: filed, label: 'Cancel request' });
    expect(await replyTo(h, bob)).toBe('Request #1 is cancelled.');
    expect(requestRow(h, 1)?.status).toBe('cancelled');
    expect(stageRows(h, 1).map((s) => s.status)).toEqual(['cancelled', 'cancelled']);
    expect(auditActions(h, 1)).toEqual(['request.filed', 'request.cancelled']);

    const updated = await messageShowing(h, 'C0SECURITY', security.ts, 'Cancelled');
    expect(visibleText(updated.blocks)).toContain('*Cancelled* by <@U0BOB>');
    expect(hasButton(updated, 'approve_stage')).toBe(false);
    expect(hasButton(updated, 'deny_stage')).toBe(false);
    expect(updated.text).toContain('(cancelled)');
    const dm = await dmTo(h, 'U0BOB', 'Request #1 cancelled');
    expect(visibleText(dm.blocks)).toContain('Request #1 for *Claude Code* is cancelled.');

    // The filing DM loses its Cancel (issue 10); clicking the old copy again, or an old Approve button, changes nothing.
    const refreshed = await messageShowing(h, filed.channel, filed.ts, 'was cancelled on');
    expect(hasButton(refreshed, 'cancel_request')).toBe(false);
    const again = await h.slack.blockAction({ user: 'U0BOB', message: filed, actionId: 'cancel_request' });
    expect(await replyTo(h, again)).toMatch(
      /^Request #1 for \*Claude Code\* was cancelled on \d{4}-\d{2}-\d{2}\. Nothing to cancel\.$/,
    );
    const oldApprove = await h.slack.blockAction({
      user: 'U0SEC1',
      source: { kind: 'message', message: security },
      actionId: 'approve_stage',
    });
    expect(await replyTo(h, oldApprove)).toContain('This request is already cancelled');
    expect(auditActions(h, 1)).toEqual(['request.filed', 'request.cancelled']);
    await outboxSettled(h);
    expect(dmsTo(h, 'U0BOB', 'Request #1 cancelled')).toHaveLength(1);
    expect(h.standIn.messages('C0LEGAL')).toEqual([]);

    // With nothing open, Bob may ask again.
    await fileRequest(h, 'U0BOB');
    expect(requestRow(h, 2)).toMatchObject({ status: 'pending', tool_id: 'claude-code' });
  });
});

describe('rule 8: revoke', () => {
  it('a non-admin clicking Revoke is refused; an admin revokes with a reason and the holder is told', async () => {
    const legal = await activeException();
    const opened = h.standIn.callsTo('views.open').length;

    for (const user of ['U0LEGAL1', 'U0BOB', 'U0SEC1']) {
      const click = await h.slack.clickButton({ user, inMessage: legal, label: 'Revoke' });
      expect(await replyTo(h, click), user).toBe('Only toolgate admins can revoke an exception.');
    }
    expect(h.standIn.callsTo('views.open').length).toBe(opened);
    expect(requestRow(h, 1)?.status).toBe('active');

    const before = openViewIds(h, 'U0ADMIN1');
    await h.slack.clickButton({ user: 'U0ADMIN1', inMessage: legal, label: 'Revoke' });
    const modal = await newModal(h, 'U0ADMIN1', 'revoke_exception', before);
    expect(visibleText(modal.blocks)).toContain('Exception request #1');

    // A reason is required.
    const empty = await h.slack.viewSubmission({
      user: 'U0ADMIN1',
      view: modal,
      values: { reason: 'no' },
      skipClientValidation: true,
    });
    expect(empty.json).toMatchObject({
      response_action: 'errors',
      errors: { reason: expect.stringContaining('Please give a reason') },
    });
    expect(requestRow(h, 1)?.status).toBe('active');

    const done = await h.slack.viewSubmission({
      user: 'U0ADMIN1',
      view: modal,
      values: { reason: 'Anthropic changed its data retention terms.' },
    });
    expect(done.body).toBe('');
    expect(requestRow(h, 1)?.status).toBe('revoked');
    expect(auditActions(h, 1).at(-1)).toBe('request.revoked');

    const dm = await dmTo(h, 'U0BOB', 'Exception #1 for Claude Code was revoked');
    expect(visibleText(dm.blocks)).toContain('revoked by <@U0ADMIN1>');
    expect(visibleText(dm.blocks)).toContain('*Reason:* Anthropic changed its data retention terms.');
    expect((await ask(h, 'U0BOB', 'claude code')).text).toBe('Claude Code: Exception required');

    const updated = await messageShowing(h, 'C0LEGAL', legal.ts, 'Revoked');
    expect(visibleText(updated.blocks)).toContain('*Revoked* by <@U0ADMIN1>');
    expect(hasButton(updated, 'revoke_exception')).toBe(false);

    // The old Revoke button, clicked again, changes nothing.
    const again = await h.slack.blockAction({
      user: 'U0ADMIN1',
      source: { kind: 'message', message: legal },
      actionId: 'revoke_exception',
    });
    expect(await replyTo(h, again)).toBe('Nothing changed: the request is revoked.');
    await outboxSettled(h);
    expect(dmsTo(h, 'U0BOB', 'Exception #1 for Claude Code was revoked')).toHaveLength(1);
  });
});

describe('rule 9: App Home', () => {
  it('the requester sees the open request with a Cancel button that works', async () => {
    await fileRequest(h, 'U0BOB');
    await h.slack.appHomeOpened('U0BOB');
    const home = await h.standIn.waitFor(() => h.standIn.homeOf('U0BOB'));
    const shown = visibleText(home.blocks);
    expect(shown).toContain('Your open requests');
    expect(shown).toContain('*Claude Code*: request #1, waiting for Security review');
    expect(shown).not.toContain('Waiting for your decision'); // Bob approves nothing

    await h.slack.clickButtonInView({ user: 'U0BOB', view: home, label: 'Cancel' });
    const refreshed = await h.standIn.waitFor(() => {
      const v = h.standIn.homeOf('U0BOB');
      return v && visibleText(v.blocks).includes('None open') ? v : undefined;
    });
    expect(visibleText(refreshed.blocks)).not.toContain('request #1');
    expect(requestRow(h, 1)?.status).toBe('cancelled');
    await dmTo(h, 'U0BOB', 'Request #1 cancelled');
  });

  it('an approver’s queue has Approve and Deny buttons that act exactly like the channel’s', async () => {
    await fileRequest(h, 'U0BOB');
    const security = await h.standIn.waitFor(approvalIn(h, 'C0SECURITY'));
    await h.slack.appHomeOpened('U0SEC2');
    const home = await h.standIn.waitFor(() => h.standIn.homeOf('U0SEC2'));
    const shown = visibleText(home.blocks);
    expect(shown).toContain('Waiting for your decision');
    expect(shown).toContain('*#1 Claude Code* for <@U0BOB> (Security review');
    expect(shown).toContain('Approve');
    expect(shown).toContain('Deny');

    // Marcus opened his Home too, before Wang decides: his queue goes stale.
    await h.slack.appHomeOpened('U0SEC1');
    const staleHome = await h.standIn.waitFor(() => h.standIn.homeOf('U0SEC1'));

    const before = openViewIds(h, 'U0SEC2');
    await h.slack.clickButtonInView({ user: 'U0SEC2', view: home, label: 'Approve' });
    const modal = await newModal(h, 'U0SEC2', 'approve_stage', before);
    const res = await h.slack.viewSubmission({
      user: 'U0SEC2',
      view: modal,
      values: { note: 'Approved from my Home tab.' },
    });
    expect(res.body).toBe('');
    expect(stageRows(h, 1)[0]).toMatchObject({
      status: 'approved',
      decided_by: 'U0SEC2',
      note: 'Approved from my Home tab.',
    });
    expect(auditActions(h, 1)).toEqual(['request.filed', 'stage.approved']);
    const updated = await messageShowing(h, 'C0SECURITY', security.ts, 'approved by <@U0SEC2>');
    expect(hasButton(updated, 'approve_stage')).toBe(false);
    const legal = await h.standIn.waitFor(approvalIn(h, 'C0LEGAL'));
    // Wang's Home is refreshed: nothing waits on him any more.
    await h.standIn.waitFor(() => {
      const v = h.standIn.homeOf('U0SEC2');
      return v && visibleText(v.blocks).includes('Nothing waiting') ? v : undefined;
    });

    // The stale Home button is refused as the channel's would be, in a small modal (Home has no response URL).
    const staleBefore = openViewIds(h, 'U0SEC1');
    await h.slack.clickButtonInView({ user: 'U0SEC1', view: staleHome, label: 'Approve' });
    const notice = await newModal(h, 'U0SEC1', 'notice', staleBefore);
    expect(visibleText(notice.blocks)).toContain('This stage was already decided: approved by <@U0SEC2>');
    expect(auditActions(h, 1)).toEqual(['request.filed', 'stage.approved']);

    // Legal's queue now has it; Deny from the Home asks for a reason and denies.
    await h.slack.appHomeOpened('U0LEGAL2');
    const legalHome = await h.standIn.waitFor(() => {
      const v = h.standIn.homeOf('U0LEGAL2');
      return v && visibleText(v.blocks).includes('#1 Claude Code') ? v : undefined;
    });
    const legalBefore = openViewIds(h, 'U0LEGAL2');
    await h.slack.clickButtonInView({ user: 'U0LEGAL2', view: legalHome, label: 'Deny' });
    const denyModal = await newModal(h, 'U0LEGAL2', 'deny_stage', legalBefore);
    const noReason = await h.slack.viewSubmission({
      user: 'U0LEGAL2',
      view: denyModal,
      values: { reason: '' },
      skipClientValidation: true,
    });
    expect(noReason.json).toMatchObject({ response_action: 'errors', errors: { reason: expect.any(String) } });
    await h.slack.viewSubmission({
      user: 'U0LEGAL2',
      view: denyModal,
      values: { reason: 'The contract has no data processing agreement.' },
    });
    expect(requestRow(h, 1)?.status).toBe('denied');
    const legalUpdated = await messageShowing(h, 'C0LEGAL', legal.ts, 'denied by <@U0LEGAL2>');
    expect(hasButton(legalUpdated, 'deny_stage')).toBe(false);
    const dm = await dmTo(h, 'U0BOB', 'Request #1 for Claude Code was denied');
    expect(visibleText(dm.blocks)).toContain('The contract has no data processing agreement.');
  });

  it('an approver deciding several in a row while their Home is still being published ends up with a Home showing the last decision', async () => {
    for (const user of ['U0BOB', 'U0CAROL', 'U0ERIN']) await fileRequest(h, user);
    const messages = [];
    for (const id of [1, 2, 3]) messages.push(await h.standIn.waitFor(approvalIn(h, 'C0SECURITY', id)));
    await h.slack.appHomeOpened('U0SEC1');
    await h.standIn.waitFor(() => {
      const v = h.standIn.homeOf('U0SEC1');
      return v && visibleText(v.blocks).includes('#3 Claude Code') ? v : undefined;
    });
    // Each publish takes a while, so the refreshes after the decisions overlap and are coalesced.
    h.standIn.setLatency(150, ['views.publish']);
    for (const message of messages) await decideViaModal(h, 'U0SEC1', message, 'Approve');
    expect([1, 2, 3].map((id) => stageRows(h, id)[0]?.status)).toEqual(['approved', 'approved', 'approved']);
    const home = await h.standIn.waitFor(
      () => {
        const v = h.standIn.homeOf('U0SEC1');
        return v && visibleText(v.blocks).includes('Nothing waiting') ? v : undefined;
      },
      5000,
      "U0SEC1's Home after the last decision",
    );
    for (const id of [1, 2, 3]) expect(visibleText(home.blocks)).not.toContain(`#${id} Claude Code`);
  });

  it('someone who approves nothing has no queue; an approver with nothing waiting is told so', async () => {
    await h.slack.appHomeOpened('U0CAROL');
    const carol = await h.standIn.waitFor(() => h.standIn.homeOf('U0CAROL'));
    expect(visibleText(carol.blocks)).not.toContain('Waiting for your decision');
    await h.slack.appHomeOpened('U0LEGAL1');
    const legal = await h.standIn.waitFor(() => h.standIn.homeOf('U0LEGAL1'));
    expect(visibleText(legal.blocks)).toContain('Nothing waiting');
  });
});
