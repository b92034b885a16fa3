// Who may decide a stage, and that a decision is final and happens once (issue 3, rules 1-4).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SlackClientValidationError, type StoredMessage } from '../../src/standIn/index.ts';
import {
  approvalIn,
  ask,
  auditActions,
  decideViaModal,
  dmTo,
  FAST_OUTBOX,
  fileRequest,
  messageShowing,
  openDecisionModal,
  outboxSettled,
  replyTo,
  requestRow,
  stageRows,
} from '../helpers/exceptions.ts';
import { startHarness, visibleText, type Harness, type HarnessOptions } from '../helpers/harness.ts';
import { REGISTRY_PATH, tempDir } from '../helpers/tmp.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function start(options: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness({ ...options, env: { ...FAST_OUTBOX, ...options.env } });
  return h;
}

/** Files request #1 for Claude Code (Security review, then Legal) and returns Security's approval message. */
async function filedForSecurity(harness: Harness, requester = 'U0BOB'): Promise<StoredMessage> {
  const submitted = await fileRequest(harness, requester);
  expect(visibleText((submitted.json as { view: unknown }).view)).toContain('Request #1 for *Claude Code* is filed');
  return harness.standIn.waitFor(approvalIn(harness, 'C0SECURITY'));
}

describe('rule 1: only members of the current stage’s group decide it', () => {
  it('anyone else clicking Approve or Deny is told so, and nothing changes', async () => {
    const harness = await start();
    const security = await filedForSecurity(harness);
    const opened = harness.standIn.callsTo('views.open').length;

    // Legal is not the current stage's group; Carol and the admin are in no group at all.
    for (const [user, label] of [
      ['U0LEGAL1', 'Approve'],
      ['U0CAROL', 'Approve'],
      ['U0CAROL', 'Deny'],
      ['U0ADMIN1', 'Deny'],
    ] as const) {
      const click = await harness.slack.clickButton({ user, inMessage: security, label });
      expect(click.status).toBe(200);
      const reply = await replyTo(harness, click);
      expect(reply, `${user} ${label}`).toContain('You are not an approver for this stage');
      expect(reply).toContain('Security review');
      expect(harness.standIn.openViews(user), user).toEqual([]);
    }

    // No modal opened, nothing recorded beyond the filing, the message still waits for Security.
    expect(harness.standIn.callsTo('views.open').length).toBe(opened);
    expect(auditActions(harness, 1)).toEqual(['request.filed']);
    expect(requestRow(harness, 1)?.status).toBe('pending');
    expect(stageRows(harness, 1).map((s) => [s.status, s.decided_by])).toEqual([
      ['pending', null],
      ['waiting', null],
    ]);
    expect(visibleText(harness.standIn.message('C0SECURITY', security.ts)?.blocks)).toContain('Approve');
  });

  it('Legal cannot decide Security’s stage even by submitting the decision form', async () => {
    const harness = await start();
    const security = await filedForSecurity(harness);
    // A Security member opens the form; a Legal member submits that very form (a forged submission).
    const modal = await openDecisionModal(harness, 'U0SEC1', security, 'Approve');
    const res = await harness.slack.viewSubmission({ user: 'U0LEGAL1', view: modal, values: { note: '' } });
    expect(res.json).toMatchObject({ response_action: 'update' });
    expect(visibleText((res.json as { view: unknown }).view)).toContain('You are not an approver for this stage');
    expect(auditActions(harness, 1)).toEqual(['request.filed']);
    expect(requestRow(harness, 1)?.status).toBe('pending');
  });
});

