// Slack failing, rate-limiting or down, and the bot restarting mid-flow: every message still
// arrives, exactly once (issue 3, rules 10-11).
import { afterEach, describe, expect, it } from 'vitest';
import { startSlackStandIn, type SlackStandIn } from '../../src/standIn/index.ts';
import {
  approvalIn,
  approvalMessage,
  dmsTo,
  FAST_OUTBOX,
  messageShowing,
  openDecisionModal,
  openRequestModal,
  outboxSettled,
  REQUEST_VALUES,
  replyTo,
  requestRow,
  stageRows,
} from '../helpers/exceptions.ts';
import { startHarness, visibleText, type Harness } from '../helpers/harness.ts';
import { tempDbPath } from '../helpers/tmp.ts';

const running: Harness[] = [];
let shared: SlackStandIn | undefined;
afterEach(async () => {
  while (running.length) await running.pop()?.stop();
  await shared?.close();
  shared = undefined;
});

async function start(options: { databasePath?: string; standIn?: SlackStandIn } = {}): Promise<Harness> {
  const h = await startHarness({ ...options, env: FAST_OUTBOX });
  running.push(h);
  return h;
}

async function stop(h: Harness): Promise<void> {
  running.splice(running.indexOf(h), 1);
  await h.stop();
}

const approvalsFor = (h: Harness, channel: string, id = 1) =>
  h.standIn.messages(channel).filter((m) => !m.thread_ts && m.text.startsWith(`Exception request #${id}:`));
const failedCalls = (standIn: SlackStandIn, method: string) => standIn.callsTo(method).filter((c) => !c.ok);

/** Submits Bob's open request form and checks it is filed and stored as pending. */
async function submitRequest(h: Harness, modal: Awaited<ReturnType<typeof openRequestModal>>) {
  const res = await h.slack.viewSubmission({ user: 'U0BOB', view: modal, values: REQUEST_VALUES });
  expect(res.status).toBe(200);
  expect(visibleText((res.json as { view: unknown }).view)).toContain('Request #1 for *Claude Code* is filed');
  expect(requestRow(h, 1)?.status).toBe('pending');
}

