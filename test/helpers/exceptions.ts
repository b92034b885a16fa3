// Steps of the exception flow as people take them in Slack, shared by the end-to-end tests.
import type { InteractionResult, SlackBlock, StoredMessage, StoredView } from '../../src/standIn/index.ts';
import { visibleText, type Harness } from './harness.ts';

/** Environment for a fast outbox and no sweep timer: tests sweep when they mean to. */
export const FAST_OUTBOX = { OUTBOX_POLL_MS: '50', OUTBOX_RETRY_BASE_MS: '50', SWEEP_INTERVAL_MS: '0' } as const;

export const JUSTIFICATION =
  'I maintain our open-source SDK and need agentic refactoring across the public repository.';
export const REQUEST_VALUES = {
  justification: JUSTIFICATION,
  usage: 'github.com/acme/sdk',
  data_class: 'internal',
  duration: 30,
} as const;

export interface Asked {
  text: string;
  blocks: SlackBlock[];
  /** Everything the answer shows. */
  shown: string;
  responseUrl: string;
}

/** `/can-i-use <tool>` as `user`: the ephemeral answer. */
export async function ask(harness: Harness, user: string, tool: string): Promise<Asked> {
  const res = await harness.slack.command({ user, text: tool });
  if (res.status !== 200) throw new Error(`/can-i-use ${tool} answered HTTP ${res.status}`);
  const body = res.json as { text: string; blocks?: SlackBlock[] };
  const blocks = body.blocks ?? [];
  return { text: body.text, blocks, shown: visibleText(blocks), responseUrl: res.responseUrl };
}

/** Waits for a modal with `callbackId` to open for `user` that was not open when `before` was taken. */
export async function newModal(
  harness: Harness,
  user: string,
  callbackId: string,
  before: ReadonlySet<string>,
): Promise<StoredView> {
  return harness.standIn.waitFor(
    () => harness.standIn.openViews(user).find((v) => v.callback_id === callbackId && !before.has(v.id)),
    5000,
    `a new ${callbackId} modal for ${user}`,
  );
}

export const openViewIds = (harness: Harness, user: string): Set<string> =>
  new Set(harness.standIn.openViews(user).map((v) => v.id));

/** Ask, click "Request an exception": the request modal, not yet submitted. */
export async function openRequestModal(harness: Harness, user: string, tool = 'claude code'): Promise<StoredView> {
  const asked = await ask(harness, user, tool);
  const before = openViewIds(harness, user);
  await harness.slack.clickButton({
    user,
    inMessage: { ephemeralFrom: asked.responseUrl, blocks: asked.blocks },
    actionId: 'request_exception',
  });
  return newModal(harness, user, 'exception_request', before);
}

/** Ask, click "Request an exception", fill the modal and submit it; returns the submission's response. */
export async function fileRequest(
  harness: Harness,
  user: string,
  tool = 'claude code',
  values: Record<string, string | number> = {},
) {
  const modal = await openRequestModal(harness, user, tool);
  return harness.slack.viewSubmission({ user, view: modal, values: { ...REQUEST_VALUES, ...values } });
}

/** The approval message of a request in an approver group's channel, if posted. */
export const approvalMessage = (harness: Harness, channel: string, requestId = 1): StoredMessage | undefined =>
  harness.standIn
    .messages(channel)
    .find((m) => !m.thread_ts && (m.text ?? '').startsWith(`Exception request #${requestId}:`));

/** For waitFor: the approval message of a request in a channel. */
export const approvalIn =
  (harness: Harness, channel: string, requestId = 1) =>
  () =>
    approvalMessage(harness, channel, requestId);

/** Waits until the message `ts` in `channel` shows `text`. */
export async function messageShowing(
  harness: Harness,
  channel: string,
  ts: string,
  text: string,
): Promise<StoredMessage> {
  return harness.standIn.waitFor(
    () => {
      const m = harness.standIn.message(channel, ts);
      return m && visibleText(m.blocks).includes(text) ? m : undefined;
    },
    5000,
    `message ${ts} in ${channel} showing ${JSON.stringify(text)}`,
  );
}

