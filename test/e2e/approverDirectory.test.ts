// Approver groups from Slack user groups, and delegation while away (issue 13): who may decide
// follows the user group as it is at the moment of the click and of the submission, a delegate
// decides in place of an away approver under the same four-eyes rule, and a stage whose whole
// group is away goes to the admins at once.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyAudit } from '../../src/service/audit.ts';
import { startSlackStandIn, type SlackStandIn, type StoredMessage } from '../../src/standIn/index.ts';
import {
  approvalIn,
  auditActions,
  decideViaModal,
  dmTo,
  dmsTo,
  FAST_OUTBOX,
  fileRequest,
  messageShowing,
  newModal,
  openDecisionModal,
  openViewIds,
  outboxSettled,
  replyTo,
  requestRow,
  stageRows,
} from '../helpers/exceptions.ts';
import { startHarness, visibleText, type Harness, type HarnessOptions } from '../helpers/harness.ts';
import { REGISTRY_PATH, tempDir } from '../helpers/tmp.ts';

let h: Harness | undefined;
let standIn: SlackStandIn | undefined;
afterEach(async () => {
  await h?.stop();
  await standIn?.close();
  h = undefined;
  standIn = undefined;
});

/**
 * The shipped registry with Security's members given by a Slack user group only (by its handle),
 * a backup group for it, and Legal backed by Security.
 */
function directoryRegistry(): string {
  const shipped = readFileSync(REGISTRY_PATH, 'utf8');
  const security = '  - { id: security, name: Security review, channel: C0SECURITY, members: [U0SEC1, U0SEC2] }';
  const legal = '  - { id: legal, name: Legal, channel: C0LEGAL, members: [U0LEGAL1, U0LEGAL2] }';
  expect(shipped).toContain(security);
  expect(shipped).toContain(legal);
  const path = join(tempDir(), 'registry.yml');
  writeFileSync(
    path,
    shipped
      .replace(
        security,
        [
          '  - { id: security, name: Security review, channel: C0SECURITY, usergroup: "@security-review", backup: security-backup }',
          '  - { id: security-backup, name: Security backup, channel: C0SECBAK, usergroup: S0BAKGRP }',
        ].join('\n'),
      )
      .replace(
        legal,
        '  - { id: legal, name: Legal, channel: C0LEGAL, members: [U0LEGAL1, U0LEGAL2], backup: security }',
      ),
  );
  return path;
}

async function start(options: Pick<HarnessOptions, 'clock' | 'env'> = {}): Promise<Harness> {
  standIn = await startSlackStandIn();
  standIn.setUsergroup('S0SECGRP', { handle: 'security-review', name: 'Security review', users: ['U0SEC1', 'U0SEC2'] });
  standIn.setUsergroup('S0BAKGRP', { handle: 'security-backup', name: 'Security backup', users: ['U0JONAS'] });
  h = await startHarness({
    standIn,
    registryPath: directoryRegistry(),
    ...(options.clock && { clock: options.clock }),
    env: { ...FAST_OUTBOX, ...options.env },
  });
  return h;
}

async function filedForSecurity(harness: Harness, requester = 'U0BOB'): Promise<StoredMessage> {
  await fileRequest(harness, requester);
  return harness.standIn.waitFor(approvalIn(harness, 'C0SECURITY'));
}

const cachedMembers = (harness: Harness, usergroup: string): string[] =>
  harness.bot.store.db
    .prepare<[string], { user_id: string }>(
      'SELECT user_id FROM usergroup_members WHERE usergroup_id = ? ORDER BY user_id',
    )
    .all(usergroup)
    .map((r) => r.user_id);

const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** Opens the App Home, clicks "I'm away" (or "Change"), and submits the absence form. */
async function setAway(harness: Harness, user: string, values: { from: string; until: string; delegate: string }) {
  await harness.slack.appHomeOpened(user);
  const home = await harness.standIn.waitFor(() => harness.standIn.homeOf(user), 5000, `${user}'s Home`);
  const before = openViewIds(harness, user);
  const label = visibleText(home.blocks).includes('Not away') ? 'I’m away' : 'Change';
  await harness.slack.clickButtonInView({ user, view: home, label });
  const modal = await newModal(harness, user, 'absence', before);
  return harness.slack.viewSubmission({
    user,
    view: modal,
    values: { away_from: values.from, away_until: values.until, delegate: values.delegate },
  });
}

