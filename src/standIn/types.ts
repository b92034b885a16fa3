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

/** A custom profile field's value, as users.profile.get returns it under `profile.fields[id]`. */
export interface ProfileFieldValue {
  value: string;
  alt: string;
}

/** The user as the stand-in stores it: Slack's user object, with every field (what a method shows depends on scopes). */
export interface SlackUser {
  id: string;
  team_id: string;
  name: string;
  real_name: string;
  deleted: boolean;
  color: string;
  is_bot: boolean;
  is_admin: boolean;
  is_owner: boolean;
  is_primary_owner: boolean;
  is_restricted: boolean;
  is_ultra_restricted: boolean;
  is_app_user: boolean;
  is_email_confirmed: boolean;
  /** IANA time zone; tz_label and tz_offset (seconds east of UTC) follow it. */
  tz: string;
  tz_label: string;
  tz_offset: number;
  /** users.info returns it only with include_locale. */
  locale: string;
  /** Unix seconds of the last change. */
  updated: number;
  /** On Enterprise Grid: the org and the workspaces the user belongs to. */
  enterprise_user?: {
    id: string;
    enterprise_id: string;
    enterprise_name: string;
    is_admin: boolean;
    is_owner: boolean;
    is_primary_owner: boolean;
    teams: string[];
  };
  profile: {
    title: string;
    phone: string;
    skype: string;
    real_name: string;
    real_name_normalized: string;
    display_name: string;
    display_name_normalized: string;
    first_name: string;
    last_name: string;
    /** Shown only to tokens with users:read.email. */
    email?: string;
    team: string;
    /** Custom field values by field id; users.info leaves them out, users.profile.get has them. */
    fields: Record<string, ProfileFieldValue>;
    [key: string]: unknown;
  };
}

/** Custom field values by field id or label: a string, `{ value, alt }`, or null / '' to clear the field. */
export type FieldSettings = Record<string, string | ProfileFieldValue | null>;

export interface UserSettings {
  name?: string;
  realName?: string;
  displayName?: string;
  firstName?: string;
  lastName?: string;
  title?: string;
  phone?: string;
  email?: string;
  isAdmin?: boolean;
  isBot?: boolean;
  deleted?: boolean;
  /** An IANA time zone (tz_label and tz_offset follow). */
  tz?: string;
  locale?: string;
  /** The workspace the user belongs to (default: the stand-in's). */
  teamId?: string;
  /** Enterprise Grid: the org and the user's workspaces. */
  enterprise?: { id: string; name: string; teams: string[] };
  /** Custom profile fields, by id or label (see setProfileFields); only the fields named change. */
  fields?: FieldSettings;
}

/** A custom profile field's definition, as team.profile.get lists it. */
export interface ProfileFieldDefinition {
  id: string;
  ordering: number;
  label: string;
  hint: string;
  type: 'text' | 'long_text' | 'date' | 'link' | 'options_list' | 'user' | 'tags';
  possible_values: string[] | null;
  options: { is_protected?: boolean; is_scim?: boolean } | null;
  is_hidden?: boolean;
}

export interface ProfileFieldSettings {
  /** `Xf…`, as Slack mints them. */
  id: string;
  label: string;
  hint?: string;
  type?: ProfileFieldDefinition['type'];
  possibleValues?: string[];
  /** Filled by SCIM (the identity provider), as most companies' Office and Department fields are. */
  scim?: boolean;
  hidden?: boolean;
}

/** A user group as usergroups.list returns it (with include_users and include_count). */
export interface StoredUsergroup {
  id: string;
  team_id: string;
  is_usergroup: true;
  is_subteam: true;
  name: string;
  description: string;
  handle: string;
  is_external: false;
  date_create: number;
  date_update: number;
  /** 0 while enabled; when it was disabled otherwise. */
  date_delete: number;
  auto_type: null;
  auto_provision: boolean;
  enterprise_subteam_id: string;
  created_by: string;
  updated_by: string;
  deleted_by: string | null;
  prefs: { channels: string[]; groups: string[] };
  users: string[];
  user_count: number;
  channel_count: number;
}

export interface UsergroupSettings {
  handle?: string;
  name?: string;
  description?: string;
  users?: string[];
  /** A disabled group is listed only with include_disabled. */
  disabled?: boolean;
}

/** What a change to the directory made Slack send the app: the Events API events (the `event` of each callback). */
export interface DirectoryChange<T> {
  value: T;
  /** In the order Slack sends them; only the ones the app subscribes to and has the scopes for. */
  events: JsonObject[];
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
  | { kind: 'usergroup'; usergroup: StoredUsergroup }
  /** An Events API event Slack dispatches to the app (delivered by the driver, or over Socket Mode). */
  | { kind: 'event'; event: JsonObject }
  | { kind: 'down'; down: boolean }
  | { kind: 'reset' };

export interface StandInSnapshot {
  channels: Record<string, StoredMessage[]>;
  ephemerals: StoredEphemeral[];
  homes: Record<string, StoredView>;
  openViews: Record<string, StoredView[]>;
  users: SlackUser[];
  usergroups: StoredUsergroup[];
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
  /**
   * The scopes the bot token was granted. Unset: every scope (so a method never answers
   * missing_scope, and emails are shown). Set: the directory methods and events need theirs
   * (users:read, users:read.email, users.profile:read, usergroups:read), as Slack checks them.
   */
  botTokenScopes?: readonly string[];
  /** The bot events the app subscribes to (manifest `bot_events`); unset: all. Others are never sent. */
  botEvents?: readonly string[];
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

  /** Sets up a user (no event: as if they had always been so); see changeUser for an edit Slack tells the app about. */
  setUser(id: string, settings: UserSettings): SlackUser;
  getUser(id: string): SlackUser | undefined;
  /**
   * A person (or the identity provider) edits a profile: the events Slack sends the app. Slack
   * sends user_change and user_profile_changed when a standard field changes, and nothing when
   * only custom fields do.
   */
  changeUser(id: string, settings: UserSettings): DirectoryChange<SlackUser>;
  /** The workspace's custom profile fields (team.profile.get), replacing the ones there were. */
  setProfileFields(fields: readonly ProfileFieldSettings[]): ProfileFieldDefinition[];
  profileFields(): ProfileFieldDefinition[];
  /** Sets up a user group (no event). */
  setUsergroup(id: string, settings: UsergroupSettings): StoredUsergroup;
  usergroup(idOrHandle: string): StoredUsergroup | undefined;
  /** Replaces a user group's members (as usergroups.users.update): subteam_members_changed and subteam_updated. */
  changeUsergroupMembers(id: string, users: readonly string[]): DirectoryChange<StoredUsergroup>;
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
