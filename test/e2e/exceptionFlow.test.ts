// The whole exception flow for a two-stage chain, over HTTP, as Slack would drive it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approvalIn, decideViaModal, FAST_OUTBOX, fileRequest, JUSTIFICATION } from '../helpers/exceptions.ts';
import { startHarness, visibleText, type Harness } from '../helpers/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ env: FAST_OUTBOX });
});
afterEach(async () => {
  await h.stop();
});

describe('exception request, two stages', () => {
  it('from the button to an active exception, with every message in place', async () => {
    const submitted = await fileRequest(h, 'U0BOB');
    expect(submitted.status).toBe(200);
    expect(visibleText((submitted.json as { view: unknown }).view)).toContain('Request #1 for *Claude Code* is filed');

    // Security's channel gets the request with Approve and Deny; Bob gets a DM.
    const security = await h.standIn.waitFor(approvalIn(h, 'C0SECURITY'));
    expect(visibleText(security.blocks)).toContain(JUSTIFICATION);
    expect(visibleText(security.blocks)).toContain('Approve');
    const filed = await h.standIn.waitFor(() => h.standIn.messages('U0BOB').find((m) => m.text.includes('filed')));
    expect(visibleText(filed.blocks)).toContain('Security review, then Legal');

    // Security approves with a note: the message is updated in place, Legal gets its own.
    await decideViaModal(h, 'U0SEC1', security, 'Approve', 'Fine for the public SDK only.');
    const updated = await h.standIn.waitFor(() => {
      const m = h.standIn.message('C0SECURITY', security.ts);
      return m && visibleText(m.blocks).includes('approved by <@U0SEC1>') ? m : undefined;
    });
    expect(visibleText(updated.blocks)).toContain('Fine for the public SDK only.');
    expect(JSON.stringify(updated.blocks)).not.toContain('approve_stage');
    const legal = await h.standIn.waitFor(approvalIn(h, 'C0LEGAL'));

    // Before Legal decides, Bob still needs the exception.
    expect((await h.slack.command({ user: 'U0BOB', text: 'claude code' })).json).toMatchObject({
      text: 'Claude Code: Exception required',
    });

    await decideViaModal(h, 'U0LEGAL1', legal, 'Approve');
    const approvedDm = await h.standIn.waitFor(() =>
      h.standIn.messages('U0BOB').find((m) => m.text.startsWith('Request #1 approved')),
    );
    expect(visibleText(approvedDm.blocks)).toMatch(/You may use \*Claude Code\* until \*\d{4}-\d{2}-\d{2}\*/);

    // Now Bob may use it, under exception #1; Carol (same region) still may not.
    const bob = (await h.slack.command({ user: 'U0BOB', text: 'claude code' })).json as {
      text: string;
      blocks: unknown;
    };
    expect(bob.text).toBe('Claude Code: Allowed under exception #1');
    expect(visibleText(bob.blocks)).toContain('Conditions');
    expect((await h.slack.command({ user: 'U0CAROL', text: 'claude code' })).json).toMatchObject({
      text: 'Claude Code: Exception required',
    });

    // The audit log has every step, and verifies.
    const actions = (await h.bot.store.auditEntries(null))
      .filter((e) => e.subjectType === 'exception_request')
      .map((e) => e.action);
    expect(actions).toEqual(['request.filed', 'stage.approved', 'stage.approved', 'request.activated']);
    expect(await h.bot.store.verifyAudit()).toMatchObject({ ok: true });
  });
});
