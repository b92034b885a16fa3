// Delivers the outbox: claims due messages (a lease, so two processes never send one twice),
// renders each from the current state, sends it, marks it. Different lanes go out concurrently;
// one lane's messages in order. Slack being down or rate-limiting only delays messages; a message
// that cannot be built is given up at once, so it never holds up its lane.
import { AsyncLocalStorage } from 'node:async_hooks';
import { stringify as formEncode } from 'node:querystring';
import { webApi, type Logger } from '@slack/bolt';
import { REFRESHED_DMS, type Notice } from '../domain/exceptions.ts';
import { answerForTool } from '../service/answer.ts';
import { approverGroupsById } from '../service/exceptions.ts';
import type { Clock, DeliveredPost, OutboxItem, Store } from '../service/ports.ts';
import { newOwnerId, ownerIsGone } from './outboxLease.ts';
import {
  approvalMessage,
  delegateReminder,
  escalationMessage,
  reviewRequestMessage,
  stageReminder,
} from './render/approval.ts';
import { auditHeadMessage } from './render/audit.ts';
import { answerView } from './render/answer.ts';
import { staleDigestMessage } from './render/report.ts';
import { directMessage, type ReclassifiedContext } from './render/dm.ts';
import { reviewDecidedDm, reviewPost, reviewReceivedDm } from './render/review.ts';
import { reviewChannelOf } from '../service/reviews.ts';
import { regionName, type Tool } from '../domain/types.ts';
import { verdictFor } from '../domain/verdict.ts';
import { isSlackResponseUrl, postToResponseUrl, ResponseUrlError } from './responseUrl.ts';

export interface OutboxWorkerOptions {
  store: Store;
  client: OutboxClient;
  clock: Clock;
  logger: Logger;
  /** How often to look for due messages when nothing kicks the worker. */
  pollMs: number;
  /** First retry delay; doubles per attempt up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs?: number;
  /** Slack refusing a message itself (e.g. invalid_blocks) this many times gives up on it. */
  maxPlatformAttempts?: number;
  /** How many messages (of different lanes) are sent at once. Default 4. */
  concurrency?: number;
  /**
   * How long a claim lasts. It must outlast one delivery, or a live worker's message could be taken
   * over: for a message in doubt, up to two calls to look for it and the send, each up to the
   * client's timeout (3 x 15 s). Default 60 s.
   */
  leaseMs?: number;
  /** A message whose attempt may have reached Slack (a timeout) is tried again no sooner than this. Default 30 s. */
  doubtDelayMs?: number;
  /** For re-rendering a /can-i-use answer (answer_refresh): the region of people the registry does not list. */
  defaultRegion: string;
  /** SLACK_API_URL, if set: response URLs on its host are the stand-in's. */
  slackApiUrl: string | null;
}

