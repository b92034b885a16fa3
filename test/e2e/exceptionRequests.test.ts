// Who may ask for an exception, how many at once, and what the form accepts (issue 3, rules 5-7).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackClientValidationError } from '../../src/standIn/index.ts';
import {
  ask,
  auditActions,
  FAST_OUTBOX,
  fileRequest,
  openRequestModal,
  REQUEST_VALUES,
  replyTo,
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

/** A request_exception click forged for `toolId`, from the ephemeral answer `user` got to `/can-i-use <query>`. */
async function forgedRequestClick(user: string, query: string, toolId: string) {
  const asked = await ask(h, user, query);
  return h.slack.blockAction({
    user,
    source: { kind: 'ephemeralFrom', responseUrl: asked.responseUrl, blocks: asked.blocks },
    actionId: 'request_exception',
    blockId: 'forged',
    element: {
      type: 'button',
      action_id: 'request_exception',
      text: { type: 'plain_text', text: 'Request an exception' },
      value: toolId,
    },
  });
}

/** Click "Request an exception" under the answer for `query`; the click's result (no modal expected). */
async function clickRequest(user: string, query: string) {
  const asked = await ask(h, user, query);
  expect(asked.text).toContain('Exception required');
  return h.slack.clickButton({
    user,
    inMessage: { ephemeralFrom: asked.responseUrl, blocks: asked.blocks },
    actionId: 'request_exception',
  });
}

describe('rule 5: no exception requests for a Prohibited or an Approved tool', () => {
  it('Alice (region cn) gets no button for Claude Code, and a forged click is explained, with no form', async () => {
    const answer = await ask(h, 'U0ALICE', 'claude code');
    expect(answer.text).toBe('Claude Code: Prohibited');
    expect(JSON.stringify(answer.blocks)).not.toContain('request_exception');
    expect(answer.shown).not.toMatch(/request an exception/i);

    const click = await forgedRequestClick('U0ALICE', 'claude code', 'claude-code');
    expect(click.status).toBe(200);
    const reply = await replyTo(h, click);
    expect(reply).toContain('*Claude Code* is *Prohibited* for your region, so no exceptions are granted');
    expect(h.standIn.openViews('U0ALICE')).toEqual([]);
    expect(h.standIn.callsTo('views.open')).toEqual([]);
    expect(requestRows(h)).toEqual([]);
  });

  it('Bob gets no button for GitHub Copilot (Approved), and a forged click is explained, with no form', async () => {
    const answer = await ask(h, 'U0BOB', 'github copilot');
    expect(answer.text).toBe('GitHub Copilot: Approved');
    expect(JSON.stringify(answer.blocks)).not.toContain('request_exception');

    const click = await forgedRequestClick('U0BOB', 'github copilot', 'github-copilot');
    expect(await replyTo(h, click)).toBe('No exception needed: *GitHub Copilot* is *Approved* for you.');
    expect(h.standIn.callsTo('views.open')).toEqual([]);
    expect(requestRows(h)).toEqual([]);
  });

  it('a request form opened by someone else cannot file for Alice’s prohibited tool', async () => {
    // Bob may request Claude Code; the same form submitted as Alice must not file anything for her.
    const modal = await openRequestModal(h, 'U0BOB');
    const res = await h.slack.viewSubmission({ user: 'U0ALICE', view: modal, values: REQUEST_VALUES });
    expect(res.json).toMatchObject({ response_action: 'update' });
    expect(visibleText((res.json as { view: unknown }).view)).toContain('*Prohibited* for your region');
    expect(requestRows(h)).toEqual([]);
  });
});

describe('rule 6: one open request per tool, five in all', () => {
  it('a second request for the same tool is refused, naming the open one', async () => {
    // An answer from before the filing still carries the button (its own message is updated once filed).
    const earlier = await ask(h, 'U0BOB', 'claude code');
    await fileRequest(h, 'U0BOB');
    expect(requestRows(h).map((r) => [r.id, r.tool_id, r.status])).toEqual([[1, 'claude-code', 'pending']]);

    // Asked again, the answer says so instead of offering the button.
    const again = await ask(h, 'U0BOB', 'claude code');
    expect(again.shown).toContain('You asked for an exception: request #1');
    expect(again.shown).toContain('waiting for *Security review*');
    expect(JSON.stringify(again.blocks)).not.toContain('request_exception');

    const click = await h.slack.clickButton({
      user: 'U0BOB',
      inMessage: { ephemeralFrom: earlier.responseUrl, blocks: earlier.blocks },
      actionId: 'request_exception',
    });
    expect(await replyTo(h, click)).toBe(
      'You already have request #1 open for *Claude Code*. Wait for the decision, or cancel it from the toolgate Home tab.',
    );
    expect(h.standIn.openViews('U0BOB').map((v) => v.callback_id)).toEqual(['notice']); // only the "filed" notice
    expect(requestRows(h)).toHaveLength(1);
  });

  it('two forms opened before either is submitted: the second submission files nothing', async () => {
    const first = await openRequestModal(h, 'U0BOB');
    const second = await openRequestModal(h, 'U0BOB'); // e.g. on another device
    const [a, b] = await Promise.all([
      h.slack.viewSubmission({ user: 'U0BOB', view: first, values: REQUEST_VALUES }),
      h.slack.viewSubmission({ user: 'U0BOB', view: second, values: REQUEST_VALUES }),
    ]);
    const shown = [a, b].map((r) => visibleText((r.json as { view: unknown }).view));
    expect(shown.filter((t) => t.includes('Request #1 for *Claude Code* is filed'))).toHaveLength(1);
    expect(shown.filter((t) => t.includes('You already have request #1 open for *Claude Code*'))).toHaveLength(1);
    expect(requestRows(h)).toHaveLength(1);
    expect(auditActions(h, 1)).toEqual(['request.filed']);
  });

  it('at most five open requests: the sixth is refused with a clear message, on click and on submit', async () => {
    const tools = ['claude code', 'gemini code assist', 'cursor', 'windsurf', 'qwen code', 'tongyi lingma'];
    for (const tool of tools.slice(0, 4)) await fileRequest(h, 'U0BOB', tool);
    // A form for the sixth, opened while only four are open, submitted once five are.
    const sixthForm = await openRequestModal(h, 'U0BOB', 'tongyi lingma');
    await fileRequest(h, 'U0BOB', 'qwen code');
    expect(requestRows(h).map((r) => r.status)).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);

    const click = await clickRequest('U0BOB', 'tongyi lingma');
    expect(await replyTo(h, click)).toBe(
      'You have 5 open requests, the most allowed at once. Cancel one or wait for decisions, then ask again.',
    );

    const late = await h.slack.viewSubmission({ user: 'U0BOB', view: sixthForm, values: REQUEST_VALUES });
    expect(late.json).toMatchObject({ response_action: 'update' });
    expect(visibleText((late.json as { view: unknown }).view)).toContain(
      'You have 5 open requests, the most allowed at once.',
    );
    expect(requestRows(h).map((r) => r.tool_id)).toEqual([
      'claude-code',
      'gemini-code-assist',
      'cursor',
      'windsurf',
      'qwen-code',
    ]);

    // Someone else is not limited by Bob's requests.
    await fileRequest(h, 'U0CAROL', 'tongyi lingma');
    expect(requestRows(h)).toHaveLength(6);
  });
});

