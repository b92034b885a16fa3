// Time: reminders, escalations, expiry reminders with renewal, and expiry, driven through
// `toolgate sweep --now <ISO>` against the running bot's database (issue 3, rule 12).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { revoke } from '../../src/service/exceptions.ts';
import {
  approvalIn,
  ask,
  auditActions,
  decideViaModal,
  dmsTo,
  dmTo,
  FAST_OUTBOX,
  fileRequest,
  JUSTIFICATION,
  messageShowing,
  newModal,
  openViewIds,
  outboxSettled,
  replyTo,
  requestRow,
} from '../helpers/exceptions.ts';
import { startHarness, visibleText, type Harness } from '../helpers/harness.ts';
import { REGISTRY_PATH, tempDir } from '../helpers/tmp.ts';

let h: Harness;
beforeEach(async () => {
  // The example registry with a second admin, so "each admin" means more than one.
  const registry = readFileSync(REGISTRY_PATH, 'utf8');
  expect(registry).toContain('\nadmins: [U0ADMIN1]\n');
  const registryPath = join(tempDir(), 'registry.yml');
  writeFileSync(registryPath, registry.replace('\nadmins: [U0ADMIN1]\n', '\nadmins: [U0ADMIN1, U0ADMIN2]\n'));
  h = await startHarness({ registryPath, env: FAST_OUTBOX });
});
afterEach(async () => {
  await h.stop();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** `toolgate sweep --now <at>` on the bot's database, as an operator (or cron) would run it. */
async function sweepAt(at: number): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ['sweep', '--now', new Date(at).toISOString()],
    { DATABASE_PATH: h.config.databasePath, REGISTRY_PATH: h.config.registryPath },
    { out: (t) => out.push(t), err: (t) => err.push(t) },
  );
  expect(code, err.join('\n')).toBe(0);
  return out.join('\n');
}

/** Bob's exception #1 for Claude Code for 10 days, granted by Security and Legal; returns its end (ms). */
async function activeFor10Days(): Promise<number> {
  await fileRequest(h, 'U0BOB', 'claude code', { duration: 10 });
  await decideViaModal(h, 'U0SEC1', await h.standIn.waitFor(approvalIn(h, 'C0SECURITY')), 'Approve');
  await decideViaModal(h, 'U0LEGAL1', await h.standIn.waitFor(approvalIn(h, 'C0LEGAL')), 'Approve');
  await dmTo(h, 'U0BOB', 'Request #1 approved');
  await outboxSettled(h);
  return Date.parse(requestRow(h, 1)?.expires_at as string);
}

const remindersIn = (channel: string, id = 1) =>
  h.standIn.messages(channel).filter((m) => m.text.startsWith(`Reminder: request #${id} `));