export interface OutboxWorker {
  /** Look for due messages now (after a state change was committed). */
  kick(): void;
  /** Deliver everything due now; resolves when done. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** Where an approval message or a DM with a button was posted, recorded with its delivery so later changes update it in place. */
type StagePost = DeliveredPost;

/** What sending a notice needs besides the store and the client. */
type SendDeps = Pick<OutboxWorkerOptions, 'clock' | 'defaultRegion' | 'slackApiUrl'>;

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

/** The request for Slack could not be built (e.g. text with a lone surrogate cannot be encoded): nothing was sent. */
class RequestNotBuilt extends Error {}

/** Reading the state to render a message failed (e.g. the database is busy): worth another try. */
class StoreUnavailable extends Error {}

/** The client failed in a way that is not one of Slack's errors, after the request may have left. */
class ClientFailure extends Error {}

const SLACK_ERROR_CODES: ReadonlySet<unknown> = new Set(Object.values(webApi.ErrorCode));
const isSlackError = (e: unknown): boolean =>
  e instanceof Error && SLACK_ERROR_CODES.has((e as { code?: unknown }).code);
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The metadata every outbox post carries, so a message in doubt can be found in Slack again. */
const OUTBOX_EVENT = 'toolgate_outbox';
export const outboxMetadata = (id: number) => ({ event_type: OUTBOX_EVENT, event_payload: { outbox_id: id } });

/** A UTF-16 surrogate without its other half: what a form body (encodeURIComponent) cannot encode. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * `args` as the client will put them in its form body, or why they cannot be sent: the client's own
 * encoding (objects as JSON, then a form body), done first so that a message that can never be
 * encoded is known before anything is sent. Objects are turned into JSON as the client will (which
 * throws for what JSON cannot hold); JSON escapes lone surrogates, so only plain string fields can
 * fail the form encoding, and only those with a lone surrogate are form-encoded here, for the
 * encoder's own error. Form-encoding the whole message (its blocks, as JSON) for every send only to
 * find that out cost as much as sending it.
 *
 * The JSON made here is what is sent: the client form-encodes a string as it is and an object as
 * its JSON.stringify, so the body's bytes are the same, and the object is turned into JSON once,
 * not twice, nor walked key by key for the client's debug line (its redact), which it builds even
 * when nothing logs at debug. `attachments` stays an array (the client reads it to warn about a
 * missing fallback), and so does binary data (which it sends as multipart).
 */
function wireArgs(args: Record<string, unknown>): { wire: Record<string, unknown> } | { problem: Error } {
  try {
    const wire: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(args)) {
      if (value === undefined || value === null || typeof value === 'number' || typeof value === 'boolean') {
        wire[key] = value;
      } else if (typeof value === 'string') {
        if (LONE_SURROGATE.test(value)) formEncode({ [key]: value });
        wire[key] = value;
      } else {
        const json = JSON.stringify(value);
        wire[key] = key === 'attachments' || Buffer.isBuffer(value) ? value : json;
      }
    }
    return { wire };
  } catch (e) {
    return { problem: e instanceof Error ? e : new Error(String(e)) };
  }
}

/**
 * The client the outbox sends with. It never retries or waits on its own (the outbox does), tags
 * each post and update with the outbox id it belongs to (message metadata), refuses a request it
 * could not encode before sending anything, and says which of its failures are not Slack's.
 */
export class OutboxClient extends webApi.WebClient {
  readonly #delivering = new AsyncLocalStorage<number>();

  /** Runs `send` for outbox message `id`: the posts and updates it makes carry the id. */
  sending<T>(id: number, send: () => Promise<T>): Promise<T> {
    return this.#delivering.run(id, send);
  }

  override async apiCall(method: string, options: Record<string, unknown> = {}): Promise<webApi.WebAPICallResult> {
    const id = this.#delivering.getStore();
    const args =
      id !== undefined && (method === 'chat.postMessage' || method === 'chat.update') && options.metadata === undefined
        ? { ...options, metadata: outboxMetadata(id) }
        : options;
    const built = wireArgs(args);
    if ('problem' in built) throw new RequestNotBuilt(`${method}: ${built.problem.message}`, { cause: built.problem });
    try {
      return await super.apiCall(method, built.wire);
    } catch (e) {
      throw isSlackError(e) ? e : new ClientFailure(`${method}: ${messageOf(e)}`, { cause: e });
    }
  }
}

export function outboxClient(
  token: string,
  slackApiUrl: string | null,
  logger: Logger,
  options: { timeoutMs?: number } = {},
): OutboxClient {
  return new OutboxClient(token, {
    ...(slackApiUrl && { slackApiUrl }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    // One hung connection must not stall every message behind it.
    timeout: options.timeoutMs ?? 15_000,
    logger,
  });
}

/** The store as a message is rendered from it: a failure to read is told apart from a failure to render. */
function readingFrom(store: Store): Store {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...a: unknown[]) => Promise<unknown>;
      return async (...args: unknown[]): Promise<unknown> => {
        try {
          return await method.apply(target, args);
        } catch (e) {
          throw new StoreUnavailable(`reading the state: ${messageOf(e)}`, { cause: e });
        }
      };
    },
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

