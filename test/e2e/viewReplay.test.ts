// Issue 9, item 4: a submitted view is acted on once. The same signed submission sent again
// (a replay, or a double click that reaches the bot twice) is answered and changes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  approvalIn,
  decideViaModal,
  FAST_OUTBOX,
  openDecisionModal,
  openRequestModal,
  REQUEST_VALUES,
  requestRows,
} from '../helpers/exceptions.ts';
import { startHarness, visibleText, type Harness } from '../helpers/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ env: FAST_OUTBOX });
});
afterEach(async () => {
  await h.stop();
});

/** Sends exactly the payload of an earlier submission again, freshly signed. */
const resend = (payload: unknown) =>
  h.slack.post(
    h.bot.eventsUrl as string,
    `payload=${encodeURIComponent(JSON.stringify(payload))}`,
    'application/x-www-form-urlencoded',
  );

describe('a view is acted on once', () => {
  it('the request form replayed after its request was denied files nothing new', async () => {
    const modal = await openRequestModal(h, 'U0BOB');
    const first = await h.slack.viewSubmission({ user: 'U0BOB', view: modal, values: REQUEST_VALUES });
    expect(first.status).toBe(200);
    const security = await h.standIn.waitFor(approvalIn(h, 'C0SECURITY'));
    await decideViaModal(h, 'U0SEC1', security, 'Deny', 'Not for confidential code.');
    expect(requestRows(h).map((r) => r.status)).toEqual(['denied']);

    const replay = await resend(first.payload);
    expect(replay.status).toBe(200);
    expect(replay.json).toMatchObject({ response_action: 'update', view: { title: { text: 'Already submitted' } } });
    expect(visibleText((replay.json as { view: unknown }).view)).toContain('already submitted, so nothing changed');
    expect(requestRows(h).map((r) => r.status)).toEqual(['denied']);
  });

  it('a submission, then two copies of it at once: one request; both copies are told nothing changed', async () => {
    const modal = await openRequestModal(h, 'U0BOB');
    const first = await h.slack.viewSubmission({
      user: 'U0BOB',
      view: modal,
      values: REQUEST_VALUES,
      applyResponse: false,
    });
    const copies = await Promise.all([resend(first.payload), resend(first.payload)]);
    expect(copies.map((c) => (c.json as { view?: { title?: { text?: string } } }).view?.title?.text)).toEqual([
      'Already submitted',
      'Already submitted',
    ]);
    expect(requestRows(h)).toHaveLength(1);
  });

  it('a form sent back with field errors can be corrected and submitted', async () => {
    const modal = await openRequestModal(h, 'U0BOB');
    const short = await h.slack.viewSubmission({
      user: 'U0BOB',
      view: modal,
      values: { ...REQUEST_VALUES, justification: 'too short' },
      skipClientValidation: true,
    });
    expect(short.json).toMatchObject({ response_action: 'errors' });
    const fixed = await h.slack.viewSubmission({ user: 'U0BOB', view: modal, values: REQUEST_VALUES });
    expect(fixed.json).toMatchObject({ response_action: 'update', view: { title: { text: 'Request filed' } } });
    expect(requestRows(h)).toHaveLength(1);
  });

  it('an approval replayed after the request moved on decides nothing twice', async () => {
    const requestModal = await openRequestModal(h, 'U0BOB');
    await h.slack.viewSubmission({ user: 'U0BOB', view: requestModal, values: REQUEST_VALUES });
    const security = await h.standIn.waitFor(approvalIn(h, 'C0SECURITY'));
    const approve = await openDecisionModal(h, 'U0SEC1', security, 'Approve');
    const first = await h.slack.viewSubmission({ user: 'U0SEC1', view: approve, values: { note: 'ok' } });
    expect(first.body).toBe('');
    const replay = await resend(first.payload);
    expect(replay.json).toMatchObject({ view: { title: { text: 'Already submitted' } } });
    const audit = h.bot.store.db
      .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'stage.approved'")
      .get() as { n: number };
    expect(audit.n).toBe(1);
  });
});
