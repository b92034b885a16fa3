// Reclassification from Slack (issue 12): Edit on a /can-i-use answer, for the review group and
// admins only, shows the impact before anything is saved; confirmed, a change to Prohibited revokes
// the exceptions and closes the requests it covers, with audit entries and a DM to each person.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  approvalIn,
  ask,
  auditActions,
  decideViaModal,
  dmTo,
  FAST_OUTBOX,
  fileRequest,
  messageShowing,
  newModal,
  openViewIds,
  replyTo,
  requestRows,
} from '../helpers/exceptions.ts';
import { verifyAudit } from '../../src/service/audit.ts';
import { startHarness, visibleText, type Harness } from '../helpers/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ env: FAST_OUTBOX });
});
afterEach(async () => {
  await h.stop();
});

const hasButton = (blocks: unknown, actionId: string) => JSON.stringify(blocks).includes(`"action_id":"${actionId}"`);

/** Bob holds exception #1 for Claude Code; Erin's request #2 waits on Security. */
async function exceptionAndRequest() {
  await fileRequest(h, 'U0BOB');
  await decideViaModal(h, 'U0SEC1', await h.standIn.waitFor(approvalIn(h, 'C0SECURITY')), 'Approve');
  await decideViaModal(h, 'U0LEGAL1', await h.standIn.waitFor(approvalIn(h, 'C0LEGAL')), 'Approve');
  await dmTo(h, 'U0BOB', 'Request #1 approved');
  await fileRequest(h, 'U0ERIN');
  const erinsApproval = await h.standIn.waitFor(approvalIn(h, 'C0SECURITY', 2));
  expect(requestRows(h).map((r) => [r.id, r.requester, r.status])).toEqual([
    [1, 'U0BOB', 'active'],
    [2, 'U0ERIN', 'pending'],
  ]);
  return { erinsApproval };
}

/** As `user`: /can-i-use claude code, click Edit, the Edit modal. */
async function openEdit(user: string) {
  const asked = await ask(h, user, 'claude code');
  const before = openViewIds(h, user);
  await h.slack.clickButton({
    user,
    inMessage: { ephemeralFrom: asked.responseUrl, blocks: asked.blocks },
    label: 'Edit',
  });
  return newModal(h, user, 'edit_tool', before);
}