describe('rule 2: nobody decides their own request, nor two stages of one request', () => {
  it('an approver who filed the request is refused; another member of the group decides', async () => {
    const harness = await start();
    const security = await filedForSecurity(harness, 'U0SEC1');
    const opened = harness.standIn.callsTo('views.open').length;

    for (const label of ['Approve', 'Deny'] as const) {
      const click = await harness.slack.clickButton({ user: 'U0SEC1', inMessage: security, label });
      expect(await replyTo(harness, click)).toBe('You cannot decide your own request.');
    }
    expect(harness.standIn.callsTo('views.open').length).toBe(opened);
    expect(auditActions(harness, 1)).toEqual(['request.filed']);

    // The App Home does not put their own request in their queue either.
    await harness.slack.appHomeOpened('U0SEC1');
    const home = await harness.standIn.waitFor(() => harness.standIn.homeOf('U0SEC1'));
    expect(visibleText(home.blocks)).toContain('Nothing waiting');

    await decideViaModal(harness, 'U0SEC2', security, 'Approve');
    await messageShowing(harness, 'C0SECURITY', security.ts, 'approved by <@U0SEC2>');
    expect(stageRows(harness, 1)[0]).toMatchObject({ status: 'approved', decided_by: 'U0SEC2' });
  });

  it('four eyes: someone in both Security and Legal who approved stage 1 is refused at stage 2', async () => {
    // A registry where Marcus (U0SEC1) is also in Legal.
    const registry = readFileSync(REGISTRY_PATH, 'utf8');
    const legalLine = '{ id: legal, name: Legal, channel: C0LEGAL, members: [U0LEGAL1, U0LEGAL2] }';
    expect(registry).toContain(legalLine);
    const registryPath = join(tempDir(), 'registry.yml');
    writeFileSync(
      registryPath,
      registry.replace(
        legalLine,
        '{ id: legal, name: Legal, channel: C0LEGAL, members: [U0LEGAL1, U0LEGAL2, U0SEC1] }',
      ),
    );

    const harness = await start({ registryPath });
    const security = await filedForSecurity(harness);
    await decideViaModal(harness, 'U0SEC1', security, 'Approve');
    const legal = await harness.standIn.waitFor(approvalIn(harness, 'C0LEGAL'));
    const opened = harness.standIn.callsTo('views.open').length;

    for (const label of ['Approve', 'Deny'] as const) {
      const click = await harness.slack.clickButton({ user: 'U0SEC1', inMessage: legal, label });
      expect(await replyTo(harness, click)).toContain(
        'You already decided stage 1 of this request; another person must decide this one (four eyes)',
      );
    }
    expect(harness.standIn.callsTo('views.open').length).toBe(opened);
    expect(auditActions(harness, 1)).toEqual(['request.filed', 'stage.approved']);
    expect(stageRows(harness, 1)[1]).toMatchObject({ status: 'pending', decided_by: null });
    // Nor does his Home tab offer him the second stage.
    await harness.slack.appHomeOpened('U0SEC1');
    const home = await harness.standIn.waitFor(() => harness.standIn.homeOf('U0SEC1'));
    expect(visibleText(home.blocks)).toContain('Nothing waiting');
    expect(JSON.stringify(home.blocks)).not.toContain('approve_stage');

    // Another Legal member may.
    await decideViaModal(harness, 'U0LEGAL1', legal, 'Approve');
    await dmTo(harness, 'U0BOB', 'Request #1 approved');
    expect(stageRows(harness, 1).map((s) => s.decided_by)).toEqual(['U0SEC1', 'U0LEGAL1']);
  });
});

