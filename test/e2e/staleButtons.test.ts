// Buttons that no longer apply (issue 10): a state change updates the message that carries one
// (the DM through the outbox, the ephemeral answer through its response URL), and a click on an
// old copy says where things stand in one line.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SlackBlock, StoredMessage } from '../../src/standIn/index.ts';
import {
  approvalIn,
  ask,
  decideViaModal,
  dmTo,
  FAST_OUTBOX,
  messageShowing,
  newModal,
  openViewIds,
  REQUEST_VALUES,
  replyTo,
} from '../helpers/exceptions.ts';
import { startHarness, visibleText, type Harness } from '../helpers/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ env: FAST_OUTBOX });
});
afterEach(async () => {
  await h.stop();
});

const actionIds = (blocks: SlackBlock[] | undefined): string[] =>
  (blocks ?? []).flatMap((b) =>
    b.type === 'actions' ? ((b.elements ?? []) as Array<{ action_id: string }>).map((e) => e.action_id) : [],
  );

/** Bob asks, clicks "Request an exception" in the answer and files the form. */
async function fileFromAnswer(tool = 'claude code') {
  const answer = await ask(h, 'U0BOB', tool);
  expect(actionIds(answer.blocks)).toEqual(['request_exception']);
  const before = openViewIds(h, 'U0BOB');
  await h.slack.clickButton({
    user: 'U0BOB',
    inMessage: { ephemeralFrom: answer.responseUrl, blocks: answer.blocks },
    actionId: 'request_exception',
  });
  const modal = await newModal(h, 'U0BOB', 'exception_request', before);
  await h.slack.viewSubmission({ user: 'U0BOB', view: modal, values: REQUEST_VALUES });
  return answer;
}

describe('the answer a request was filed from', () => {
  it('is replaced through its response URL: it shows the request, not the button', async () => {
    const answer = await fileFromAnswer();
    const replaced = await h.standIn.waitFor(
      () =>
        h.standIn
          .responses(answer.responseUrl)
          .find((p) => p.via === 'post' && p.effect === 'replaced' && p.body.replace_original === true),
      5000,
      'the answer replaced',
    );
    const ephemeral = h.standIn.ephemerals('U0BOB').find((e) => e.ts === replaced.ts);
    expect(actionIds(ephemeral?.blocks)).toEqual([]);
    expect(visibleText(ephemeral?.blocks)).toContain(
      'You asked for an exception: request #1, filed ' /* date follows */,
    );
    expect(visibleText(ephemeral?.blocks)).toContain('is waiting for *Security review*');
  });

  it('the outbox re-checks the URL: one that is not Slack’s is given up, never posted to', async () => {
    const evil = 'https://evil.example/hook';
    await h.bot.store.recordEvent(
      {
        audit: [],
        notices: [
          { kind: 'answer_refresh', requestId: 1, user: 'U0BOB', url: evil, until: '2999-01-01T00:00:00.000Z' },
        ],
      },
      new Date(),
    );
    await h.bot.outbox.drain();
    expect(await h.bot.store.failedMessages()).toMatchObject([
      { notice: { kind: 'answer_refresh', url: evil }, lastError: 'not a Slack response URL' },
    ]);
  });
});

describe('the DM with Cancel', () => {
  it('loses its Cancel once the request is approved, and an old Cancel explains in one line', async () => {
    await fileFromAnswer();
    const filed = await dmTo(h, 'U0BOB', 'Request #1 for Claude Code filed');
    expect(actionIds(filed.blocks)).toEqual(['cancel_request']);

    await decideViaModal(h, 'U0SEC1', await h.standIn.waitFor(approvalIn(h, 'C0SECURITY')), 'Approve');
    // Still pending (Legal next): Cancel stays, and the DM says who has it now.
    const progress = await messageShowing(h, filed.channel, filed.ts, 'Now with *Legal*');
    expect(actionIds(progress.blocks)).toEqual(['cancel_request']);

    await decideViaModal(h, 'U0LEGAL1', await h.standIn.waitFor(approvalIn(h, 'C0LEGAL')), 'Approve');
    const updated = await messageShowing(h, filed.channel, filed.ts, 'was approved: you hold exception #1');
    expect(actionIds(updated.blocks)).toEqual([]);

    // Someone clicks the Cancel of the copy they still see (before the update reached them).
    const click = await h.slack.blockAction({ user: 'U0BOB', message: filed, actionId: 'cancel_request' });
    expect(await replyTo(h, click)).toMatch(
      /^Request #1 for \*Claude Code\* was approved: you hold exception #1 until \d{4}-\d{2}-\d{2}\. Nothing to cancel\.$/,
    );
  });

  it('shows the denial once the request is denied', async () => {
    await fileFromAnswer();
    const filed: StoredMessage = await dmTo(h, 'U0BOB', 'Request #1 for Claude Code filed');
    await decideViaModal(
      h,
      'U0SEC1',
      await h.standIn.waitFor(approvalIn(h, 'C0SECURITY')),
      'Deny',
      'Not for confidential repositories.',
    );
    const updated = await messageShowing(h, filed.channel, filed.ts, 'was denied on');
    expect(actionIds(updated.blocks)).toEqual([]);
  });
});