describe('Edit on the answer', () => {
  it('is shown to the review group and admins only, and a forged click by anyone else opens nothing', async () => {
    const bob = await ask(h, 'U0BOB', 'claude code');
    expect(hasButton(bob.blocks, 'edit_tool')).toBe(false);
    for (const editor of ['U0SEC1', 'U0ADMIN1'])
      expect(hasButton((await ask(h, editor, 'claude code')).blocks, 'edit_tool')).toBe(true);
    // Legal approves requests but does not classify tools.
    expect(hasButton((await ask(h, 'U0LEGAL1', 'claude code')).blocks, 'edit_tool')).toBe(false);

    // Bob's client crafts the click (the button from Security's answer): refused on the server.
    const sec = await ask(h, 'U0SEC1', 'claude code');
    const edit = sec.blocks.find((b) => hasButton(b, 'edit_tool'));
    const forged = await h.slack.clickButton({
      user: 'U0BOB',
      inMessage: { ephemeralFrom: bob.responseUrl, blocks: edit ? [edit] : [] },
      label: 'Edit',
    });
    expect(await replyTo(h, forged)).toBe('Only admins and the review group can reclassify tools. Nothing changed.');
    expect(h.standIn.openViews('U0BOB').filter((v) => v.callback_id === 'edit_tool')).toEqual([]);
  });

  it('to Prohibited: the impact first, then the exception revoked and the request closed, audited, each person told why', async () => {
    const { erinsApproval } = await exceptionAndRequest();
    const modal = await openEdit('U0SEC1');
    expect(visibleText(modal.blocks)).toContain('Status in China mainland');
    // The rubric's suggestion from the facts the registry holds, as on Classify (the decision stays a person's).
    expect(visibleText(modal.blocks)).toMatch(
      /Assessment rubric: Suggested: \w+ \(score \d+\).*The decision is yours\./,
    );

    // Step one: nothing is saved; the impact is shown.
    const before = openViewIds(h, 'U0SEC1');
    await h.slack.viewSubmission({
      user: 'U0SEC1',
      view: modal,
      values: { edit_status: 'prohibited', edit_reason: 'Banned after the 2025 security review.' },
    });
    const confirm = await newModal(h, 'U0SEC1', 'edit_tool_confirm', before);
    const shown = visibleText(confirm.blocks);
    expect(shown).toContain('*Claude Code*: prohibited');
    expect(shown).toContain('*1* active exceptions will be revoked: <@U0BOB> (#1, Global)');
    expect(shown).toContain('*1* pending requests will be closed (now prohibited): <@U0ERIN> (#2, Global)');
    expect(requestRows(h).map((r) => r.status)).toEqual(['active', 'pending']);
    expect((await ask(h, 'U0BOB', 'claude code')).text).toBe('Claude Code: Allowed under exception #1');

    // The confirmation is checked again on the server: Bob submitting it changes nothing.
    const forged = await h.slack.viewSubmission({ user: 'U0BOB', view: confirm, applyResponse: false });
    expect(visibleText(forged.json)).toContain('Only admins and the review group can reclassify tools.');
    expect(requestRows(h).map((r) => r.status)).toEqual(['active', 'pending']);

    const applied = await h.slack.viewSubmission({ user: 'U0SEC1', view: confirm, applyResponse: false });
    expect(visibleText(applied.json)).toContain(
      '*Claude Code* is reclassified: prohibited. 2 exceptions and requests were ended',
    );
    expect(requestRows(h).map((r) => r.status)).toEqual(['revoked', 'cancelled']);
    expect(auditActions(h, 1)).toEqual([
      'request.filed',
      'stage.approved',
      'stage.approved',
      'request.activated',
      'request.revoked',
    ]);
    expect(auditActions(h, 2)).toEqual(['request.filed', 'request.closed']);
    const toolAudit = h.bot.store.db
      .prepare(
        "SELECT actor, action FROM audit_log WHERE subject_type = 'tool' AND subject_id = 'claude-code' ORDER BY id",
      )
      .all();
    // The first start's load is one registry.imported entry; the reclassification is the tool's first.
    expect(toolAudit).toEqual([{ actor: 'U0SEC1', action: 'tool.updated' }]);

    // Each person hears why, with what is cleared in their region instead.
    const bobDm = await dmTo(h, 'U0BOB', 'Exception #1 for Claude Code was revoked');
    expect(visibleText(bobDm.blocks)).toContain(
      'Your exception #1 for *Claude Code* is revoked because the tool was reclassified.\n*Why:* Claude Code is now Prohibited in Global: Banned after the 2025 security review.',
    );
    expect(visibleText(bobDm.blocks)).toContain('*Cleared in Global instead:* *GitHub Copilot*, *Continue*');
    const erinDm = await dmTo(h, 'U0ERIN', 'Request #2 for Claude Code was closed');
    expect(visibleText(erinDm.blocks)).toContain('*Why:* Claude Code is now Prohibited in Global');

    // Erin's approval message loses its buttons and says who closed it and why.
    const updated = await messageShowing(h, 'C0SECURITY', erinsApproval.ts, 'Cancelled');
    expect(visibleText(updated.blocks)).toContain('*Cancelled* by <@U0SEC1>');
    expect(hasButton(updated.blocks, 'approve_stage')).toBe(false);

    // The answer follows, and now has a History.
    const now = await ask(h, 'U0BOB', 'claude code');
    expect(now.text).toBe('Claude Code: Prohibited');
    expect(hasButton(now.blocks, 'tool_history')).toBe(true);
    const views = openViewIds(h, 'U0BOB');
    await h.slack.clickButton({
      user: 'U0BOB',
      inMessage: { ephemeralFrom: now.responseUrl, blocks: now.blocks },
      label: 'History',
    });
    const history = await newModal(h, 'U0BOB', 'tool_history', views);
    expect(visibleText(history.blocks)).toMatch(
      /high risk, exception required, prohibited in China mainland → \d{4}-\d{2} prohibited/,
    );
    expect(visibleText(history.blocks)).toContain('in Slack by U0SEC1');

    // The audit log, replayed against the requests, still holds.
    const report = await verifyAudit({ store: h.bot.store });
    expect({ ok: report.ok, differences: report.differences, failing: report.failing }).toEqual({
      ok: true,
      differences: [],
      failing: [],
    });
  });

  it('a mistake comes back under its field, and a change that ends nothing says so', async () => {
    await exceptionAndRequest();
    const modal = await openEdit('U0ADMIN1');
    const short = await h.slack.viewSubmission({
      user: 'U0ADMIN1',
      view: modal,
      values: { edit_status: 'exception_required', edit_reason: 'abc' },
      skipClientValidation: true,
      applyResponse: false,
    });
    expect(short.json).toMatchObject({
      response_action: 'errors',
      errors: { edit_reason: expect.stringContaining('at least 5') },
    });
    const same = await h.slack.viewSubmission({
      user: 'U0ADMIN1',
      view: modal,
      values: { edit_reason: 'Nothing really changes here.' },
      applyResponse: false,
    });
    expect(same.json).toMatchObject({
      response_action: 'errors',
      errors: { edit_status: expect.stringContaining('already') },
    });

    // A new risk class: Erin's pending request keeps the chain it was filed under.
    const before = openViewIds(h, 'U0ADMIN1');
    await h.slack.viewSubmission({
      user: 'U0ADMIN1',
      view: modal,
      values: { edit_risk: 'medium', edit_reason: 'Re-assessed with the vendor.' },
    });
    const confirm = await newModal(h, 'U0ADMIN1', 'edit_tool_confirm', before);
    expect(visibleText(confirm.blocks)).toContain(
      '*1* pending requests keep the approval chain they were filed under: <@U0ERIN> (#2, Global)',
    );
    expect(visibleText(confirm.blocks)).toContain('Nothing is revoked or closed.');
    await h.slack.viewSubmission({ user: 'U0ADMIN1', view: confirm, applyResponse: false });
    expect(requestRows(h).map((r) => r.status)).toEqual(['active', 'pending']);
    const stages = h.bot.store.db
      .prepare('SELECT group_id FROM request_stages WHERE request_id = 2 ORDER BY position')
      .all();
    expect(stages).toEqual([{ group_id: 'security' }, { group_id: 'legal' }]);
    expect(h.bot.store.db.prepare("SELECT risk FROM tools WHERE id = 'claude-code'").get()).toEqual({ risk: 'medium' });
  });
});