describe('rule 10: Slack misbehaving', () => {
  it('500s then a 429 with Retry-After: the request is filed at once, and each message arrives once', async () => {
    const h = await start();
    const modal = await openRequestModal(h, 'U0BOB');

    // Only the outbox's messages fail, so the counts below are exact (the Home refresh after filing is best effort).
    h.standIn.failNext(3, { status: 500 }, ['chat.postMessage']);
    h.standIn.failNext(1, { status: 429, retryAfter: 1 }, ['chat.postMessage']);
    await submitRequest(h, modal);

    await h.standIn.waitFor(approvalIn(h, 'C0SECURITY'), 8000);
    await h.standIn.waitFor(() => dmsTo(h, 'U0BOB', 'Request #1 for Claude Code filed')[0], 8000);
    await outboxSettled(h);

    const posts = h.standIn.callsTo('chat.postMessage');
    expect(posts.filter((c) => c.status === 500)).toHaveLength(3);
    expect(posts.filter((c) => c.status === 429)).toHaveLength(1);
    // After the 429 the bot waited the second Slack asked for.
    const limited = posts.find((c) => c.status === 429);
    const next = posts[posts.indexOf(limited as (typeof posts)[number]) + 1];
    expect((next?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(950);

    expect(approvalsFor(h, 'C0SECURITY')).toHaveLength(1);
    expect(dmsTo(h, 'U0BOB', 'Request #1 for Claude Code filed')).toHaveLength(1);
    expect(posts.filter((c) => c.ok)).toHaveLength(2);
    // The message that finally went out is the one whose buttons work.
    const stage = stageRows(h, 1)[0];
    expect(approvalMessage(h, 'C0SECURITY')?.ts).toBe(
      h.bot.store.db
        .prepare('SELECT message_ts AS ts FROM request_stages WHERE request_id = 1 AND position = 0')
        .pluck()
        .get(),
    );
    expect(stage?.status).toBe('pending');
  });

  it('Slack down for a while: nothing is lost, nothing is doubled', async () => {
    const h = await start();
    const modal = await openRequestModal(h, 'U0BOB');
    h.standIn.setDown(true);
    await submitRequest(h, modal);
    await h.standIn.waitFor(() => failedCalls(h.standIn, 'chat.postMessage').length >= 3, 5000);
    expect(h.standIn.messages('C0SECURITY')).toEqual([]);
    h.standIn.setDown(false);

    await h.standIn.waitFor(approvalIn(h, 'C0SECURITY'), 8000);
    await outboxSettled(h, 8000);
    expect(approvalsFor(h, 'C0SECURITY')).toHaveLength(1);
    expect(dmsTo(h, 'U0BOB', 'Request #1 for Claude Code filed')).toHaveLength(1);
  });
});

describe('rule 11: a restart mid-flow', () => {
  it('a request filed while Slack is down, then the bot restarts: its messages arrive once', async () => {
    shared = await startSlackStandIn();
    const databasePath = tempDbPath();
    const first = await start({ databasePath, standIn: shared });
    const modal = await openRequestModal(first, 'U0BOB');
    shared.setDown(true);
    await submitRequest(first, modal);
    await shared.waitFor(() => failedCalls(shared as SlackStandIn, 'chat.postMessage').length >= 1);
    await stop(first);

    // Slack is back before the restart: a bot does not start while Slack cannot check its token.
    shared.setDown(false);
    const second = await start({ databasePath, standIn: shared });
    expect(requestRow(second, 1)?.status).toBe('pending');
    await shared.waitFor(approvalIn(second, 'C0SECURITY'), 8000);
    await shared.waitFor(() => dmsTo(second, 'U0BOB', 'Request #1 for Claude Code filed')[0], 8000);
    await outboxSettled(second, 8000);
    expect(approvalsFor(second, 'C0SECURITY')).toHaveLength(1);
    expect(dmsTo(second, 'U0BOB', 'Request #1 for Claude Code filed')).toHaveLength(1);

    // The restarted bot answers the buttons of the message it posted.
    const security = approvalMessage(second, 'C0SECURITY');
    expect(security).toBeDefined();
    const click = await second.slack.clickButton({
      user: 'U0CAROL',
      inMessage: security as NonNullable<typeof security>,
      label: 'Approve',
    });
    expect(await replyTo(second, click)).toContain('You are not an approver for this stage');
  });

  it('stage 1 approved while Slack is down, then a restart: the update and Legal’s message each happen once', async () => {
    shared = await startSlackStandIn();
    const databasePath = tempDbPath();
    const first = await start({ databasePath, standIn: shared });
    await submitRequest(first, await openRequestModal(first, 'U0BOB'));
    const security = await shared.waitFor(approvalIn(first, 'C0SECURITY'));
    await outboxSettled(first);

    const modal = await openDecisionModal(first, 'U0SEC1', security, 'Approve');
    shared.setDown(true);
    const res = await first.slack.viewSubmission({
      user: 'U0SEC1',
      view: modal,
      values: { note: 'Public repositories only.' },
    });
    expect(res.body).toBe(''); // decided, even though Slack is down
    expect(stageRows(first, 1).map((s) => s.status)).toEqual(['approved', 'pending']);
    await shared.waitFor(() => failedCalls(shared as SlackStandIn, 'chat.update').length >= 1);
    await stop(first);

    const updatesBefore = shared.callsTo('chat.update').filter((c) => c.ok).length;
    expect(updatesBefore).toBe(0);
    shared.setDown(false);
    const second = await start({ databasePath, standIn: shared });
    await messageShowing(second, 'C0SECURITY', security.ts, 'approved by <@U0SEC1>');
    await shared.waitFor(approvalIn(second, 'C0LEGAL'), 8000);
    await shared.waitFor(() => dmsTo(second, 'U0BOB', 'Request #1: approved by Security review')[0], 8000);
    await outboxSettled(second, 8000);

    const okUpdates = shared.callsTo('chat.update').filter((c) => c.ok);
    const channelUpdates = okUpdates.filter((c) => c.args.channel === 'C0SECURITY');
    expect(channelUpdates).toHaveLength(1);
    expect(channelUpdates[0]?.args).toMatchObject({ channel: 'C0SECURITY', ts: security.ts });
    // ...and the filing DM, refreshed to say who has the request now, once.
    expect(okUpdates.filter((c) => c.args.channel !== 'C0SECURITY')).toHaveLength(1);
    expect(approvalsFor(second, 'C0SECURITY')).toHaveLength(1);
    expect(approvalsFor(second, 'C0LEGAL')).toHaveLength(1);
    expect(dmsTo(second, 'U0BOB', 'Request #1: approved by Security review')).toHaveLength(1);
    expect(dmsTo(second, 'U0BOB', 'Request #1 for Claude Code filed')).toHaveLength(1);
    const legal = approvalMessage(second, 'C0LEGAL');
    expect(visibleText(legal?.blocks)).toContain('Approve');
    expect(visibleText(legal?.blocks)).toContain('Public repositories only.');
  });
});