describe('rule 3: a decision is final and happens once', () => {
  it('two approvers submitting at the same moment: one decision, the other is told who decided', async () => {
    const harness = await start();
    const security = await filedForSecurity(harness);
    const first = await openDecisionModal(harness, 'U0SEC1', security, 'Approve');
    const second = await openDecisionModal(harness, 'U0SEC2', security, 'Approve');

    const [a, b] = await Promise.all([
      harness.slack.viewSubmission({ user: 'U0SEC1', view: first, values: { note: 'From Marcus' } }),
      harness.slack.viewSubmission({ user: 'U0SEC2', view: second, values: { note: 'From Wang' } }),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);

    const stage0 = stageRows(harness, 1)[0];
    expect(stage0?.status).toBe('approved');
    const winner = stage0?.decided_by as string;
    expect(['U0SEC1', 'U0SEC2']).toContain(winner);
    const [won, lost] = winner === 'U0SEC1' ? [a, b] : [b, a];
    expect(won.body).toBe(''); // plain ack: the modal closes
    expect(lost.json).toMatchObject({ response_action: 'update' });
    const told = visibleText((lost.json as { view: unknown }).view);
    expect(told).toContain('This stage was already decided: approved by');
    expect(told).toContain(`<@${winner}>`);
    expect(told).toContain('Nothing changed');

    expect(auditActions(harness, 1)).toEqual(['request.filed', 'stage.approved']);
    expect(stage0?.note).toBe(winner === 'U0SEC1' ? 'From Marcus' : 'From Wang');
    // Legal gets exactly one message, Bob exactly one progress DM.
    await harness.standIn.waitFor(approvalIn(harness, 'C0LEGAL'));
    await outboxSettled(harness);
    expect(harness.standIn.messages('C0LEGAL').filter((m) => m.text.startsWith('Exception request #1:'))).toHaveLength(
      1,
    );
    expect(harness.standIn.messages('U0BOB').filter((m) => m.text.startsWith('Request #1: approved by'))).toHaveLength(
      1,
    );
  });

  it('old buttons and old forms cannot reopen or change a denied request', async () => {
    const harness = await start();
    const original = await filedForSecurity(harness); // keeps its Approve and Deny buttons
    const staleForm = await openDecisionModal(harness, 'U0SEC2', original, 'Approve');

    await decideViaModal(harness, 'U0SEC1', original, 'Deny', 'Confidential code would leave the company.');
    const updated = await messageShowing(harness, 'C0SECURITY', original.ts, 'denied by <@U0SEC1>');
    expect(JSON.stringify(updated.blocks)).not.toContain('approve_stage');
    await dmTo(harness, 'U0BOB', 'Request #1 for Claude Code was denied');
    const audit = auditActions(harness, 1);
    expect(audit).toEqual(['request.filed', 'stage.denied']);
    const opened = harness.standIn.callsTo('views.open').length;

    // A client still showing the old message: its Approve button is refused, naming who decided.
    for (const actionId of ['approve_stage', 'deny_stage']) {
      const click = await harness.slack.blockAction({
        user: 'U0SEC2',
        source: { kind: 'message', message: original },
        actionId,
      });
      const reply = await replyTo(harness, click);
      expect(reply).toContain('This request is already denied: denied by <@U0SEC1>');
      expect(reply).toContain('Nothing changed');
    }
    expect(harness.standIn.callsTo('views.open').length).toBe(opened);

    // The form opened before the denial, submitted now, changes nothing either.
    const late = await harness.slack.viewSubmission({
      user: 'U0SEC2',
      view: staleForm,
      values: { note: 'Looks fine to me' },
    });
    expect(late.json).toMatchObject({ response_action: 'update' });
    expect(visibleText((late.json as { view: unknown }).view)).toContain('already denied: denied by <@U0SEC1>');

    expect(auditActions(harness, 1)).toEqual(audit);
    expect(requestRow(harness, 1)?.status).toBe('denied');
    expect(stageRows(harness, 1).map((s) => [s.status, s.decided_by])).toEqual([
      ['denied', 'U0SEC1'],
      ['waiting', null],
    ]);
    await outboxSettled(harness);
    expect(harness.standIn.messages('C0LEGAL')).toEqual([]);
    expect(harness.standIn.messages('U0BOB').filter((m) => m.text.includes('denied'))).toHaveLength(1);
  });
});

describe('rule 4: a denial needs a reason', () => {
  it('an empty or too short reason comes back as an error on the reason field; a real reason denies', async () => {
    const harness = await start();
    const security = await filedForSecurity(harness);
    const modal = await openDecisionModal(harness, 'U0SEC1', security, 'Deny');

    // A Slack client would not even send these (the field is required, at least 5 characters).
    await expect(
      harness.slack.viewSubmission({ user: 'U0SEC1', view: modal, values: { reason: '' } }),
    ).rejects.toBeInstanceOf(SlackClientValidationError);
    for (const reason of ['', 'no', '    ']) {
      const res = await harness.slack.viewSubmission({
        user: 'U0SEC1',
        view: modal,
        values: { reason },
        skipClientValidation: true,
      });
      expect(res.json, JSON.stringify(reason)).toMatchObject({
        response_action: 'errors',
        errors: { reason: expect.stringContaining('Please give a reason') },
      });
      expect(Object.keys((res.json as { errors: object }).errors)).toEqual(['reason']);
      expect(harness.standIn.viewErrors(modal.id)).toMatchObject({ reason: expect.stringContaining('reason') });
    }
    expect(auditActions(harness, 1)).toEqual(['request.filed']);
    expect(requestRow(harness, 1)?.status).toBe('pending');

    // The same modal, now with a reason.
    const denied = await harness.slack.viewSubmission({
      user: 'U0SEC1',
      view: modal,
      values: { reason: 'Our repositories are confidential.' },
    });
    expect(denied.body).toBe('');
    expect(harness.standIn.openViews('U0SEC1')).toEqual([]);

    const updated = await messageShowing(harness, 'C0SECURITY', security.ts, 'denied by <@U0SEC1>');
    expect(visibleText(updated.blocks)).toContain('Our repositories are confidential.');
    expect(visibleText(updated.blocks)).toContain('Denied.');
    const dm = await dmTo(harness, 'U0BOB', 'Request #1 for Claude Code was denied');
    expect(visibleText(dm.blocks)).toContain('denied by <@U0SEC1>');
    expect(visibleText(dm.blocks)).toContain('*Reason:* Our repositories are confidential.');

    expect((await ask(harness, 'U0BOB', 'claude code')).text).toBe('Claude Code: Exception required');
    expect(auditActions(harness, 1)).toEqual(['request.filed', 'stage.denied']);
  });
});
