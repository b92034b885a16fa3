/**
 * A local stand-in for Slack's Web API (and for the response_url webhooks Slack hands out),
 * keeping Slack's state in memory: channel messages, ephemerals, modals, App Homes, users.
 *
 * The bot reaches it through Bolt's `clientOptions.slackApiUrl = standIn.apiUrl`.
 * Tests (and later the playground) read the state back with the query helpers, inject
 * failures, and wait for the bot to act with `waitFor`.
 *
 * Nothing here depends on the bot's code.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  asBlocks,
  isRecord,
  textOf,
  validateBlocks,
  withGeneratedIds,
  type JsonObject,
  type SlackBlock,
  type StateValues,
  type Surface,
  type TextObject,
} from './blocks.ts';

export type { JsonObject, SlackBlock, StateValues, TextObject } from './blocks.ts';

/** Fixed identities of the stand-in workspace and of the bot installed in it. */
export const STAND_IN_WORKSPACE = {
  teamId: 'T0TOOLGATE',
  teamName: 'toolgate',
  teamDomain: 'toolgate',
  url: 'https://toolgate.slack.com/',
  botUserId: 'U0TOOLGATEBOT',
  botUserName: 'toolgate',
  botId: 'B0TOOLGATE',
  appId: 'A0TOOLGATE',
} as const;

const W = STAND_IN_WORKSPACE;

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** One request the stand-in received (Web API method, or a POST to a response_url). */
export interface ApiCall {
  /** Web API method (`chat.postMessage`), or `response_url` for a POST to a response URL. */
  method: string;
  /** Parsed arguments; blocks/view/attachments/metadata are JSON-decoded. */
  args: JsonObject;
  /** Token from `Authorization: Bearer` or the `token` argument. */
  token: string | undefined;
  /** HTTP status the stand-in answered with. */
  status: number;
  /** Date.now() when the request was answered. */
  at: number;
  /** Whether the answer was `ok: true`. */
  ok: boolean;
  /** Slack error code when not ok. */
  error?: string;
  /** The JSON body the stand-in answered with. */
  response: unknown;
  /** For method `response_url`: the id of the response URL (last path segment). */
  responseUrlId?: string;
}

export interface MessageEdit {
  user: string;
  ts: string;
}

/** A message visible to everyone in a conversation. */
export interface StoredMessage {
  ts: string;
  /** The channel as the poster named it (a user id `U…` for the bot's DM with that user). */
  channel: string;
  text: string;
  blocks: SlackBlock[];
  thread_ts?: string;
  edited?: MessageEdit;
  /** Author: the bot's user id, or the human's for messages added with postUserMessage. */
  user: string;
  bot_id?: string;
  attachments?: unknown[];
  metadata?: unknown;
  /** How it got here. */
  via: 'chat.postMessage' | 'response_url' | 'ack' | 'user';
}

/** A message only `user` can see. */
export interface StoredEphemeral {
  /** Always true: tells an ephemeral apart from a StoredMessage. */
  ephemeral: true;
  ts: string;
  channel: string;
  user: string;
  text: string;
  blocks: SlackBlock[];
  thread_ts?: string;
  edited?: MessageEdit;
  via: 'chat.postEphemeral' | 'response_url' | 'ack';
  /** Set when it was posted through a response URL (or as the ack of a slash command). */
  responseUrlId?: string;
}

/** A view (modal or App Home) as Slack stores it and sends it back in payloads. */
export interface StoredView {
  id: string;
  team_id: string;
  type: string;
  blocks: SlackBlock[];
  private_metadata: string;
  callback_id: string;
  state: { values: StateValues };
  hash: string;
  title?: TextObject;
  submit?: TextObject;
  close?: TextObject;
  clear_on_close: boolean;
  notify_on_close: boolean;
  external_id: string;
  previous_view_id: string | null;
  root_view_id: string | null;
  app_id: string;
  app_installed_team_id: string;
  bot_id: string;
  [key: string]: unknown;
}

export interface SlackUser {
  id: string;
  team_id: string;
  name: string;
  real_name: string;
  deleted: boolean;
  is_bot: boolean;
  is_admin: boolean;
  tz: string;
  profile: {
    real_name: string;
    display_name: string;
    email?: string;
    [key: string]: unknown;
  };
}

export interface UserSettings {
  name?: string;
  realName?: string;
  displayName?: string;
  email?: string;
  isAdmin?: boolean;
  isBot?: boolean;
  deleted?: boolean;
  tz?: string;
}

/** Where a response URL posts: the conversation, the user it answers, and maybe the message it belongs to. */
export interface ResponseUrlContext {
  channel?: string;
  user?: string;
  /** The message the URL belongs to (replace_original/delete_original act on it). */
  messageTs?: string;
  /** Whether that message is an ephemeral one. */
  ephemeral?: boolean;
  threadTs?: string;
}

export interface ResponseUrlInfo extends ResponseUrlContext {
  id: string;
  url: string;
  /** Last message this URL created (replace_original acts on it when no messageTs was given). */
  lastMessage?: { ts: string; ephemeral: boolean };
}

/** One message sent to a response URL (or a slash command's ack body, which Slack treats alike). */
export interface ResponsePost {
  id: string;
  via: 'post' | 'ack';
  body: JsonObject;
  at: number;
  status: number;
  effect: 'ephemeral' | 'in_channel' | 'replaced' | 'deleted' | 'error';
  ts?: string;
  error?: string;
}

export type Failure = { status: 500 } | { status: 503 } | { status: 429; retryAfter: number } | { error: string };

export type StandInChange =
  | { kind: 'call'; call: ApiCall }
  | { kind: 'message'; action: 'posted' | 'updated' | 'deleted'; message: StoredMessage }
  | { kind: 'ephemeral'; action: 'posted' | 'updated' | 'deleted'; ephemeral: StoredEphemeral }
  | {
      kind: 'view';
      action: 'opened' | 'pushed' | 'updated' | 'closed' | 'errors' | 'state';
      user: string;
      view: StoredView;
      errors?: Record<string, string>;
    }
  | { kind: 'home'; user: string; view: StoredView }
  | { kind: 'user'; user: SlackUser }
  | { kind: 'down'; down: boolean }
  | { kind: 'reset' };