/** The region's alternatives cleared there (Approved, or with conditions), for a reclassification DM. */
async function reclassifiedContext(store: Store, tool: Tool, region: string): Promise<ReclassifiedContext> {
  const names = await store.displayNames();
  const alternatives: Tool[] = [];
  for (const id of verdictFor(tool, region).alternatives) {
    const alt = await store.getTool(id);
    if (alt && ['approved', 'conditional'].includes(verdictFor(alt, region).status)) alternatives.push(alt);
  }
  return { regionName: regionName(names, region), alternatives };
}

/** Sends one message, rendered from the state now. Returns where an approval message or a DM with a button was first posted. */
async function sendNotice(
  store: Store,
  client: webApi.WebClient,
  n: Notice,
  deps: SendDeps,
): Promise<StagePost | null> {
  switch (n.kind) {
    case 'stage_message': {
      const { r, tool, groups } = await requestContext(store, n.requestId);
      const stage = r.stages[n.position];
      if (!stage) throw new Undeliverable(`request #${r.id} has no stage ${n.position}`);
      const view = approvalMessage(r, tool, n.position, groups, await store.displayNames());
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
      const extra = n.event === 'reclassified' ? await reclassifiedContext(store, tool, r.region) : null;
      const posted = await client.chat.postMessage({
        channel: n.user,
        ...directMessage(n.event, r, tool, groups, extra),
      });
      const refreshed = REFRESHED_DMS.find((e) => e === n.event);
      return refreshed && posted.channel && posted.ts
        ? { requestId: r.id, dm: refreshed, channel: posted.channel, ts: posted.ts }
        : null;
    }
    case 'dm_refresh': {
      const where = await store.requestDm(n.requestId, n.event);
      if (!where) return null; // never posted (or posted before DMs were recorded): nothing to update
      const { r, tool, groups } = await requestContext(store, n.requestId);
      await client.chat.update({ channel: where.channel, ts: where.ts, ...directMessage(n.event, r, tool, groups) });
      return null;
    }
    case 'answer_refresh': {
      // An ephemeral answer can only be replaced through its response URL, and only while it lasts.
      if (new Date(n.until) <= deps.clock.now()) return null;
      if (!isSlackResponseUrl(n.url, deps.slackApiUrl)) throw new Undeliverable('not a Slack response URL');
      const { tool } = await requestContext(store, n.requestId);
      const answer = await answerForTool({ store, defaultRegion: deps.defaultRegion, clock: deps.clock }, tool, {
        user: n.user,
      });
      try {
        await postToResponseUrl(n.url, { response_type: 'ephemeral', replace_original: true, ...answerView(answer) });
      } catch (e) {
        if (e instanceof ResponseUrlError && e.gone) throw new Undeliverable(e.message);
        throw new ClientFailure(messageOf(e), { cause: e });
      }
      return null;
    }
    case 'stage_reminder': {
      const { r, tool, groups } = await requestContext(store, n.requestId);
      const stage = r.stages[n.position];
      if (n.user) {
        // To the delegate of an away approver, by DM.
        if (!stage) throw new Undeliverable(`request #${r.id} has no stage ${n.position}`);
        await client.chat.postMessage({
          channel: n.user,
          ...delegateReminder(r, tool, stage, groups, n.onBehalfOf ?? ''),
        });
        return null;
      }
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
      await client.chat.postMessage({
        channel: n.admin,
        ...escalationMessage(r, tool, stage, groups, n.everyoneAway ?? false),
      });
      return null;
    }
    case 'review_request':
      await client.chat.postMessage({ channel: n.channel, ...reviewRequestMessage(n.user, n.query) });
      return null;
    case 'audit_head':
      await client.chat.postMessage({ channel: n.channel, ...auditHeadMessage(n), unfurl_links: false });
      return null;
    case 'stale_digest':
      await client.chat.postMessage({ channel: n.channel, ...staleDigestMessage(n) });
      return null;
    case 'review_post': {
      const review = await store.getToolReview(n.reviewId);
      if (!review) throw new Undeliverable(`review request #${n.reviewId} not found`);
      const view = reviewPost(review, review.toolId ? await store.getTool(review.toolId) : null);
      if (review.messageChannel && review.messageTs) {
        await client.chat.update({ channel: review.messageChannel, ts: review.messageTs, ...view });
        return null;
      }
      const channel = reviewChannelOf((await store.registrySnapshot()).registry);
      if (!channel) throw new Undeliverable('the registry has no review_group or review_channel');
      const posted = await client.chat.postMessage({ channel, ...view, unfurl_links: false });
      return posted.channel && posted.ts ? { reviewId: review.id, channel: posted.channel, ts: posted.ts } : null;
    }
    case 'review_dm': {
      const review = await store.getToolReview(n.reviewId);
      if (!review) throw new Undeliverable(`review request #${n.reviewId} not found`);
      if (n.event === 'received') {
        const channel = reviewChannelOf((await store.registrySnapshot()).registry);
        await client.chat.postMessage({ channel: n.user, ...reviewReceivedDm(review, channel) });
        return null;
      }
      // The verdict as the asker's own region sees it, from the registry as it is now.
      const tool = review.toolId ? await store.getTool(review.toolId) : null;
      const answer =
        tool && review.status !== 'rejected'
          ? await answerForTool({ store, defaultRegion: deps.defaultRegion, clock: deps.clock }, tool, { user: n.user })
          : null;
      await client.chat.postMessage({ channel: n.user, ...reviewDecidedDm(review, answer) });
      return null;
    }
  }
}