/** Click Approve or Deny in a message and wait for the decision modal. */
export async function openDecisionModal(
  harness: Harness,
  user: string,
  message: StoredMessage,
  label: 'Approve' | 'Deny',
): Promise<StoredView> {
  const before = openViewIds(harness, user);
  await harness.slack.clickButton({ user, inMessage: message, label });
  return newModal(harness, user, label === 'Approve' ? 'approve_stage' : 'deny_stage', before);
}

export async function decideViaModal(
  harness: Harness,
  user: string,
  message: StoredMessage,
  label: 'Approve' | 'Deny',
  note = '',
) {
  const modal = await openDecisionModal(harness, user, message, label);
  return harness.slack.viewSubmission({ user, view: modal, values: label === 'Approve' ? { note } : { reason: note } });
}

/**
 * The text of the ephemeral reply the bot posted to an interaction's response URL (not the
 * slash command's ack, which shares the URL when the click came from a command's answer).
 */
export async function replyTo(harness: Harness, res: InteractionResult): Promise<string> {
  const url = res.payload.response_url;
  if (typeof url !== 'string') throw new Error('that interaction had no response_url');
  const post = await harness.standIn.waitFor(
    () =>
      harness.standIn
        .responses(url)
        .filter((p) => p.via === 'post')
        .at(-1),
    5000,
    `a reply to ${url}`,
  );
  if (post.effect !== 'ephemeral') throw new Error(`expected an ephemeral reply, got ${post.effect}`);
  return typeof post.body.text === 'string' ? post.body.text : '';
}

/** Direct messages from the bot to `user` whose fallback text starts with `prefix`. */
export const dmsTo = (harness: Harness, user: string, prefix: string): StoredMessage[] =>
  harness.standIn.messages(user).filter((m) => m.text.startsWith(prefix));

export async function dmTo(harness: Harness, user: string, prefix: string): Promise<StoredMessage> {
  return harness.standIn.waitFor(
    () => dmsTo(harness, user, prefix)[0],
    5000,
    `a DM to ${user} starting ${JSON.stringify(prefix)}`,
  );
}

/** The audit actions recorded about one request, in order. */
export function auditActions(harness: Harness, requestId: number): string[] {
  return harness.bot.store.db
    .prepare<[string], { action: string }>(
      "SELECT action FROM audit_log WHERE subject_type = 'exception_request' AND subject_id = ? ORDER BY id",
    )
    .all(String(requestId))
    .map((r) => r.action);
}

export interface RequestRow {
  id: number;
  tool_id: string;
  requester: string;
  status: string;
  renewal_of: number | null;
  expires_at: string | null;
  created_at: string;
}

export const requestRows = (harness: Harness): RequestRow[] =>
  harness.bot.store.db.prepare<[], RequestRow>('SELECT * FROM exception_requests ORDER BY id').all();

export function requestRow(harness: Harness, id: number): RequestRow | undefined {
  return harness.bot.store.db.prepare<[number], RequestRow>('SELECT * FROM exception_requests WHERE id = ?').get(id);
}

export interface StageRow {
  position: number;
  group_id: string;
  status: string;
  decided_by: string | null;
  note: string | null;
}

export const stageRows = (harness: Harness, id: number): StageRow[] =>
  harness.bot.store.db
    .prepare<[number], StageRow>('SELECT * FROM request_stages WHERE request_id = ? ORDER BY position')
    .all(id);

/** Waits until the outbox has nothing left to send, and checks nothing was given up on. */
export async function outboxSettled(harness: Harness, timeoutMs = 5000): Promise<void> {
  const db = harness.bot.store.db;
  await harness.standIn.waitFor(
    () =>
      db
        .prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL')
        .get()?.n === 0,
    timeoutMs,
    'the outbox to be empty',
  );
  const failed = db
    .prepare<[], { id: number; last_error: string }>('SELECT id, last_error FROM outbox WHERE failed_at IS NOT NULL')
    .all();
  if (failed.length) throw new Error(`outbox gave up on: ${JSON.stringify(failed)}`);
}
