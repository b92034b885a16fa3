/**
 * The stand-in's public shapes: what it stores (messages, ephemerals, views, users, response URLs),
 * what it records (calls, changes), and the SlackStandIn handle tests and the playground hold.
 *
 * Re-exported by server.ts, which is where callers import them from.
 */
import type { JsonObject, SlackBlock, StateValues, TextObject } from './blocks.ts';

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
  /** Socket Mode: the app-level token apps.connections.open accepts (any `xapp-` token when unset). */
  appToken?: string;
  /** Socket Mode: the scopes of that token (default connections:write; without it, `missing_scope`). */
  appTokenScopes?: readonly string[];
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
  /** Every answer (to `methods`, if given) takes `ms` more, after the request had its effect (a post is already in the channel); 0 lifts it. */
  setLatency(ms: number, methods?: readonly string[]): void;
  /** The next `count` answers (to `methods`, if given) take `ms`, after the request had its effect: e.g. a success that comes after the bot's timeout. */
  slowNext(count: number, ms: number, methods?: readonly string[]): void;

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

  // ---- Socket Mode ----
  /** How many Socket Mode connections are open. */
  socketConnections(): number;
  /** Sends an envelope (`slash_commands`, `interactive`, `events_api`) and resolves with the app's ack payload. */
  sendEnvelope(type: string, payload: JsonObject, timeoutMs?: number): Promise<unknown>;
  /** Closes every open Socket Mode connection. */
  dropSocketConnections(): void;
  /** While refused, new Socket Mode connections are turned away. */
  refuseSocketConnections(refused: boolean): void;

  /** Clears all state, calls, failures and listeners' backlog (listeners stay subscribed). */
  reset(): void;
  close(): Promise<void>;
}