export interface StandInSnapshot {
  channels: Record<string, StoredMessage[]>;
  ephemerals: StoredEphemeral[];
  homes: Record<string, StoredView>;
  openViews: Record<string, StoredView[]>;
  users: SlackUser[];
  down: boolean;
}

export interface SlackStandInOptions {
  port?: number;
  host?: string;
  /** When set, only this bot token is accepted (as Slack accepts only the app's own). */
  requiredToken?: string;
  /** When set, trigger ids older than this are refused with `expired_trigger_id` (Slack: 3 s). */
  triggerTtlMs?: number;
}

export interface SlackStandIn {
  /** Base URL, ending with `/`, e.g. `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** Web API base URL for `slackApiUrl`, e.g. `http://127.0.0.1:PORT/api/`. */
  readonly apiUrl: string;
  readonly port: number;
  /** Every request received, in order (live array; cleared by reset()). */
  readonly calls: readonly ApiCall[];

  /** Non-ephemeral messages of a conversation in posting order (a user id means the bot's DM with them). */
  messages(channel: string): StoredMessage[];
  /** One message by conversation and ts. */
  message(channel: string, ts: string): StoredMessage | undefined;
  /** Ephemeral messages shown to `user`, in posting order. */
  ephemerals(user: string): StoredEphemeral[];
  /** Messages sent to response URLs (all, or those of one id / URL). */
  responses(idOrUrl?: string): ResponsePost[];
  /** The App Home view last published for `user`. */
  homeOf(user: string): StoredView | undefined;
  viewOf(viewId: string): StoredView | undefined;
  /** The modal stack open for `user`, root first. */
  openViews(user: string): StoredView[];
  /** The user a view belongs to. */
  viewOwner(viewId: string): string | undefined;
  /** Errors shown in a view after a `response_action: 'errors'`. */
  viewErrors(viewId: string): Record<string, string> | undefined;
  callsTo(method: string): ApiCall[];
  snapshot(): StandInSnapshot;

  /** Resolves with the first truthy value of `predicate`, re-checked on every request and every 20 ms. */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs?: number, description?: string): Promise<T>;
  /** Listener called after every state change and recorded call; returns an unsubscribe function. */
  onChange(listener: (change: StandInChange) => void): () => void;

  /** The next `count` requests (to `methods`, if given) fail with `failure`, without changing state. */
  failNext(count: number, failure: Failure, methods?: readonly string[]): void;
  /** While down, every request answers HTTP 503. */
  setDown(down: boolean): void;

  setUser(id: string, settings: UserSettings): SlackUser;
  getUser(id: string): SlackUser | undefined;
  setChannel(id: string, settings: { name: string }): void;
  channelName(id: string): string;
  /** The conversation id Slack uses: `D<userId>` for a user id, otherwise the id itself. */
  conversationId(channelOrUser: string): string;

  /** A fresh response URL (`${url}response/<id>`). */
  newResponseUrl(context?: ResponseUrlContext): string;
  responseUrlInfo(idOrUrl: string): ResponseUrlInfo | undefined;
  /** A fresh trigger id, bound to `user` (views.open/push use it to know whose modal it is). */
  newTriggerId(user: string): string;

  // ---- applied by the driver, for what Slack does with the bot's HTTP responses ----
  /** Shows a slash command's non-empty ack body as Slack does (an ephemeral, or in_channel). */
  deliverAck(responseUrl: string, body: unknown): ResponsePost | undefined;
  /** Applies a view_submission ack (close / clear / update / push / errors) to `user`'s modal stack. */
  applyViewSubmissionResponse(user: string, viewId: string, response: unknown): void;
  /** Records the state values a user entered in a view. */
  setViewState(viewId: string, values: StateValues): void;
  /** Closes a modal (and the ones pushed over it), or the whole stack with `all`. */
  closeView(user: string, viewId?: string, opts?: { all?: boolean }): void;
  /** Adds a message written by a human (e.g. a DM to the bot) to a conversation. */
  postUserMessage(channel: string, user: string, text: string, threadTs?: string): StoredMessage;

  /** Clears all state, calls, failures and listeners' backlog (listeners stay subscribed). */
  reset(): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

class SlackError extends Error {
  constructor(
    readonly code: string,
    readonly extra: JsonObject = {},
  ) {
    super(code);
  }
}

const NESTED_JSON_FIELDS = new Set(['blocks', 'view', 'attachments', 'metadata', 'users']);

function decodeNested(args: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(args)) {
    if (NESTED_JSON_FIELDS.has(key) && typeof value === 'string') {
      const trimmed = value.trim();
      if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
        try {
          args[key] = JSON.parse(trimmed) as unknown;
        } catch {
          throw new SlackError(key === 'blocks' ? 'invalid_blocks_format' : 'invalid_arguments', {
            response_metadata: { messages: [`[ERROR] ${key} is not valid JSON`] },
          });
        }
      }
    }
  }
  return args;
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function nonEmpty(value: unknown): string | undefined {
  const s = str(value);
  return s === undefined || s === '' ? undefined : s;
}

function bool(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

function isUserId(id: string): boolean {
  return /^[UW][A-Z0-9]+$/.test(id);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string, contentType: string | undefined): JsonObject {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.trim() === '') return {};
  if (type === 'application/json' || (type === '' && raw.trim().startsWith('{'))) {
    const parsed: unknown = JSON.parse(raw);
    if (!isRecord(parsed)) throw new SlackError('invalid_json');
    return parsed;
  }
  const out: JsonObject = {};
  for (const [k, v] of new URLSearchParams(raw)) out[k] = v;
  // Interactive-style `payload=<json>` bodies (not used by the Web API, but harmless to accept).
  if (typeof out.payload === 'string' && Object.keys(out).length === 1) {
    try {
      const parsed: unknown = JSON.parse(out.payload);
      if (isRecord(parsed)) return parsed;
    } catch {
      /* keep as form */
    }
  }
  return out;
}