// ---- A message in doubt ------------------------------------------------------------------------

/** Where a notice is posted: a channel (or a thread in one), or a person's DM; null when there is nothing to look for. */
type PostTarget = { channel: string; thread?: string } | { user: string };

async function postTarget(store: Store, n: Notice): Promise<PostTarget | null> {
  switch (n.kind) {
    case 'stage_message': {
      const { r, groups } = await requestContext(store, n.requestId);
      const stage = r.stages[n.position];
      // Once its place is recorded, the message is updated in place: sending again changes nothing.
      if (!stage || stage.messageTs) return null;
      const channel = groups.get(stage.groupId)?.channel;
      return channel ? { channel } : null;
    }
    case 'dm':
      return { user: n.user };
    case 'stage_reminder': {
      if (n.user) return { user: n.user };
      const { r, groups } = await requestContext(store, n.requestId);
      const stage = r.stages[n.position];
      const channel = stage?.messageChannel ?? groups.get(stage?.groupId ?? '')?.channel;
      if (!channel) return null;
      return stage?.messageTs ? { channel, thread: stage.messageTs } : { channel };
    }
    case 'escalation':
      return { user: n.admin };
    case 'dm_refresh':
    case 'answer_refresh':
      return null; // updates in place: sending again changes nothing
    case 'review_request':
    case 'audit_head':
    case 'stale_digest':
      return { channel: n.channel };
    case 'review_post': {
      const review = await store.getToolReview(n.reviewId);
      if (!review || review.messageTs) return null; // updated in place once its place is recorded
      const channel = reviewChannelOf((await store.registrySnapshot()).registry);
      return channel ? { channel } : null;
    }
    case 'review_dm':
      return { user: n.user };
    default:
      return null;
  }
}

const isOurs = (m: { metadata?: { event_type?: string; event_payload?: unknown } }, id: number): boolean =>
  m.metadata?.event_type === OUTBOX_EVENT &&
  typeof m.metadata.event_payload === 'object' &&
  m.metadata.event_payload !== null &&
  (m.metadata.event_payload as { outbox_id?: unknown }).outbox_id === id;

/**
 * For a message in doubt: the copy an earlier attempt posted, found in the channel, thread or DM by
 * its metadata; null if there is none; 'unknown' where Slack does not let the bot look. Reading
 * takes channels:history, groups:history, im:history and (to find a DM) im:write, which the
 * manifest does not ask for. Slack failing otherwise (down, 429) throws, like a failed send.
 */