describe('an approver group given by a Slack user group', () => {
  it('its members decide, the message names it by handle, and others are refused', async () => {
    const harness = await start();
    const security = await filedForSecurity(harness);
    // The group is named by its @handle in the registry; the message mentions its id, which Slack shows as @security-review.
    expect(visibleText(security.blocks)).toContain('<!subteam^S0SECGRP>');

    const carol = await harness.slack.clickButton({ user: 'U0CAROL', inMessage: security, label: 'Approve' });
    expect(await replyTo(harness, carol)).toContain('You are not an approver for this stage');

    await decideViaModal(harness, 'U0SEC1', security, 'Approve', 'Fine for the open-source SDK.');
    await messageShowing(harness, 'C0SECURITY', security.ts, 'approved by <@U0SEC1>');
    expect(stageRows(harness, 1).map((s) => [s.status, s.decided_by])).toEqual([
      ['approved', 'U0SEC1'],
      ['pending', null],
    ]);
    // Read from Slack into the cache on the way (usergroups.list for the handle, then the members).
    expect(cachedMembers(harness, 'S0SECGRP')).toEqual(['U0SEC1', 'U0SEC2']);
    expect(harness.standIn.callsTo('usergroups.users.list').length).toBeGreaterThan(0);
  });

  it('someone removed from the Slack group is refused from an old button and an open form; nothing changes', async () => {
    const harness = await start();
    const security = await filedForSecurity(harness);
    // U0SEC1 opens the decision form while still a member...
    const modal = await openDecisionModal(harness, 'U0SEC1', security, 'Approve');
    // ...and is then removed from the group in Slack, which says so with subteam_members_changed.
    const change = await harness.slack.changeUsergroupMembers('S0SECGRP', ['U0SEC2']);
    expect(change.events.map((e) => e.type)).toContain('subteam_members_changed');
    await harness.standIn.waitFor(
      () => !cachedMembers(harness, 'S0SECGRP').includes('U0SEC1'),
      5000,
      'the membership cache to drop U0SEC1',
    );

    const submitted = await harness.slack.viewSubmission({ user: 'U0SEC1', view: modal, values: { note: '' } });
    expect(submitted.json).toMatchObject({ response_action: 'update' });
    expect(visibleText((submitted.json as { view: unknown }).view)).toContain('You are not an approver for this stage');

    const click = await harness.slack.clickButton({ user: 'U0SEC1', inMessage: security, label: 'Approve' });
    expect(await replyTo(harness, click)).toContain('You are not an approver for this stage');

    expect(auditActions(harness, 1)).toEqual(['request.filed']);
    expect(stageRows(harness, 1)[0]).toMatchObject({ status: 'pending', decided_by: null });
    // Who is still in the group decides as before.
    await decideViaModal(harness, 'U0SEC2', security, 'Approve');
    await messageShowing(harness, 'C0SECURITY', security.ts, 'approved by <@U0SEC2>');
  });

  it('someone added to the Slack group may decide at once, and sees the request in their Home queue', async () => {
    const harness = await start();
    const security = await filedForSecurity(harness);
    await harness.slack.appHomeOpened('U0CAROL');
    const before = await harness.standIn.waitFor(() => harness.standIn.homeOf('U0CAROL'), 5000, "Carol's Home");
    expect(visibleText(before.blocks)).not.toContain('Waiting for your decision');

    await harness.slack.changeUsergroupMembers('S0SECGRP', ['U0SEC1', 'U0SEC2', 'U0CAROL']);
    await harness.standIn.waitFor(
      () => cachedMembers(harness, 'S0SECGRP').includes('U0CAROL'),
      5000,
      'the membership cache to add U0CAROL',
    );
    await harness.slack.appHomeOpened('U0CAROL');
    const home = await harness.standIn.waitFor(
      () => {
        const view = harness.standIn.homeOf('U0CAROL');
        return view && visibleText(view.blocks).includes('#1 Claude Code') ? view : undefined;
      },
      5000,
      "request #1 in Carol's queue",
    );
    expect(visibleText(home.blocks)).toContain('Waiting for your decision');
    await decideViaModal(harness, 'U0CAROL', security, 'Approve');
    await messageShowing(harness, 'C0SECURITY', security.ts, 'approved by <@U0CAROL>');
  });
  it('with Slack unreachable, a decision goes by the membership read last, and the log says so', async () => {
    let offsetMs = 0;
    const harness = await start({
      clock: { now: () => new Date(Date.now() + offsetMs) },
      env: { LOG_LEVEL: 'warn', USERGROUP_TTL_MINUTES: '15' },
    });
    const security = await filedForSecurity(harness);
    await harness.slack.appHomeOpened('U0SEC1'); // reads the user groups: the cache is filled
    await harness.standIn.waitFor(() => cachedMembers(harness, 'S0SECGRP').length === 2, 5000, 'the cache filled');
    const warned = vi.spyOn(console, 'warn');
    try {
      // Twenty minutes on, the cache is older than USERGROUP_TTL_MINUTES, and Slack does not answer.
      offsetMs = 20 * 60_000;
      harness.standIn.failNext(20, { status: 503 }, ['usergroups.list', 'usergroups.users.list']);
      const calls = harness.standIn.callsTo('usergroups.users.list').length;
      await decideViaModal(harness, 'U0SEC1', security, 'Approve');
      await messageShowing(harness, 'C0SECURITY', security.ts, 'approved by <@U0SEC1>');
      expect(harness.standIn.callsTo('usergroups.users.list').length).toBeGreaterThan(calls); // it did try
      const lines = warned.mock.calls.map((c) => c.map(String).join(' '));
      expect(lines.some((l) => l.includes('could not read the members of Slack user group @security-review'))).toBe(
        true,
      );
      expect(lines.some((l) => l.includes('using its membership as read at'))).toBe(true);
    } finally {
      warned.mockRestore();
    }
  });
});