function viewProblems(view: JsonObject, surface: Exclude<Surface, 'message'>): string[] {
  const problems: string[] = [];
  if (typeof view.type !== 'string') problems.push('view.type is required');
  else if (surface === 'home' && view.type !== 'home') problems.push(`views.publish needs type home, got ${view.type}`);
  else if (surface === 'modal' && view.type !== 'modal') problems.push(`expected a modal view, got ${view.type}`);
  if (!Array.isArray(view.blocks)) problems.push('view.blocks must be an array');
  else problems.push(...validateBlocks(view.blocks, surface));
  if (surface === 'modal') {
    const title = textOf(view.title);
    if (title === undefined) problems.push('view.title (plain_text) is required');
    for (const key of ['title', 'submit', 'close'] as const) {
      const t = textOf(view[key]);
      if (t !== undefined && t.length > 24) problems.push(`view.${key} longer than 24 characters`);
    }
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isRecord(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) problems.push('a modal with input blocks needs a submit button');
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) {
    problems.push('view.private_metadata longer than 3000 characters');
  }
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) {
    problems.push('view.callback_id longer than 255 characters');
  }
  return problems;
}

function invalid(code: string, problems: string[]): SlackError {
  return new SlackError(code, { response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
}

// ---------------------------------------------------------------------------------------------
// The stand-in
// ---------------------------------------------------------------------------------------------

interface FailRule {
  remaining: number;
  failure: Failure;
  methods?: readonly string[];
}

interface Trigger {
  user: string;
  createdAt: number;
  used: boolean;
}

interface ApiReply {
  status: number;
  body: JsonObject;
  headers?: Record<string, string>;
}

export async function startSlackStandIn(opts: SlackStandInOptions = {}): Promise<SlackStandIn> {
  const host = opts.host ?? '127.0.0.1';

  // ---- state ----
  let conversations = new Map<string, StoredMessage[]>();
  let ephemeralList: StoredEphemeral[] = [];
  let responseUrls = new Map<string, ResponseUrlInfo>();
  let responsePosts: ResponsePost[] = [];
  let views = new Map<string, StoredView>();
  let owners = new Map<string, string>();
  let errorsByView = new Map<string, Record<string, string>>();
  let stacks = new Map<string, string[]>();
  let homes = new Map<string, string>();
  let triggers = new Map<string, Trigger>();
  let users = new Map<string, SlackUser>();
  let channelNames = new Map<string, string>();
  const calls: ApiCall[] = [];
  let failRules: FailRule[] = [];
  let down = false;
  const listeners = new Set<(change: StandInChange) => void>();
  const pokes = new Set<() => void>();

  // Ids keep counting across reset() so stale ids never alias new objects.
  let lastMicros = 0;
  let counter = 0;
  const nextTs = (): string => {
    const now = Date.now() * 1000;
    lastMicros = Math.max(now, lastMicros + 100);
    const secs = Math.floor(lastMicros / 1e6);
    const micros = lastMicros % 1e6;
    return `${secs}.${String(micros).padStart(6, '0')}`;
  };
  const nextId = (prefix: string, width = 10): string => `${prefix}${String(++counter).padStart(width, '0')}`;
  const nextHash = (): string => `${Math.floor(Date.now() / 1000)}.${String(++counter).padStart(8, '0')}`;

  const emit = (change: StandInChange): void => {
    for (const listener of [...listeners]) {
      try {
        listener(change);
      } catch {
        /* a broken listener must not break the stand-in */
      }
    }
    for (const poke of [...pokes]) poke();
  };

  const conversationId = (channel: string): string => (isUserId(channel) ? `D${channel}` : channel);

  const conversation = (channel: string): StoredMessage[] => {
    const key = conversationId(channel);
    let list = conversations.get(key);
    if (!list) {
      list = [];
      conversations.set(key, list);
    }
    return list;
  };

  const findMessage = (channel: string, ts: string): StoredMessage | undefined =>
    conversations.get(conversationId(channel))?.find((m) => m.ts === ts);

  const defaultUser = (id: string): SlackUser => {
    const name = id.toLowerCase();
    return {
      id,
      team_id: W.teamId,
      name,
      real_name: name,
      deleted: false,
      is_bot: false,
      is_admin: false,
      tz: 'Europe/Berlin',
      profile: { real_name: name, display_name: name },
    };
  };

  const botUser = (): SlackUser => ({
    ...defaultUser(W.botUserId),
    name: W.botUserName,
    real_name: 'Toolgate',
    is_bot: true,
    profile: { real_name: 'Toolgate', display_name: 'toolgate', bot_id: W.botId },
  });

  const lookupUser = (id: string): SlackUser | undefined => {
    const known = users.get(id);
    if (known) return known;
    if (id === W.botUserId) return botUser();
    return isUserId(id) ? defaultUser(id) : undefined;
  };

  const channelName = (id: string): string => {
    const named = channelNames.get(id);
    if (named) return named;
    if (id.startsWith('D') || isUserId(id)) return 'directmessage';
    if (id === 'C0GENERAL') return 'general';
    return id.toLowerCase();
  };

  const messageJson = (m: StoredMessage): JsonObject => {
    const out: JsonObject = {
      type: 'message',
      text: m.text,
      user: m.user,
      ts: m.ts,
      team: W.teamId,
    };
    if (m.bot_id) {
      out.bot_id = m.bot_id;
      out.app_id = W.appId;
    }
    if (m.blocks.length > 0) out.blocks = clone(m.blocks);
    if (m.attachments) out.attachments = clone(m.attachments);
    if (m.metadata !== undefined) out.metadata = clone(m.metadata);
    if (m.thread_ts) out.thread_ts = m.thread_ts;
    if (m.edited) out.edited = { ...m.edited };
    return out;
  };

  const contentOf = (
    args: JsonObject,
    surface: Surface,
  ): { text: string | undefined; blocks: SlackBlock[] | undefined } => {
    const text = str(args.text);
    let blocks: SlackBlock[] | undefined;
    if (args.blocks !== undefined) {
      if (!Array.isArray(args.blocks)) throw invalid('invalid_blocks_format', ['blocks must be an array']);
      const problems = validateBlocks(args.blocks, surface);
      if (problems.length > 0) throw invalid('invalid_blocks', problems);
      blocks = withGeneratedIds(asBlocks(args.blocks) ?? []);
    }
    if (text !== undefined && text.length > 40000) throw new SlackError('msg_too_long');
    return { text, blocks };
  };

  const requireContent = (args: JsonObject, text: string | undefined, blocks: SlackBlock[] | undefined): void => {
    const hasAttachments = Array.isArray(args.attachments) && args.attachments.length > 0;
    if ((text === undefined || text === '') && (!blocks || blocks.length === 0) && !hasAttachments) {
      throw new SlackError('no_text');
    }
  };

  const takeTrigger = (triggerId: string | undefined): Trigger => {
    if (!triggerId) throw invalid('invalid_arguments', ['trigger_id is required']);
    const trigger = triggers.get(triggerId);
    if (!trigger) throw new SlackError('invalid_trigger_id');
    if (trigger.used) throw new SlackError('exchanged_trigger_id');
    if (opts.triggerTtlMs !== undefined && Date.now() - trigger.createdAt > opts.triggerTtlMs) {
      throw new SlackError('expired_trigger_id');
    }
    trigger.used = true;
    return trigger;
  };

  const buildView = (
    raw: JsonObject,
    id: string,
    links: { previous: string | null; root: string | null },
    previous?: StoredView,
  ): StoredView => {
    const blocks = withGeneratedIds(asBlocks(raw.blocks) ?? []);
    const blockIds = new Set(blocks.map((b) => b.block_id ?? ''));
    const keptState: StateValues = {};
    if (previous) {
      for (const [blockId, entry] of Object.entries(previous.state.values)) {
        if (blockIds.has(blockId)) keptState[blockId] = entry;
      }
    }
    const view: StoredView = {
      ...clone(raw),
      id,
      team_id: W.teamId,
      type: str(raw.type) ?? 'modal',
      blocks,
      private_metadata: str(raw.private_metadata) ?? '',
      callback_id: str(raw.callback_id) ?? '',
      state: { values: keptState },
      hash: nextHash(),
      clear_on_close: bool(raw.clear_on_close),
      notify_on_close: bool(raw.notify_on_close),
      external_id: str(raw.external_id) ?? previous?.external_id ?? '',
      previous_view_id: links.previous,
      root_view_id: links.root,
      app_id: W.appId,
      app_installed_team_id: W.teamId,
      bot_id: W.botId,
    };
    return view;
  };

  const requireView = (args: JsonObject, surface: Exclude<Surface, 'message'>): JsonObject => {
    if (!isRecord(args.view)) throw invalid('invalid_arguments', ['view is required']);
    const problems = viewProblems(args.view, surface);
    if (problems.length > 0) throw invalid('invalid_arguments', problems);
    return args.view;
  };

  const findViewByArgs = (args: JsonObject): StoredView => {
    const viewId = nonEmpty(args.view_id);
    const externalId = nonEmpty(args.external_id);
    if (!viewId && !externalId) throw invalid('invalid_arguments', ['view_id or external_id is required']);
    const view = viewId ? views.get(viewId) : [...views.values()].reverse().find((v) => v.external_id === externalId);
    if (!view) throw new SlackError('not_found');
    const hash = nonEmpty(args.hash);
    if (hash !== undefined && hash !== view.hash) throw new SlackError('hash_conflict');
    return view;
  };

  const stackOf = (user: string): string[] => {
    let stack = stacks.get(user);
    if (!stack) {
      stack = [];
      stacks.set(user, stack);
    }
    return stack;
  };

  const closeView = (user: string, viewId?: string, closeOpts: { all?: boolean } = {}): void => {
    const stack = stackOf(user);
    let removed: string[];
    if (closeOpts.all || viewId === undefined) {
      removed = closeOpts.all ? stack.splice(0) : stack.splice(-1);
    } else {
      const index = stack.indexOf(viewId);
      removed = index >= 0 ? stack.splice(index) : [];
    }
    for (const id of removed.reverse()) {
      const view = views.get(id);
      if (view) emit({ kind: 'view', action: 'closed', user, view: clone(view) });
    }
  };

  // ---- response URLs ----

  const responseIdOf = (idOrUrl: string): string => {
    const match = /\/response\/([^/?#]+)/.exec(idOrUrl);
    return match?.[1] ?? idOrUrl;
  };

  const applyResponse = (info: ResponseUrlInfo, body: JsonObject, via: 'post' | 'ack'): ResponsePost => {
    const post: ResponsePost = { id: info.id, via, body: clone(body), at: Date.now(), status: 200, effect: 'error' };
    const channel = info.channel ?? '';
    const target =
      info.messageTs !== undefined ? { ts: info.messageTs, ephemeral: info.ephemeral === true } : info.lastMessage;
    const text = str(body.text);
    const blocks = body.blocks !== undefined ? asBlocks(body.blocks) : undefined;
    if (blocks) {
      const problems = validateBlocks(blocks, 'message');
      if (problems.length > 0) {
        post.status = 400;
        post.error = 'invalid_blocks';
        return post;
      }
    }
    const cleanBlocks = blocks ? withGeneratedIds(blocks) : [];

    if (bool(body.delete_original)) {
      if (!target) return { ...post, status: 404, error: 'message_not_found' };
      if (target.ephemeral) {
        const index = ephemeralList.findIndex((e) => e.ts === target.ts);
        const [gone] = index >= 0 ? ephemeralList.splice(index, 1) : [];
        if (gone) emit({ kind: 'ephemeral', action: 'deleted', ephemeral: clone(gone) });
      } else {
        const list = conversation(channel);
        const index = list.findIndex((m) => m.ts === target.ts);
        const [gone] = index >= 0 ? list.splice(index, 1) : [];
        if (gone) emit({ kind: 'message', action: 'deleted', message: clone(gone) });
      }
      return { ...post, effect: 'deleted', ts: target.ts };
    }

    if (bool(body.replace_original) && target) {
      const edited = { user: W.botUserId, ts: nextTs() };
      if (target.ephemeral) {
        const eph = ephemeralList.find((e) => e.ts === target.ts);
        if (!eph) return { ...post, status: 404, error: 'message_not_found' };
        eph.text = text ?? '';
        eph.blocks = cleanBlocks;
        eph.edited = edited;
        emit({ kind: 'ephemeral', action: 'updated', ephemeral: clone(eph) });
      } else {
        const msg = findMessage(channel, target.ts);
        if (!msg) return { ...post, status: 404, error: 'message_not_found' };
        msg.text = text ?? '';
        msg.blocks = cleanBlocks;
        msg.edited = edited;
        emit({ kind: 'message', action: 'updated', message: clone(msg) });
      }
      return { ...post, effect: 'replaced', ts: target.ts };
    }

    if ((text === undefined || text === '') && cleanBlocks.length === 0) {
      return { ...post, status: 400, error: 'no_text' };
    }
    const ts = nextTs();
    const threadTs = str(body.thread_ts) ?? info.threadTs;
    if (str(body.response_type) === 'in_channel') {
      const msg: StoredMessage = {
        ts,
        channel,
        text: text ?? '',
        blocks: cleanBlocks,
        user: W.botUserId,
        bot_id: W.botId,
        via: via === 'ack' ? 'ack' : 'response_url',
        ...(threadTs ? { thread_ts: threadTs } : {}),
      };
      conversation(channel).push(msg);
      info.lastMessage = { ts, ephemeral: false };
      emit({ kind: 'message', action: 'posted', message: clone(msg) });
      return { ...post, effect: 'in_channel', ts };
    }
    const eph: StoredEphemeral = {
      ephemeral: true,
      ts,
      channel,
      user: info.user ?? '',
      text: text ?? '',
      blocks: cleanBlocks,
      via: via === 'ack' ? 'ack' : 'response_url',
      responseUrlId: info.id,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    };
    ephemeralList.push(eph);
    info.lastMessage = { ts, ephemeral: true };
    emit({ kind: 'ephemeral', action: 'posted', ephemeral: clone(eph) });
    return { ...post, effect: 'ephemeral', ts };
  };

  // ---- Web API methods ----

  type Handler = (args: JsonObject) => JsonObject;

  const handlers: Record<string, Handler> = {
    'api.test': (args) => ({ args }),

    'auth.test': () => ({
      url: W.url,
      team: W.teamName,
      user: W.botUserName,
      team_id: W.teamId,
      user_id: W.botUserId,
      bot_id: W.botId,
      is_enterprise_install: false,
    }),

    'chat.postMessage': (args) => {
      const channel = nonEmpty(args.channel);
      if (!channel) throw new SlackError('channel_not_found');
      const { text, blocks } = contentOf(args, 'message');
      requireContent(args, text, blocks);
      const threadTs = nonEmpty(args.thread_ts);
      const msg: StoredMessage = {
        ts: nextTs(),
        channel,
        text: text ?? '',
        blocks: blocks ?? [],
        user: W.botUserId,
        bot_id: W.botId,
        via: 'chat.postMessage',
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...(Array.isArray(args.attachments) ? { attachments: clone(args.attachments) } : {}),
        ...(args.metadata !== undefined ? { metadata: clone(args.metadata) } : {}),
      };
      conversation(channel).push(msg);
      emit({ kind: 'message', action: 'posted', message: clone(msg) });
      return { channel: conversationId(channel), ts: msg.ts, message: messageJson(msg) };
    },

    'chat.update': (args) => {
      const channel = nonEmpty(args.channel);
      const ts = nonEmpty(args.ts);
      if (!channel) throw new SlackError('channel_not_found');
      if (!ts) throw new SlackError('message_not_found');
      const msg = findMessage(channel, ts);
      if (!msg) throw new SlackError('message_not_found');
      if (msg.user !== W.botUserId) throw new SlackError('cant_update_message');
      const { text, blocks } = contentOf(args, 'message');
      if (text === undefined && blocks === undefined && args.attachments === undefined) {
        throw new SlackError('no_text');
      }
      if (text !== undefined) msg.text = text;
      if (blocks !== undefined) msg.blocks = blocks;
      if (Array.isArray(args.attachments)) msg.attachments = clone(args.attachments);
      if (args.metadata !== undefined) msg.metadata = clone(args.metadata);
      msg.edited = { user: W.botUserId, ts: nextTs() };
      emit({ kind: 'message', action: 'updated', message: clone(msg) });
      return { channel: conversationId(channel), ts: msg.ts, text: msg.text, message: messageJson(msg) };
    },

    'chat.postEphemeral': (args) => {
      const channel = nonEmpty(args.channel);
      const user = nonEmpty(args.user);
      if (!channel) throw new SlackError('channel_not_found');
      if (!user || !lookupUser(user)) throw new SlackError('user_not_found');
      const { text, blocks } = contentOf(args, 'message');
      requireContent(args, text, blocks);
      const threadTs = nonEmpty(args.thread_ts);
      const eph: StoredEphemeral = {
        ephemeral: true,
        ts: nextTs(),
        channel,
        user,
        text: text ?? '',
        blocks: blocks ?? [],
        via: 'chat.postEphemeral',
        ...(threadTs ? { thread_ts: threadTs } : {}),
      };
      ephemeralList.push(eph);
      emit({ kind: 'ephemeral', action: 'posted', ephemeral: clone(eph) });
      return { message_ts: eph.ts };
    },

    'chat.delete': (args) => {
      const channel = nonEmpty(args.channel);
      const ts = nonEmpty(args.ts);
      if (!channel) throw new SlackError('channel_not_found');
      const list = conversations.get(conversationId(channel));
      const index = list?.findIndex((m) => m.ts === ts) ?? -1;
      if (!list || index < 0) throw new SlackError('message_not_found');
      const [gone] = list.splice(index, 1);
      if (gone) emit({ kind: 'message', action: 'deleted', message: clone(gone) });
      return { channel: conversationId(channel), ts };
    },

    'chat.getPermalink': (args) => {
      const channel = nonEmpty(args.channel);
      const ts = nonEmpty(args.message_ts);
      if (!channel) throw new SlackError('channel_not_found');
      if (!ts || !findMessage(channel, ts)) throw new SlackError('message_not_found');
      const id = conversationId(channel);
      return { channel: id, permalink: `${W.url}archives/${id}/p${ts.replace('.', '')}` };
    },

    'conversations.open': (args) => {
      const channel = nonEmpty(args.channel);
      if (channel) return { channel: { id: channel } };
      const raw = args.users;
      const ids = (Array.isArray(raw) ? raw.map(String) : (str(raw) ?? '').split(','))
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (ids.length === 0) throw new SlackError('users_list_not_supplied');
      for (const id of ids) if (!lookupUser(id)) throw new SlackError('user_not_found');
      if (ids.length === 1) {
        const user = ids[0] ?? '';
        return { channel: { id: conversationId(user), is_im: true, user } };
      }
      return { channel: { id: `G${[...ids].sort().join('')}`, is_mpim: true } };
    },

    'conversations.info': (args) => {
      const channel = nonEmpty(args.channel);
      if (!channel) throw new SlackError('channel_not_found');
      const id = conversationId(channel);
      const isIm = id.startsWith('D');
      return {
        channel: {
          id,
          name: channelName(id),
          is_im: isIm,
          is_channel: id.startsWith('C'),
          is_private: !id.startsWith('C'),
          ...(isIm ? { user: id.slice(1) } : {}),
        },
      };
    },

    'conversations.history': (args) => {
      const channel = nonEmpty(args.channel);
      if (!channel) throw new SlackError('channel_not_found');
      const list = conversations.get(conversationId(channel)) ?? [];
      const top = list.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
      return { messages: [...top].reverse().map(messageJson), has_more: false };
    },

    'conversations.replies': (args) => {
      const channel = nonEmpty(args.channel);
      const ts = nonEmpty(args.ts);
      if (!channel) throw new SlackError('channel_not_found');
      const list = conversations.get(conversationId(channel)) ?? [];
      const parent = list.find((m) => m.ts === ts);
      if (!parent) throw new SlackError('thread_not_found');
      const replies = list.filter((m) => m.thread_ts === ts && m.ts !== ts);
      return { messages: [parent, ...replies].map(messageJson), has_more: false };
    },

    'users.info': (args) => {
      const id = nonEmpty(args.user);
      const user = id ? lookupUser(id) : undefined;
      if (!user) throw new SlackError('user_not_found');
      return { user: clone(user) };
    },

    'views.open': (args) => {
      const trigger = takeTrigger(nonEmpty(args.trigger_id));
      const raw = requireView(args, 'modal');
      const id = nextId('V');
      const view = buildView(raw, id, { previous: null, root: id });
      views.set(id, view);
      owners.set(id, trigger.user);
      const stack = stackOf(trigger.user);
      closeView(trigger.user, undefined, { all: true });
      stack.push(id);
      emit({ kind: 'view', action: 'opened', user: trigger.user, view: clone(view) });
      return { view: clone(view) };
    },

    'views.push': (args) => {
      const trigger = takeTrigger(nonEmpty(args.trigger_id));
      const raw = requireView(args, 'modal');
      const stack = stackOf(trigger.user);
      if (stack.length >= 3) throw new SlackError('push_limit_reached');
      const id = nextId('V');
      const view = buildView(raw, id, { previous: stack.at(-1) ?? null, root: stack[0] ?? id });
      views.set(id, view);
      owners.set(id, trigger.user);
      stack.push(id);
      emit({ kind: 'view', action: 'pushed', user: trigger.user, view: clone(view) });
      return { view: clone(view) };
    },

    'views.update': (args) => {
      const existing = findViewByArgs(args);
      const raw = requireView(args, existing.type === 'home' ? 'home' : 'modal');
      const view = buildView(
        raw,
        existing.id,
        { previous: existing.previous_view_id, root: existing.root_view_id },
        existing,
      );
      views.set(existing.id, view);
      errorsByView.delete(existing.id);
      const user = owners.get(existing.id) ?? '';
      if (view.type === 'home') emit({ kind: 'home', user, view: clone(view) });
      else emit({ kind: 'view', action: 'updated', user, view: clone(view) });
      return { view: clone(view) };
    },

    'views.publish': (args) => {
      const user = nonEmpty(args.user_id);
      if (!user) throw invalid('invalid_arguments', ['user_id is required']);
      if (!lookupUser(user)) throw new SlackError('user_not_found');
      const raw = requireView(args, 'home');
      const existingId = homes.get(user);
      const existing = existingId ? views.get(existingId) : undefined;
      const hash = nonEmpty(args.hash);
      if (hash !== undefined && existing && hash !== existing.hash) throw new SlackError('hash_conflict');
      const id = existingId ?? nextId('V');
      const view = buildView(raw, id, { previous: null, root: null }, existing);
      views.set(id, view);
      owners.set(id, user);
      homes.set(user, id);
      emit({ kind: 'home', user, view: clone(view) });
      return { view: clone(view) };
    },
  };

  // ---- request handling ----

  const takeFailure = (method: string): Failure | undefined => {
    const rule = failRules.find((r) => r.remaining > 0 && (!r.methods || r.methods.includes(method)));
    if (!rule) return undefined;
    rule.remaining -= 1;
    failRules = failRules.filter((r) => r.remaining > 0);
    return rule.failure;
  };

  const failureReply = (failure: Failure): ApiReply => {
    if ('error' in failure) return { status: 200, body: { ok: false, error: failure.error } };
    if (failure.status === 429) {
      return {
        status: 429,
        body: { ok: false, error: 'ratelimited' },
        headers: { 'retry-after': String(failure.retryAfter) },
      };
    }
    return {
      status: failure.status,
      body: { ok: false, error: failure.status === 503 ? 'service_unavailable' : 'internal_error' },
    };
  };

  const record = (call: ApiCall): void => {
    calls.push(call);
    emit({ kind: 'call', call });
  };

  const send = (res: ServerResponse, reply: ApiReply): void => {
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      ...reply.headers,
    });
    res.end(JSON.stringify(reply.body));
  };

  const tokenOf = (req: IncomingMessage, args: JsonObject): string | undefined => {
    const auth = req.headers.authorization;
    if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
    return nonEmpty(args.token);
  };

  const handleApi = (method: string, args: JsonObject, token: string | undefined): ApiReply => {
    if (down) return failureReply({ status: 503 });
    const failure = takeFailure(method);
    if (failure) return failureReply(failure);
    const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined;
    if (!handler) return { status: 200, body: { ok: false, error: 'unknown_method' } };
    if (method !== 'api.test') {
      if (!token) return { status: 200, body: { ok: false, error: 'not_authed' } };
      if (!token.startsWith('xox') || (opts.requiredToken !== undefined && token !== opts.requiredToken)) {
        return { status: 200, body: { ok: false, error: 'invalid_auth' } };
      }
    }
    try {
      return { status: 200, body: { ok: true, ...handler(args) } };
    } catch (error) {
      if (error instanceof SlackError) return { status: 200, body: { ok: false, error: error.code, ...error.extra } };
      throw error;
    }
  };

  const handleResponseUrl = (id: string, args: JsonObject): ApiReply => {
    if (down) return failureReply({ status: 503 });
    const failure = takeFailure('response_url');
    if (failure) return failureReply(failure);
    const info = responseUrls.get(id);
    if (!info) return { status: 404, body: { ok: false, error: 'expired_url' } };
    const post = applyResponse(info, args, 'post');
    responsePosts.push(post);
    if (post.error) return { status: post.status, body: { ok: false, error: post.error } };
    return { status: 200, body: { ok: true } };
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    // Only the bot, on this machine, talks to the stand-in: no browser preflights, no foreign Host (DNS rebinding).
    const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    if (req.method === 'OPTIONS' || !['127.0.0.1', 'localhost', '::1', host].includes(hostHeader)) {
      res.writeHead(403, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ ok: false, error: 'forbidden' }));
      return;
    }
    const raw = await readBody(req);
    let args: JsonObject;
    try {
      args = parseBody(raw, req.headers['content-type']);
      for (const [k, v] of url.searchParams) if (!(k in args)) args[k] = v;
      args = decodeNested(args);
    } catch (error) {
      const code = error instanceof SlackError ? error.code : 'invalid_json';
      const extra = error instanceof SlackError ? error.extra : {};
      send(res, { status: 200, body: { ok: false, error: code, ...extra } });
      return;
    }

    const apiMatch = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
    const responseMatch = /^\/response\/([^/]+)$/.exec(url.pathname);
    let reply: ApiReply;
    let call: Omit<ApiCall, 'status' | 'at' | 'ok' | 'response'>;
    if (apiMatch?.[1]) {
      const method = apiMatch[1];
      const token = tokenOf(req, args);
      reply = handleApi(method, args, token);
      call = { method, args, token };
    } else if (responseMatch?.[1] && req.method === 'POST') {
      const id = responseMatch[1];
      reply = handleResponseUrl(id, args);
      call = { method: 'response_url', args, token: undefined, responseUrlId: id };
    } else {
      send(res, { status: 404, body: { ok: false, error: 'not_found' } });
      return;
    }
    const ok = reply.body.ok === true;
    const error = typeof reply.body.error === 'string' ? reply.body.error : undefined;
    record({ ...call, status: reply.status, at: Date.now(), ok, ...(error ? { error } : {}), response: reply.body });
    send(res, reply);
  };

  const server: Server = createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: 'internal_error', detail: String(error) }));
      } else {
        res.end();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  const baseUrl = `http://${hostForUrl}:${port}/`;

  const standIn: SlackStandIn = {
    url: baseUrl,
    apiUrl: `${baseUrl}api/`,
    port,
    calls,

    messages: (channel) => clone(conversations.get(conversationId(channel)) ?? []),
    message: (channel, ts) => {
      const m = findMessage(channel, ts);
      return m ? clone(m) : undefined;
    },
    ephemerals: (user) => clone(ephemeralList.filter((e) => e.user === user)),
    responses: (idOrUrl) => {
      if (idOrUrl === undefined) return clone(responsePosts);
      const id = responseIdOf(idOrUrl);
      return clone(responsePosts.filter((p) => p.id === id));
    },
    homeOf: (user) => {
      const id = homes.get(user);
      const view = id ? views.get(id) : undefined;
      return view ? clone(view) : undefined;
    },
    viewOf: (viewId) => {
      const view = views.get(viewId);
      return view ? clone(view) : undefined;
    },
    openViews: (user) =>
      (stacks.get(user) ?? []).flatMap((id) => {
        const view = views.get(id);
        return view ? [clone(view)] : [];
      }),
    viewOwner: (viewId) => owners.get(viewId),
    viewErrors: (viewId) => {
      const errors = errorsByView.get(viewId);
      return errors ? { ...errors } : undefined;
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
    snapshot: () => ({
      channels: Object.fromEntries([...conversations].map(([id, list]) => [id, clone(list)])),
      ephemerals: clone(ephemeralList),
      homes: Object.fromEntries(
        [...homes].flatMap(([user, id]) => {
          const view = views.get(id);
          return view ? [[user, clone(view)]] : [];
        }),
      ),
      openViews: Object.fromEntries([...stacks.keys()].map((user) => [user, standIn.openViews(user)])),
      users: [...users.values()].map(clone),
      down,
    }),

    waitFor: <T>(predicate: () => T | undefined | null | false, timeoutMs = 10_000, description?: string): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        let lastError: unknown;
        let settled = false;
        const check = (): boolean => {
          if (settled) return true;
          try {
            const value = predicate();
            if (value) {
              finish();
              resolve(value);
              return true;
            }
          } catch (error) {
            lastError = error;
          }
          return false;
        };
        const finish = (): void => {
          settled = true;
          clearInterval(interval);
          clearTimeout(timer);
          pokes.delete(poke);
        };
        const poke = (): void => {
          check();
        };
        const interval = setInterval(poke, 20);
        const timer = setTimeout(() => {
          if (check()) return;
          finish();
          const what = description ?? predicate.toString().replace(/\s+/g, ' ').slice(0, 300);
          const recent = calls
            .slice(-8)
            .map((c) => `${c.method}→${c.status}${c.error ? ` ${c.error}` : ''}`)
            .join(', ');
          const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
          reject(
            new Error(
              `waitFor timed out after ${timeoutMs} ms waiting for: ${what}${cause}; recent calls: ${recent || 'none'}`,
            ),
          );
        }, timeoutMs);
        pokes.add(poke);
        check();
      }),

    onChange: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    failNext: (count, failure, methods) => {
      if (count > 0) failRules.push({ remaining: count, failure, ...(methods ? { methods: [...methods] } : {}) });
    },
    setDown: (value) => {
      down = value;
      emit({ kind: 'down', down: value });
    },

    setUser: (id, settings) => {
      const base = lookupUser(id) ?? defaultUser(id);
      const name = settings.name ?? base.name;
      const realName = settings.realName ?? (settings.name !== undefined ? settings.name : base.real_name);
      const user: SlackUser = {
        ...base,
        name,
        real_name: realName,
        is_admin: settings.isAdmin ?? base.is_admin,
        is_bot: settings.isBot ?? base.is_bot,
        deleted: settings.deleted ?? base.deleted,
        tz: settings.tz ?? base.tz,
        profile: {
          ...base.profile,
          real_name: realName,
          display_name:
            settings.displayName ?? (settings.name !== undefined ? settings.name : base.profile.display_name),
          ...(settings.email !== undefined ? { email: settings.email } : {}),
        },
      };
      users.set(id, user);
      emit({ kind: 'user', user: clone(user) });
      return clone(user);
    },
    getUser: (id) => {
      const user = lookupUser(id);
      return user ? clone(user) : undefined;
    },
    setChannel: (id, settings) => {
      channelNames.set(id, settings.name);
    },
    channelName,
    conversationId,

    newResponseUrl: (context = {}) => {
      const id = `${W.teamId}-${nextId('', 12)}`;
      const url = `${baseUrl}response/${id}`;
      responseUrls.set(id, { ...context, id, url });
      return url;
    },
    responseUrlInfo: (idOrUrl) => {
      const info = responseUrls.get(responseIdOf(idOrUrl));
      return info ? clone(info) : undefined;
    },
    newTriggerId: (user) => {
      const id = `${++counter}.${W.teamId.slice(1)}.${Math.random().toString(16).slice(2, 14).padEnd(12, '0')}`;
      triggers.set(id, { user, createdAt: Date.now(), used: false });
      return id;
    },

    deliverAck: (responseUrl, body) => {
      const info = responseUrls.get(responseIdOf(responseUrl));
      if (!info) return undefined;
      let message: JsonObject | undefined;
      if (typeof body === 'string') {
        const trimmed = body.trim();
        if (trimmed === '') return undefined;
        if (trimmed.startsWith('{')) {
          try {
            const parsed: unknown = JSON.parse(trimmed);
            if (isRecord(parsed)) message = parsed;
          } catch {
            /* plain text */
          }
        }
        message ??= { text: body };
      } else if (isRecord(body)) {
        message = body;
      }
      if (!message || Object.keys(message).length === 0) return undefined;
      const post = applyResponse(info, message, 'ack');
      responsePosts.push(post);
      return clone(post);
    },

    applyViewSubmissionResponse: (user, viewId, response) => {
      const action = isRecord(response) ? str(response.response_action) : undefined;
      const submitted = views.get(viewId);
      if (action === 'errors' && isRecord(response) && isRecord(response.errors) && submitted) {
        const errors: Record<string, string> = {};
        for (const [k, v] of Object.entries(response.errors)) errors[k] = String(v);
        errorsByView.set(viewId, errors);
        emit({ kind: 'view', action: 'errors', user, view: clone(submitted), errors });
        return;
      }
      errorsByView.delete(viewId);
      if (action === 'clear') {
        closeView(user, undefined, { all: true });
        return;
      }
      if (action === 'update' && isRecord(response) && isRecord(response.view) && submitted) {
        const view = buildView(
          response.view,
          viewId,
          { previous: submitted.previous_view_id, root: submitted.root_view_id },
          submitted,
        );
        views.set(viewId, view);
        emit({ kind: 'view', action: 'updated', user, view: clone(view) });
        return;
      }
      if (action === 'push' && isRecord(response) && isRecord(response.view)) {
        const stack = stackOf(user);
        const id = nextId('V');
        const view = buildView(response.view, id, { previous: stack.at(-1) ?? null, root: stack[0] ?? id });
        views.set(id, view);
        owners.set(id, user);
        stack.push(id);
        emit({ kind: 'view', action: 'pushed', user, view: clone(view) });
        return;
      }
      closeView(user, viewId);
    },

    setViewState: (viewId, values) => {
      const view = views.get(viewId);
      if (!view) return;
      view.state = { values: clone(values) };
      emit({ kind: 'view', action: 'state', user: owners.get(viewId) ?? '', view: clone(view) });
    },

    closeView,

    postUserMessage: (channel, user, text, threadTs) => {
      const msg: StoredMessage = {
        ts: nextTs(),
        channel,
        text,
        blocks: [],
        user,
        via: 'user',
        ...(threadTs ? { thread_ts: threadTs } : {}),
      };
      conversation(channel).push(msg);
      emit({ kind: 'message', action: 'posted', message: clone(msg) });
      return clone(msg);
    },

    reset: () => {
      conversations = new Map();
      ephemeralList = [];
      responseUrls = new Map();
      responsePosts = [];
      views = new Map();
      owners = new Map();
      errorsByView = new Map();
      stacks = new Map();
      homes = new Map();
      triggers = new Map();
      users = new Map();
      channelNames = new Map();
      calls.length = 0;
      failRules = [];
      down = false;
      emit({ kind: 'reset' });
    },

    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const poke of [...pokes]) poke();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };

  return standIn;
}