async function findEarlierPost(
  store: Store,
  client: OutboxClient,
  item: OutboxItem,
): Promise<{ channel: string; ts: string } | null | 'unknown'> {
  const target = await postTarget(store, item.notice);
  if (!target) return 'unknown';
  try {
    const channel =
      'user' in target ? (await client.conversations.open({ users: target.user })).channel?.id : target.channel;
    if (!channel) return 'unknown';
    const page =
      'thread' in target && target.thread
        ? await client.conversations.replies({ channel, ts: target.thread, limit: 200, include_all_metadata: true })
        : await client.conversations.history({ channel, limit: 200, include_all_metadata: true });
    const found = page.messages?.find((m) => isOurs(m, item.id));
    return found?.ts ? { channel, ts: found.ts } : null;
  } catch (e) {
    if (e instanceof webApi.WebAPIPlatformError) return 'unknown';
    throw e;
  }
}

// ---- What a failure means -----------------------------------------------------------------------

/** What to do with a message Slack did not take. */
export type FailurePlan =
  | { kind: 'give_up'; reason: string; log: string }
  | { kind: 'pause'; waitMs: number; reason: string; log: string }
  | { kind: 'retry'; reason: string; log: string | null; level: 'warn' | 'error'; inDoubt: boolean };

/** Network failures where the request certainly never reached Slack: nothing to doubt. */
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Whether a request that failed without an answer may still have reached Slack (a timeout, a dropped connection). */
function mayHaveArrived(e: webApi.WebAPIRequestError): boolean {
  const cause: unknown = e.original.cause;
  const code = cause && typeof cause === 'object' && 'code' in cause ? cause.code : undefined;
  return !(typeof code === 'string' && NEVER_SENT.has(code));
}

/** Decides, from the error and how often the message was tried, whether to give up, wait or retry. */
export function planForFailure(
  item: Pick<OutboxItem, 'id' | 'attempts'>,
  e: unknown,
  maxPlatformAttempts: number,
): FailurePlan {
  if (e instanceof Undeliverable)
    return { kind: 'give_up', reason: e.message, log: `outbox #${item.id}: giving up: ${e.message}` };
  if (e instanceof RequestNotBuilt) {
    const reason = `request not built, nothing sent: ${e.message}`;
    return {
      kind: 'give_up',
      reason,
      log: `outbox #${item.id}: giving up at once: ${reason} (its lane goes on; toolgate outbox lists it)`,
    };
  }
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
        inDoubt: false,
      };
    return { kind: 'retry', reason, level: 'warn', log: null, inDoubt: false };
  }
  // Slack down, a 5xx, a network error, the database busy: keep trying, ever more slowly.
  if (
    e instanceof webApi.WebAPIHTTPError ||
    e instanceof webApi.WebAPIRequestError ||
    e instanceof ClientFailure ||
    e instanceof StoreUnavailable
  ) {
    const reason = e instanceof webApi.WebAPIHTTPError ? `HTTP ${e.statusCode}` : e.message;
    const inDoubt = e instanceof ClientFailure || (e instanceof webApi.WebAPIRequestError && mayHaveArrived(e));
    return {
      kind: 'retry',
      reason,
      level: 'warn',
      log: `outbox #${item.id}: will retry${inDoubt ? ' (it may have reached Slack: looking first)' : ''}: ${reason}`,
      inDoubt,
    };
  }
  // Anything else was thrown while rendering, before a request existed: trying again cannot help.
  const reason = `message not built, nothing sent: ${messageOf(e)}`;
  return {
    kind: 'give_up',
    reason,
    log: `outbox #${item.id}: giving up at once: ${reason} (its lane goes on; toolgate outbox lists it)`,
  };
}

// ---- The worker ---------------------------------------------------------------------------------