describe('delegation while away', () => {
  it('the absence form refuses a delegate outside the group and its backup, and past dates, under their fields', async () => {
    const harness = await start();
    const outside = await setAway(harness, 'U0SEC1', { from: day(0), until: day(3), delegate: 'U0CAROL' });
    expect(outside.json).toMatchObject({ response_action: 'errors' });
    expect((outside.json as { errors: Record<string, string> }).errors.delegate).toContain(
      'member of your approver group or of its backup group (Security review or its backup Security backup)',
    );
    const past = await setAway(harness, 'U0SEC1', { from: day(-5), until: day(-2), delegate: 'U0JONAS' });
    expect((past.json as { errors: Record<string, string> }).errors.away_until).toContain('in the past');
    expect(await harness.bot.store.absenceOf('U0SEC1')).toBeNull();

    // A valid one is saved and shown on the Home tab, and can be cleared from there; both are audited.
    const saved = await setAway(harness, 'U0SEC1', { from: day(0), until: day(3), delegate: 'U0JONAS' });
    expect(saved.json).toMatchObject({ response_action: 'update' });
    const home = await harness.standIn.waitFor(
      () => {
        const view = harness.standIn.homeOf('U0SEC1');
        return view && visibleText(view.blocks).includes('You are away') ? view : undefined;
      },
      5000,
      'the absence on the Home tab',
    );
    expect(visibleText(home.blocks)).toContain(`from *${day(0)}* to *${day(3)}*; <@U0JONAS> decides in your place`);
    await harness.slack.clickButtonInView({ user: 'U0SEC1', view: home, label: 'I’m not away' });
    await harness.standIn.waitFor(
      () => visibleText(harness.standIn.homeOf('U0SEC1')?.blocks).includes('Not away'),
      5000,
      'the Home tab without the absence',
    );
    expect(await harness.bot.store.absenceOf('U0SEC1')).toBeNull();
    const actions = harness.bot.store.db
      .prepare<[], { action: string; actor: string }>(
        "SELECT action, actor FROM audit_log WHERE subject_type = 'absence' ORDER BY id",
      )
      .all();
    expect(actions).toEqual([
      { action: 'absence.set', actor: 'U0SEC1' },
      { action: 'absence.cleared', actor: 'U0SEC1' },
    ]);
  });

  it('the delegate decides in place of the away approver; the audit names both; four eyes still holds', async () => {
    const harness = await start();
    // Legal's U0LEGAL1 is away; U0SEC2 (of Security, Legal's backup) decides in their place.
    const saved = await setAway(harness, 'U0LEGAL1', { from: day(0), until: day(2), delegate: 'U0SEC2' });
    expect(visibleText((saved.json as { view: unknown }).view)).toContain('<@U0SEC2> decides in your place');
    // Security's U0SEC1 is away; Jonas (of the backup group) decides in their place.
    await setAway(harness, 'U0SEC1', { from: day(0), until: day(2), delegate: 'U0JONAS' });

    const security = await filedForSecurity(harness);
    await decideViaModal(harness, 'U0JONAS', security, 'Approve', 'Standing in for Marcus.');
    await messageShowing(harness, 'C0SECURITY', security.ts, 'approved by <@U0JONAS> for <@U0SEC1> (away)');
    const entry = harness.bot.store.db
      .prepare<[], { actor: string; after: string }>(
        "SELECT actor, after FROM audit_log WHERE action = 'stage.approved' ORDER BY id DESC LIMIT 1",
      )
      .get();
    expect(entry?.actor).toBe('U0JONAS');
    expect((JSON.parse(entry?.after ?? '{}') as { stages: unknown[] }).stages[0]).toMatchObject({
      by: 'U0JONAS',
      for: 'U0SEC1',
    });

    // Jonas stands in for nobody of Legal's (nor Security, its backup, for Legal's away member);
    // U0SEC2 stands in for U0LEGAL1 and may, having taken no part so far.
    const legal = await harness.standIn.waitFor(approvalIn(harness, 'C0LEGAL'));
    const jonas = await harness.slack.clickButton({ user: 'U0JONAS', inMessage: legal, label: 'Approve' });
    expect(await replyTo(harness, jonas)).toContain('You are not an approver for this stage');
    await decideViaModal(harness, 'U0SEC2', legal, 'Approve');
    await messageShowing(harness, 'C0LEGAL', legal.ts, 'approved by <@U0SEC2> for <@U0LEGAL1> (away)');
    expect(requestRow(harness, 1)?.status).toBe('active');
    expect((await verifyAudit({ store: harness.bot.store })).ok).toBe(true);
  });

  it('nobody decides their own request or two stages of one, as themselves or as a delegate', async () => {
    const harness = await start();
    await setAway(harness, 'U0LEGAL1', { from: day(0), until: day(2), delegate: 'U0SEC2' });
    await setAway(harness, 'U0SEC1', { from: day(0), until: day(2), delegate: 'U0JONAS' });

    // The away approver's own request: their delegate cannot decide it for them.
    const own = await filedForSecurity(harness, 'U0SEC1');
    const forOwn = await harness.slack.clickButton({ user: 'U0JONAS', inMessage: own, label: 'Approve' });
    expect(await replyTo(harness, forOwn)).toContain('this is their own request');

    // U0SEC2 decides Security's stage as themselves, then cannot decide Legal's as U0LEGAL1's delegate.
    await decideViaModal(harness, 'U0SEC2', own, 'Approve');
    const legal = await harness.standIn.waitFor(approvalIn(harness, 'C0LEGAL'));
    const twice = await harness.slack.clickButton({ user: 'U0SEC2', inMessage: legal, label: 'Approve' });
    expect(await replyTo(harness, twice)).toContain('You already decided stage 1');
    // The form, opened by someone else and submitted by U0SEC2, is refused as well.
    const modal = await openDecisionModal(harness, 'U0LEGAL2', legal, 'Approve');
    const forged = await harness.slack.viewSubmission({ user: 'U0SEC2', view: modal, values: { note: '' } });
    expect(visibleText((forged.json as { view: unknown }).view)).toContain('You already decided stage 1');
    expect(stageRows(harness, 1).map((s) => [s.status, s.decided_by])).toEqual([
      ['approved', 'U0SEC2'],
      ['pending', null],
    ]);
  });

  it('when every member of the stage’s group is away, the admins hear at once, not after 5 days', async () => {
    const harness = await start();
    const security = await filedForSecurity(harness);
    await setAway(harness, 'U0SEC1', { from: day(0), until: day(4), delegate: 'U0JONAS' });
    await outboxSettled(harness);
    expect(harness.standIn.messages('U0ADMIN1').filter((m) => m.text.startsWith('Escalation'))).toEqual([]);

    await setAway(harness, 'U0SEC2', { from: day(0), until: day(4), delegate: 'U0JONAS' });
    const escalation = await dmTo(harness, 'U0ADMIN1', 'Escalation');
    expect(visibleText(escalation.blocks)).toContain('every member of that group is away');
    expect(auditActions(harness, 1)).toEqual(['request.filed', 'stage.escalated']);
    // Once only, however often the sweep runs; the delegate still decides meanwhile.
    await harness.bot.sweepNow();
    await outboxSettled(harness);
    expect(harness.standIn.messages('U0ADMIN1').filter((m) => m.text.startsWith('Escalation'))).toHaveLength(1);
    await decideViaModal(harness, 'U0JONAS', security, 'Approve');
    await messageShowing(harness, 'C0SECURITY', security.ts, 'approved by <@U0JONAS> for <@U0SEC1> (away)');

    // A request filed while they are all away goes to the admins as it is filed.
    await fileRequest(harness, 'U0CAROL');
    await harness.standIn.waitFor(
      () => dmsTo(harness, 'U0ADMIN1', 'Escalation: request #2').length === 1 || undefined,
      5000,
      'the escalation of request #2',
    );
    expect(auditActions(harness, 2)).toEqual(['request.filed', 'stage.escalated']);
    expect((await verifyAudit({ store: harness.bot.store })).ok).toBe(true);
  });
});
