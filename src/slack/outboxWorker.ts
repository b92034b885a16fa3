// Delivers the outbox: renders each message from the current state, sends it, marks it.
// Slack being down or rate-limiting only delays messages; nothing is dropped or sent twice.
import { webApi, type Logger } from '@slack/bolt';
import type { Notice } from '../domain/exceptions.ts';
import { approverGroupsById } from '../service/exceptions.ts';
import type { Clock, OutboxItem, Store } from '../service/ports.ts';
import { approvalMessage, escalationMessage, reviewRequestMessage, stageReminder } from './render/approval.ts';
import { auditHeadMessage } from './render/audit.ts';
import { directMessage } from './render/dm.ts';

export interface OutboxWorkerOptions {
  store: Store;
  client: webApi.WebClient;
  clock: Clock;
  logger: Logger;
  /** How often to look for due messages when nothing kicks the worker. */
  pollMs: number;
  /** First retry delay; doubles per attempt up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs?: number;
  /** Slack refusing a message itself (e.g. invalid_blocks) this many times gives up on it. */
  maxPlatformAttempts?: number;
}

export interface OutboxWorker {
  /** Look for due messages now (after a state change was committed). */
  kick(): void;
  /** Deliver everything due now; resolves when done. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** Where an approval message was posted, recorded with its delivery so later changes update it in place. */
interface StagePost {
  requestId: number;
  position: number;
  channel: string;
  ts: string;
}

const TRANSIENT_ERRORS = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
  'team_added_to_org',
]);
const SETUP_ERRORS = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'no_permission',
  'restricted_action',
  'ekm_access_denied',
]);

/** Transient and set-up errors are retried until they clear; anything else is the message's own fault. */
export function platformErrorKind(code: string): 'transient' | 'setup' | 'permanent' {
  if (TRANSIENT_ERRORS.has(code)) return 'transient';
  if (SETUP_ERRORS.has(code)) return 'setup';
  return 'permanent';
}

/** Raised when a message cannot be rendered because what it is about is gone. */
class Undeliverable extends Error {}