describe('rule 12: time, through toolgate sweep --now', () => {
  it('a waiting stage: one reminder after 48 hours, one escalation to each admin after 5 days', async () => {
    await fileRequest(h, 'U0BOB');
    const security = await h.standIn.waitFor(approvalIn(h, 'C0SECURITY'));
    await outboxSettled(h);
    const filedAt = Date.parse(requestRow(h, 1)?.created_at as string);

    expect(await sweepAt(filedAt + 47 * HOUR)).toContain('0 approver reminders, 0 escalations');
    expect(await sweepAt(filedAt + 49 * HOUR)).toContain('1 approver reminders, 0 escalations');
    const reminder = await h.standIn.waitFor(() => remindersIn('C0SECURITY')[0], 5000, 'a reminder in C0SECURITY');
    expect(visibleText(reminder.blocks)).toContain(
      'Reminder: request #1 for *Claude Code* by <@U0BOB> has been waiting for *Security review*',
    );
    expect(reminder.thread_ts).toBe(security.ts); // in the request's thread (and broadcast to the channel)

    // Again at the same time, or later but before 5 days: nothing more.
    expect(await sweepAt(filedAt + 49 * HOUR)).toContain('0 approver reminders, 0 escalations');
    expect(await sweepAt(filedAt + 4 * DAY)).toContain('0 approver reminders, 0 escalations');
    await outboxSettled(h);
    expect(remindersIn('C0SECURITY')).toHaveLength(1);
    expect(h.standIn.messages('U0ADMIN1')).toEqual([]);

    // After 5 days the admins hear of it, once.
    expect(await sweepAt(filedAt + 5 * DAY + HOUR)).toContain('1 escalations');
    for (const admin of ['U0ADMIN1', 'U0ADMIN2']) {
      const escalation = await dmTo(h, admin, 'Escalation: request #1');
      expect(visibleText(escalation.blocks)).toContain(
        'has waited more than 5 days for *Security review* (<#C0SECURITY>)',
      );
    }
    expect(await sweepAt(filedAt + 6 * DAY)).toContain('0 approver reminders, 0 escalations');
    expect(await sweepAt(filedAt + 30 * DAY)).toContain('0 approver reminders, 0 escalations');
    await outboxSettled(h);
    expect(dmsTo(h, 'U0ADMIN1', 'Escalation: request #1')).toHaveLength(1);
    expect(dmsTo(h, 'U0ADMIN2', 'Escalation: request #1')).toHaveLength(1);
    expect(h.standIn.messages('U0SEC1')).toEqual([]); // approvers are reminded in their channel, not by DM
    expect(remindersIn('C0SECURITY')).toHaveLength(1);
    expect(auditActions(h, 1)).toEqual(['request.filed', 'stage.reminded', 'stage.escalated']);
    expect(requestRow(h, 1)?.status).toBe('pending'); // time alone decides nothing
  });

  it('an active exception: a renewal reminder 7 days before its end, a renewal pre-filled from it, and expiry', async () => {
    await fileRequest(h, 'U0BOB', 'claude code', {
      duration: 10,
      usage: 'github.com/acme/sdk and github.com/acme/cli',
      data_class: 'public',
    });
    await decideViaModal(h, 'U0SEC1', await h.standIn.waitFor(approvalIn(h, 'C0SECURITY')), 'Approve');
    const legal = await h.standIn.waitFor(approvalIn(h, 'C0LEGAL'));
    await decideViaModal(h, 'U0LEGAL1', legal, 'Approve');
    await dmTo(h, 'U0BOB', 'Request #1 approved');
    await outboxSettled(h);
    const endsAt = Date.parse(requestRow(h, 1)?.expires_at as string);
    expect((await ask(h, 'U0BOB', 'claude code')).text).toBe('Claude Code: Allowed under exception #1');

    // 8 days before the end: nothing; 7 days before: one reminder, with a renewal button.
    expect(await sweepAt(endsAt - 8 * DAY)).toContain('0 expired, 0 expiry reminders');
    expect(await sweepAt(endsAt - 7 * DAY + HOUR)).toContain('0 expired, 1 expiry reminders');
    const reminder = await dmTo(h, 'U0BOB', 'Exception #1 for Claude Code ends on');
    expect(visibleText(reminder.blocks)).toContain(`ends on *${new Date(endsAt).toISOString().slice(0, 10)}*`);
    expect(visibleText(reminder.blocks)).toContain('Request a renewal');
    expect(await sweepAt(endsAt - 7 * DAY + HOUR)).toContain('0 expired, 0 expiry reminders');
    expect(await sweepAt(endsAt - DAY)).toContain('0 expired, 0 expiry reminders');
    await outboxSettled(h);
    expect(dmsTo(h, 'U0BOB', 'Exception #1 for Claude Code ends on')).toHaveLength(1);

    // The renewal button opens the request form, pre-filled from the old request.
    const before = openViewIds(h, 'U0BOB');
    await h.slack.clickButton({ user: 'U0BOB', inMessage: reminder, label: 'Request a renewal' });
    const form = await newModal(h, 'U0BOB', 'exception_request', before);
    expect(visibleText(form.title)).toBe('Renew an exception');
    expect(visibleText(form.blocks)).toContain('Renews exception #1');
    const element = (blockId: string) =>
      form.blocks.find((b) => b.block_id === blockId)?.element as {
        initial_value?: string;
        initial_option?: { value: string };
      };
    expect(element('justification').initial_value).toBe(JUSTIFICATION);
    expect(element('usage').initial_value).toBe('github.com/acme/sdk and github.com/acme/cli');
    expect(element('data_class').initial_option?.value).toBe('public');
    expect(element('duration').initial_value).toBe('10');
    // Submitted as it is, it files request #2, a renewal of #1.
    const renewed = await h.slack.viewSubmission({ user: 'U0BOB', view: form });
    expect(visibleText((renewed.json as { view: unknown }).view)).toContain('Request #2 for *Claude Code* is filed');
    expect(requestRow(h, 2)).toMatchObject({ status: 'pending', renewal_of: 1 });

    // Someone else cannot use Bob's renewal button.
    const carol = await h.slack.clickButton({ user: 'U0CAROL', inMessage: reminder, label: 'Request a renewal' });
    expect(carol.status).toBe(200);
    await h.standIn.waitFor(() =>
      h.standIn.responses(carol.payload.response_url as string).find((p) => p.via === 'post'),
    );
    expect(h.standIn.openViews('U0CAROL')).toEqual([]);

    // At the end: expired, the holder is told once, and the answer reverts.
    expect(await sweepAt(endsAt + HOUR)).toContain('1 expired');
    expect(requestRow(h, 1)?.status).toBe('expired');
    const expired = await dmTo(h, 'U0BOB', 'Exception #1 for Claude Code has expired');
    expect(visibleText(expired.blocks)).toContain('Please stop using it');
    expect((await ask(h, 'U0BOB', 'claude code')).text).toBe('Claude Code: Exception required');
    expect(await sweepAt(endsAt + 2 * HOUR)).toContain('0 expired, 0 expiry reminders');
    await messageShowing(h, 'C0LEGAL', legal.ts, 'Expired');
    await outboxSettled(h);
    expect(dmsTo(h, 'U0BOB', 'Exception #1 for Claude Code has expired')).toHaveLength(1);
    expect(auditActions(h, 1)).toEqual([
      'request.filed',
      'stage.approved',
      'stage.approved',
      'request.activated',
      'request.expiry_reminded',
      'request.expired',
    ]);
  });
  it('a renewal, when granted, replaces the exception it renews', async () => {
    const endsAt = await activeFor10Days();
    expect(await sweepAt(endsAt - 7 * DAY + HOUR)).toContain('1 expiry reminders');
    const reminder = await dmTo(h, 'U0BOB', 'Exception #1 for Claude Code ends on');
    const before = openViewIds(h, 'U0BOB');
    await h.slack.clickButton({ user: 'U0BOB', inMessage: reminder, label: 'Request a renewal' });
    await h.slack.viewSubmission({
      user: 'U0BOB',
      view: await newModal(h, 'U0BOB', 'exception_request', before),
      values: { duration: 60 },
    });
    const security = await h.standIn.waitFor(approvalIn(h, 'C0SECURITY', 2));
    expect(visibleText(security.blocks)).toContain('(renews #1)');
    await decideViaModal(h, 'U0SEC2', security, 'Approve');
    await decideViaModal(h, 'U0LEGAL2', await h.standIn.waitFor(approvalIn(h, 'C0LEGAL', 2)), 'Approve');
    await dmTo(h, 'U0BOB', 'Request #2 approved');

    expect(requestRow(h, 1)?.status).toBe('superseded');
    expect(requestRow(h, 2)).toMatchObject({ status: 'active', renewal_of: 1 });
    expect(auditActions(h, 1).at(-1)).toBe('request.superseded');
    expect((await ask(h, 'U0BOB', 'claude code')).text).toBe('Claude Code: Allowed under exception #2');
    // The old exception's end passes quietly: it was replaced, not expired.
    expect(await sweepAt(endsAt + HOUR)).toContain('0 expired, 0 expiry reminders');
    expect((await ask(h, 'U0BOB', 'claude code')).text).toBe('Claude Code: Allowed under exception #2');
  });

  it('a revoked exception cannot be renewed from an old reminder', async () => {
    const endsAt = await activeFor10Days();
    expect(await sweepAt(endsAt - 7 * DAY + HOUR)).toContain('1 expiry reminders');
    const reminder = await dmTo(h, 'U0BOB', 'Exception #1 for Claude Code ends on');
    // Bob opens the renewal form, and meanwhile an admin revokes the exception.
    const before = openViewIds(h, 'U0BOB');
    await h.slack.clickButton({ user: 'U0BOB', inMessage: reminder, label: 'Request a renewal' });
    const staleForm = await newModal(h, 'U0BOB', 'exception_request', before);
    expect(await revoke(h.bot.ctx, 1, 'U0ADMIN1', 'The vendor had a data breach.')).toMatchObject({ ok: true });

    // The reminder loses its button (issue 10); a click on the copy Bob still sees says why, in one line.
    const updated = await messageShowing(h, reminder.channel, reminder.ts, 'was revoked on');
    expect(visibleText(updated.blocks)).not.toContain('Request a renewal');
    const click = await h.slack.blockAction({ user: 'U0BOB', message: reminder, actionId: 'renew_exception' });
    expect(await replyTo(h, click)).toMatch(
      /^Exception #1 for \*Claude Code\* was revoked on \d{4}-\d{2}-\d{2}\. Nothing to renew\.$/,
    );
    expect(h.standIn.openViews('U0BOB').map((v) => v.id)).toEqual([staleForm.id]);

    // The form opened before the revocation files a new request, not a renewal of the revoked one.
    await h.slack.viewSubmission({ user: 'U0BOB', view: staleForm });
    expect(requestRow(h, 2)).toMatchObject({ status: 'pending', renewal_of: null });
    const security = await h.standIn.waitFor(approvalIn(h, 'C0SECURITY', 2));
    expect(visibleText(security.blocks)).not.toContain('renews');
  });
});