export function startOutboxWorker(o: OutboxWorkerOptions): OutboxWorker {
  const maxDelay = o.maxDelayMs ?? 5 * 60_000;
  const maxPlatformAttempts = o.maxPlatformAttempts ?? 3;
  const concurrency = Math.max(1, o.concurrency ?? 4);
  const leaseMs = o.leaseMs ?? 60_000;
  const doubtDelayMs = o.doubtDelayMs ?? 30_000;
  /** This worker's name on its leases: host, process id, a nonce. */
  const owner = newOwnerId();
  const store = readingFrom(o.store);
  let pausedUntil = 0;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let lastTakeOver = Number.NEGATIVE_INFINITY;
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
        pausedUntil = Math.max(pausedUntil, now.getTime() + plan.waitMs);
        await o.store.markRetry(item.id, new Date(pausedUntil), plan.reason);
        return;
      case 'retry': {
        if (plan.log) o.logger[plan.level](plan.log);
        // Slack may still be working on a request that timed out: look for it only once it is surely done.
        const delay = Math.max(backoff(item.attempts), plan.inDoubt ? doubtDelayMs : 0);
        await o.store.markRetry(item.id, new Date(now.getTime() + delay), plan.reason, plan.inDoubt);
        return;
      }
    }
  };

  /** Records what Slack took; stops at the first the database refuses, to try again on the next pass. */
  const markAll = async (): Promise<void> => {
    for (const [id, post] of unmarked) {
      try {
        await o.store.markDelivered(id, o.clock.now(), post);
        unmarked.delete(id);
      } catch (e) {
        o.logger.warn(`outbox #${id}: sent, but could not record it yet: ${messageOf(e)}`);
        return;
      }
    }
  };
  /** One marking pass at a time (sends finishing together join it). */
  let marking: Promise<void> | null = null;
  const markUnmarked = (): Promise<void> =>
    (marking ??= markAll().finally(() => {
      marking = null;
    }));

  /**
   * One message: send it (for one in doubt, first look whether an earlier attempt posted it), then
   * record it, or record why not. Never rejects.
   */
  const deliver = async (item: OutboxItem): Promise<void> => {
    let post: StagePost | null;
    try {
      const earlier = item.inDoubt ? await findEarlierPost(store, o.client, item) : 'unknown';
      if (earlier && earlier !== 'unknown') {
        o.logger.warn(`outbox #${item.id}: an earlier attempt did reach Slack (${earlier.ts}): not sending it again`);
        const n = item.notice;
        post = n.kind === 'stage_message' ? { requestId: n.requestId, position: n.position, ...earlier } : null;
      } else {
        post = await o.client.sending(item.id, () => sendNotice(store, o.client, item.notice, o));
      }
    } catch (e) {
      try {
        await handleFailure(item, e);
      } catch (markError) {
        // Its lease runs out and it is tried again (in doubt, so looked for first).
        o.logger.warn(`outbox #${item.id}: could not record the failure: ${messageOf(markError)}`);
      }
      return;
    }
    // Slack has it now. If recording that fails (database busy), keep it in memory and
    // try again, rather than send it a second time.
    unmarked.set(item.id, post);
    await markUnmarked();
  };

  /** Ends the leases of workers on this machine whose process is gone (killed), so theirs go out now. */
  const takeOverFromTheDead = async (): Promise<void> => {
    if (Date.now() - lastTakeOver < 2000) return; // a look every 2 s at most
    lastTakeOver = Date.now();
    const now = o.clock.now();
    for (const holder of await o.store.leaseHolders(now)) {
      if (holder === owner || !ownerIsGone(holder)) continue;
      const n = await o.store.endLeases(holder, now);
      if (n) o.logger.warn(`outbox: taking over ${n} messages from ${holder}, whose process is gone`);
    }
  };

  /** Keeps up to `concurrency` lanes sending until nothing is due; returns once every send has settled. */
  const deliverDue = async (): Promise<void> => {
    const inFlight = new Set<Promise<void>>();
    try {
      for (;;) {
        await markUnmarked();
        const free = concurrency - inFlight.size;
        if (!stopped && !paused() && unmarked.size === 0 && free > 0) {
          await takeOverFromTheDead();
          for (const item of await o.store.claim(owner, o.clock.now(), leaseMs, free)) {
            const sending: Promise<void> = deliver(item).finally(() => inFlight.delete(sending));
            inFlight.add(sending);
          }
        }
        if (inFlight.size === 0) return;
        await Promise.race(inFlight);
      }
    } finally {
      await Promise.allSettled(inFlight);
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
        o.logger.error(`outbox worker: ${messageOf(e)}`);
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