/** The clients used to send the outbox never retry or wait on their own: the outbox does. */
export function outboxClient(token: string, slackApiUrl: string | null, logger: Logger): webApi.WebClient {
  return new webApi.WebClient(token, {
    ...(slackApiUrl && { slackApiUrl }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    // One hung connection must not stall every message behind it.
    timeout: 15_000,
    logger,
  });
}

// ---- Sending one message ----------------------------------------------------------------------

async function requestContext(store: Store, requestId: number) {
  const r = await store.getRequest(requestId);
  if (!r) throw new Undeliverable(`request #${requestId} not found`);
  const tool = await store.getTool(r.toolId);
  if (!tool) throw new Undeliverable(`tool ${r.toolId} not found`);
  return {
    r,
    tool,
    groups: await approverGroupsById(
      store,
      r.stages.map((s) => s.groupId),
    ),
  };
}

/** Sends one message, rendered from the state now. Returns where an approval message was first posted. */
async function sendNotice(store: Store, client: webApi.WebClient, n: Notice): Promise<StagePost | null> {
  switch (n.kind) {
    case 'stage_message': {
      const { r, tool, groups } = await requestContext(store, n.requestId);
      const stage = r.stages[n.position];
      if (!stage) throw new Undeliverable(`request #${r.id} has no stage ${n.position}`);
      const view = approvalMessage(r, tool, n.position, groups);
      if (stage.messageChannel && stage.messageTs) {
        await client.chat.update({ channel: stage.messageChannel, ts: stage.messageTs, ...view });
        return null;
      }
      const channel = groups.get(stage.groupId)?.channel;
      if (!channel) throw new Undeliverable(`approver group ${stage.groupId} has no channel`);
      const posted = await client.chat.postMessage({ channel, ...view, unfurl_links: false });
      return posted.channel && posted.ts
        ? { requestId: r.id, position: n.position, channel: posted.channel, ts: posted.ts }
        : null;
    }
    case 'dm': {
      const { r, tool, groups } = await requestContext(store, n.requestId);
      await client.chat.postMessage({ channel: n.user, ...directMessage(n.event, r, tool, groups) });
      return null;
    }
    case 'stage_reminder': {
      const { r, tool, groups } = await requestContext(store, n.requestId);
      const stage = r.stages[n.position];
      const channel = stage?.messageChannel ?? groups.get(stage?.groupId ?? '')?.channel;
      if (!stage || !channel) throw new Undeliverable(`request #${r.id} stage ${n.position} has no channel`);
      const view = stageReminder(r, tool, stage, groups);
      // In the request's thread, and shown in the channel too, so it is neither lost nor out of context.
      if (stage.messageTs)
        await client.chat.postMessage({ channel, thread_ts: stage.messageTs, reply_broadcast: true, ...view });
      else await client.chat.postMessage({ channel, ...view });
      return null;
    }
    case 'escalation': {
      const { r, tool, groups } = await requestContext(store, n.requestId);
      const stage = r.stages[n.position];
      if (!stage) throw new Undeliverable(`request #${r.id} has no stage ${n.position}`);
      await client.chat.postMessage({ channel: n.admin, ...escalationMessage(r, tool, stage, groups) });
      return null;
    }
    case 'review_request':
      await client.chat.postMessage({ channel: n.channel, ...reviewRequestMessage(n.user, n.query) });
      return null;
    case 'audit_head':
      await client.chat.postMessage({ channel: n.channel, ...auditHeadMessage(n), unfurl_links: false });
      return null;
  }
}

// ---- What a failure means -----------------------------------------------------------------------

/** What to do with a message Slack did not take. */
export type FailurePlan =
  | { kind: 'give_up'; reason: string; log: string }
  | { kind: 'pause'; waitMs: number; reason: string; log: string }
  | { kind: 'retry'; reason: string; log: string | null; level: 'warn' | 'error' };

/** Decides, from the error and how often the message was tried, whether to give up, wait or retry. */
export function planForFailure(
  item: Pick<OutboxItem, 'id' | 'attempts'>,
  e: unknown,
  maxPlatformAttempts: number,
): FailurePlan {
  if (e instanceof Undeliverable)
    return { kind: 'give_up', reason: e.message, log: `outbox #${item.id}: giving up: ${e.message}` };
  if (e instanceof webApi.WebAPIRateLimitedError) {
    const waitMs = Math.max(1, e.retryAfter) * 1000;
    return {
      kind: 'pause',
      waitMs,
      reason: 'rate limited',
      log: `outbox #${item.id}: Slack asked us to wait ${waitMs / 1000}s (429)`,
    };
  }
  if (e instanceof webApi.WebAPIPlatformError) {
    const code = typeof e.data.error === 'string' ? e.data.error : 'unknown';
    const reason = `slack error: ${code}`;
    const kind = platformErrorKind(code);
    if (kind === 'permanent' && item.attempts + 1 >= maxPlatformAttempts) {
      return {
        kind: 'give_up',
        reason,
        log: `outbox #${item.id}: giving up after ${item.attempts + 1} attempts: ${reason} (toolgate outbox retry sends it again)`,
      };
    }
    // Set-up problems (bot not in the channel, token revoked) are fixed by a person, then the message must still go out.
    if (kind === 'setup')
      return {
        kind: 'retry',
        reason,
        level: 'error',
        log: `outbox #${item.id}: ${reason}: fix the Slack set-up (e.g. /invite @toolgate); retrying`,
      };
    return { kind: 'retry', reason, level: 'warn', log: null };
  }
  // Slack down, a 5xx, a network error: keep trying, ever more slowly.
  const reason =
    e instanceof webApi.WebAPIHTTPError ? `HTTP ${e.statusCode}` : e instanceof Error ? e.message : String(e);
  return { kind: 'retry', reason, level: 'warn', log: `outbox #${item.id}: will retry: ${reason}` };
}

// ---- The worker ---------------------------------------------------------------------------------

export function startOutboxWorker(o: OutboxWorkerOptions): OutboxWorker {
  const maxDelay = o.maxDelayMs ?? 5 * 60_000;
  const maxPlatformAttempts = o.maxPlatformAttempts ?? 3;
  let pausedUntil = 0;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  /** Sent, but not yet recorded as sent (the database was busy): held here so they are never sent twice. */
  const unmarked = new Map<number, StagePost | null>();

  const backoff = (attempts: number) => Math.min(maxDelay, o.baseDelayMs * 2 ** Math.min(attempts, 20));
  const paused = () => o.clock.now().getTime() < pausedUntil;

  const handleFailure = async (item: OutboxItem, e: unknown): Promise<void> => {
    const now = o.clock.now();
    const plan = planForFailure(item, e, maxPlatformAttempts);
    switch (plan.kind) {
      case 'give_up':
        o.logger.error(plan.log);
        await o.store.markFailed(item.id, now, plan.reason);
        return;
      case 'pause':
        o.logger.warn(plan.log);
        pausedUntil = now.getTime() + plan.waitMs;
        await o.store.markRetry(item.id, new Date(pausedUntil), plan.reason);
        return;
      case 'retry':
        if (plan.log) o.logger[plan.level](plan.log);
        await o.store.markRetry(item.id, new Date(now.getTime() + backoff(item.attempts)), plan.reason);
        return;
    }
  };

  /** Records what Slack took; stops at the first the database refuses, to try again on the next pass. */
  const markUnmarked = async (): Promise<void> => {
    for (const [id, post] of unmarked) {
      try {
        await o.store.markDelivered(id, o.clock.now(), post);
        unmarked.delete(id);
      } catch (e) {
        o.logger.warn(
          `outbox #${id}: sent, but could not record it yet: ${e instanceof Error ? e.message : String(e)}`,
        );
        return;
      }
    }
  };

  /** One message: send it, then record it, or record why not. Returns false when the pass should stop. */
  const deliver = async (item: OutboxItem): Promise<boolean> => {
    let post: StagePost | null;
    try {
      post = await sendNotice(o.store, o.client, item.notice);
    } catch (e) {
      await handleFailure(item, e);
      return true;
    }
    // Slack has it now. If recording that fails (database busy), keep it in memory and
    // try again, rather than send it a second time.
    unmarked.set(item.id, post);
    await markUnmarked();
    return unmarked.size === 0;
  };

  const deliverDue = async (): Promise<void> => {
    while (!stopped && !paused()) {
      await markUnmarked();
      if (unmarked.size) return;
      const items = await o.store.due(o.clock.now(), 20);
      if (!items.length) return;
      for (const item of items) {
        if (stopped || paused()) return;
        if (!(await deliver(item))) return;
      }
    }
  };

  /** One pass at a time; a kick during a pass asks for another pass after it. */
  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await deliverDue();
        } while (again && !stopped);
      } catch (e) {
        o.logger.error(`outbox worker: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        running = null;
      }
    })();
    return running;
  };

  const timer = setInterval(() => void run(), o.pollMs);
  timer.unref();
  void run();

  return {
    kick: () => void run(),
    drain: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