describe('rule 7: the request form checks each field', () => {
  const submit = async (values: Record<string, string | number>) => {
    const modal = await openRequestModal(h, 'U0BOB');
    const res = await h.slack.viewSubmission({
      user: 'U0BOB',
      view: modal,
      values: { ...REQUEST_VALUES, ...values },
      skipClientValidation: true,
    });
    return {
      res,
      modal,
      errors: (res.json as { response_action?: string; errors?: Record<string, string> }).errors ?? {},
    };
  };

  it('a justification under 20 characters is an error on that field', async () => {
    const { res, modal, errors } = await submit({ justification: 'I need it.' });
    expect(res.json).toMatchObject({ response_action: 'errors' });
    expect(Object.keys(errors)).toEqual(['justification']);
    expect(errors.justification).toContain('at least 20 characters');
    expect(h.standIn.viewErrors(modal.id)).toEqual(errors);
    expect(h.standIn.openViews('U0BOB').map((v) => v.id)).toEqual([modal.id]); // the form stays open
    expect(requestRows(h)).toEqual([]);
  });

  it('a missing usage is an error on that field', async () => {
    const { errors } = await submit({ usage: '' });
    expect(errors).toEqual({ usage: 'Name the project or repository.' });
    expect(requestRows(h)).toEqual([]);
  });

  it('a duration over the tool’s maximum (Claude Code: 90 days) is an error on that field', async () => {
    const { errors } = await submit({ duration: 91 });
    expect(errors).toEqual({ duration: expect.stringContaining('At most 90 days') });
    const zero = await submit({ duration: 0 });
    expect(zero.errors).toEqual({ duration: expect.stringContaining('at least 1') });
    expect(requestRows(h)).toEqual([]);
  });

  it('several bad fields at once are all reported, and nothing is filed or audited', async () => {
    const { errors } = await submit({ justification: 'short', usage: '  ', duration: 365 });
    expect(Object.keys(errors).sort()).toEqual(['duration', 'justification', 'usage']);
    expect(requestRows(h)).toEqual([]);
    expect(auditActions(h, 1)).toEqual([]);
  });

  it('a Slack client itself refuses these before sending (the form declares the limits)', async () => {
    const modal = await openRequestModal(h, 'U0BOB');
    for (const values of [{ justification: 'short' }, { usage: '' }, { duration: 91 }]) {
      await expect(
        h.slack.viewSubmission({ user: 'U0BOB', view: modal, values: { ...REQUEST_VALUES, ...values } }),
      ).rejects.toBeInstanceOf(SlackClientValidationError);
    }
    // Corrected, the same form files the request.
    const ok = await h.slack.viewSubmission({
      user: 'U0BOB',
      view: modal,
      values: { ...REQUEST_VALUES, duration: 90 },
    });
    expect(visibleText((ok.json as { view: unknown }).view)).toContain('Request #1 for *Claude Code* is filed');
    expect(requestRows(h)).toMatchObject([{ id: 1, status: 'pending' }]);
  });
});
