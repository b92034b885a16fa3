/**
 * The stand-in workspace's whole in-memory state, as one plain object. Every other module is a
 * set of named functions over it; reset() replaces the collections (the calls array, the
 * listeners and the id counters stay, see below).
 */
import { emit } from './changes.ts';
import type { IdCounters } from './ids.ts';
import { createSocketMode, type SocketModeState } from './socketMode.ts';
import type {
  ApiCall,
  Failure,
  ProfileFieldDefinition,
  ResponsePost,
  ResponseUrlInfo,
  SlackStandInOptions,
  SlackUser,
  StandInChange,
  StoredEphemeral,
  StoredMessage,
  StoredUsergroup,
  StoredView,
} from './types.ts';

/** A trigger id Slack handed to the bot with an interaction; it opens one modal, once. */
export interface Trigger {
  user: string;
  createdAt: number;
  used: boolean;
}

/** Set by failNext: the next `remaining` requests (to `methods`, if given) fail with `failure`. */
export interface FailRule {
  remaining: number;
  failure: Failure;
  methods?: readonly string[];
}

/** Set by setLatency / slowNext: answers (to `methods`, if given) take `ms`, after Slack has acted. */
export interface SlowRule {
  /** How many answers are still slowed; Infinity for setLatency. */
  remaining: number;
  ms: number;
  methods?: readonly string[];
}

export interface StandInState {
  readonly options: SlackStandInOptions;
  /** Non-ephemeral messages by conversation id (`D<user>` for the bot's DM with a user). */
  conversations: Map<string, StoredMessage[]>;
  ephemerals: StoredEphemeral[];
  responseUrls: Map<string, ResponseUrlInfo>;
  responsePosts: ResponsePost[];
  /** Every view ever opened, pushed or published, by view id (closed ones stay readable). */
  views: Map<string, StoredView>;
  /** The user each view belongs to. */
  owners: Map<string, string>;
  /** Errors shown in a view after a `response_action: 'errors'`. */
  errorsByView: Map<string, Record<string, string>>;
  /** Each user's modal stack, root first (view ids). */
  stacks: Map<string, string[]>;
  /** Each user's App Home view id. */
  homes: Map<string, string>;
  triggers: Map<string, Trigger>;
  /** Users set with setUser; others are made up on lookup (see users.ts). */
  users: Map<string, SlackUser>;
  /** The workspace's custom profile fields (team.profile.get), in their order. */
  profileFields: ProfileFieldDefinition[];
  /** User groups by id (S…). */
  usergroups: Map<string, StoredUsergroup>;
  channelNames: Map<string, string>;
  /** Every request answered. One array for the stand-in's life: SlackStandIn.calls hands it out live. */
  readonly calls: ApiCall[];
  failRules: FailRule[];
  /** slowNext rules, used up one answer at a time, then the setLatency rule (if any) for every answer. */
  slowRules: SlowRule[];
  latency: SlowRule | null;
  /** While down, every request answers HTTP 503. */
  down: boolean;
  readonly listeners: Set<(change: StandInChange) => void>;
  /** Pending waitFor checks, run again after every change. */
  readonly pokes: Set<() => void>;
  /** Never reset, so stale ids never alias new objects. */
  readonly ids: IdCounters;
  /** Socket Mode connections: they outlive reset(), as a connected app would. */
  readonly socket: SocketModeState;
}

export function createState(options: SlackStandInOptions): StandInState {
  return {
    options,
    ...emptyCollections(),
    calls: [],
    failRules: [],
    slowRules: [],
    latency: null,
    down: false,
    listeners: new Set(),
    pokes: new Set(),
    ids: { lastMicros: 0, counter: 0 },
    socket: createSocketMode(),
  };
}

/** What reset() replaces: everything the workspace holds, but not the calls array, listeners or ids. */
type Collections = Pick<
  StandInState,
  | 'conversations'
  | 'ephemerals'
  | 'responseUrls'
  | 'responsePosts'
  | 'views'
  | 'owners'
  | 'errorsByView'
  | 'stacks'
  | 'homes'
  | 'triggers'
  | 'users'
  | 'profileFields'
  | 'usergroups'
  | 'channelNames'
>;

function emptyCollections(): Collections {
  return {
    conversations: new Map(),
    ephemerals: [],
    responseUrls: new Map(),
    responsePosts: [],
    views: new Map(),
    owners: new Map(),
    errorsByView: new Map(),
    stacks: new Map(),
    homes: new Map(),
    triggers: new Map(),
    users: new Map(),
    profileFields: [],
    usergroups: new Map(),
    channelNames: new Map(),
  };
}

/** Clears all state, calls and failures; listeners stay subscribed and hear a `reset` change. */
export function resetState(state: StandInState): void {
  Object.assign(state, emptyCollections());
  state.calls.length = 0;
  state.failRules = [];
  state.slowRules = [];
  state.latency = null;
  state.down = false;
  emit(state, { kind: 'reset' });
}

/** Copies handed out of (or stored into) the state, so no caller shares an object with it. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}
