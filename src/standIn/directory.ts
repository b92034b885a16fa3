/**
 * The workspace directory beyond names: the bot token's scopes (what it may read), custom profile
 * field definitions, user groups, and the Events API events Slack sends the app when a profile or
 * a group's members change.
 *
 * Events are built here and handed back (and announced as `event` changes); the driver delivers
 * them to the bot over HTTP or Socket Mode, as Slack would.
 */
import type { JsonObject } from './blocks.ts';
import { emit } from './changes.ts';
import { nextTs } from './ids.ts';
import { SlackError } from './replies.ts';
import { clone, type StandInState } from './state.ts';
import type {
  DirectoryChange,
  ProfileFieldDefinition,
  ProfileFieldSettings,
  SlackUser,
  StoredUsergroup,
  UserSettings,
  UsergroupSettings,
} from './types.ts';
import { lookupUser, setUser } from './users.ts';
import { STAND_IN_WORKSPACE as W, isUserId } from './workspace.ts';

// ---------------------------------------------------------------- scopes

/** The scopes the directory needs, by what needs them. */
export const SCOPES = {
  usersRead: 'users:read',
  usersReadEmail: 'users:read.email',
  profileRead: 'users.profile:read',
  usergroupsRead: 'usergroups:read',
} as const;

/** Whether the bot token has `scope` (a token set up without a list has them all). */
export function hasScope(state: StandInState, scope: string): boolean {
  const granted = state.options.botTokenScopes;
  return granted === undefined || granted.includes(scope);
}

/** Slack's refusal for a token without the scope a method needs: `missing_scope`, naming it and what the token has. */
export function requireScope(state: StandInState, scope: string): void {
  if (!hasScope(state, scope)) {
    throw new SlackError('missing_scope', { needed: scope, provided: (state.options.botTokenScopes ?? []).join(',') });
  }
}

// ---------------------------------------------------------------- how users are shown

/** The user as users.info shows it: no custom field values, email only with users:read.email, locale only if asked. */
export function userInfoJson(state: StandInState, user: SlackUser, includeLocale: boolean): JsonObject {
  const out = clone(user) as unknown as JsonObject & { profile: JsonObject };
  delete out.profile.fields;
  if (!hasScope(state, SCOPES.usersReadEmail)) delete out.profile.email;
  if (!includeLocale) delete out.locale;
  return out;
}

/** The profile as users.profile.get shows it: with the custom fields (and their labels when asked). */
export function profileJson(state: StandInState, user: SlackUser, includeLabels: boolean): JsonObject {
  const profile = clone(user.profile) as unknown as JsonObject;
  if (!hasScope(state, SCOPES.usersReadEmail)) delete profile.email;
  const labels = new Map(state.profileFields.map((f) => [f.id, f.label]));
  profile.fields = Object.fromEntries(
    Object.entries(user.profile.fields).map(([id, field]) => [
      id,
      includeLabels ? { ...field, label: labels.get(id) ?? '' } : { ...field },
    ]),
  );
  return profile;
}

/**
 * The user in a user_change event. Slack does not promise custom field values there (and sends
 * no event at all when only they change), so the stand-in sends none: an app reads them with
 * users.profile.get.
 */
function userEventJson(state: StandInState, user: SlackUser): JsonObject {
  const out = clone(user) as unknown as JsonObject & { profile: JsonObject };
  out.profile.fields = null;
  if (!hasScope(state, SCOPES.usersReadEmail)) delete out.profile.email;
  return out;
}

// ---------------------------------------------------------------- events

/** The scope the app needs to be sent each event. */
const EVENT_SCOPES: Readonly<Record<string, string>> = {
  user_change: SCOPES.usersRead,
  user_profile_changed: SCOPES.usersRead,
  subteam_members_changed: SCOPES.usergroupsRead,
  subteam_updated: SCOPES.usergroupsRead,
};

/** Only the events the app subscribes to and holds the scope for reach it; each is announced as a change. */
function dispatch(state: StandInState, events: JsonObject[]): JsonObject[] {
  const subscribed = state.options.botEvents;
  const sent = events.filter((event) => {
    const type = String(event.type);
    const scope = EVENT_SCOPES[type];
    return (subscribed === undefined || subscribed.includes(type)) && (scope === undefined || hasScope(state, scope));
  });
  for (const event of sent) emit(state, () => ({ kind: 'event', event: clone(event) }));
  return sent;
}

/** Everything about a user but what Slack does not announce: custom field values and the update time. */
const announced = (user: SlackUser): string =>
  JSON.stringify({ ...user, updated: 0, profile: { ...user.profile, fields: {} } });

/**
 * A profile edit. Slack sends user_change and user_profile_changed together when anything but the
 * custom fields changes, and nothing when only custom fields do (Slack's documented behaviour).
 */
export function changeUser(state: StandInState, id: string, settings: UserSettings): DirectoryChange<SlackUser> {
  const before = lookupUser(state, id);
  const was = before ? announced(before) : '';
  const user = setUser(state, id, settings);
  if (announced(user) === was) return { value: user, events: [] };
  const eventTs = nextTs(state.ids);
  const cacheTs = Math.floor(Date.now() / 1000);
  const events = ['user_change', 'user_profile_changed'].map((type) => ({
    type,
    user: userEventJson(state, user),
    cache_ts: cacheTs,
    event_ts: eventTs,
  }));
  return { value: user, events: dispatch(state, events) };
}

// ---------------------------------------------------------------- custom profile fields

/** Replaces the workspace's custom profile fields; values people hold for fields that go are dropped. */
export function setProfileFields(
  state: StandInState,
  fields: readonly ProfileFieldSettings[],
): ProfileFieldDefinition[] {
  const defs = fields.map((f, i): ProfileFieldDefinition => {
    if (!/^Xf[A-Z0-9]+$/.test(f.id)) throw new Error(`"${f.id}" is not a profile field id (Xf…)`);
    return {
      id: f.id,
      ordering: i,
      label: f.label,
      hint: f.hint ?? '',
      type: f.type ?? (f.possibleValues ? 'options_list' : 'text'),
      possible_values: f.possibleValues ? [...f.possibleValues] : null,
      options: f.scim ? { is_scim: true, is_protected: true } : null,
      ...(f.hidden ? { is_hidden: true } : {}),
    };
  });
  state.profileFields = defs;
  const ids = new Set(defs.map((d) => d.id));
  for (const user of state.users.values()) {
    for (const fieldId of Object.keys(user.profile.fields)) if (!ids.has(fieldId)) delete user.profile.fields[fieldId];
  }
  return clone(defs);
}

// ---------------------------------------------------------------- user groups

/** A group by id, or by handle with or without its @. */
export function findUsergroup(state: StandInState, idOrHandle: string): StoredUsergroup | undefined {
  const byId = state.usergroups.get(idOrHandle);
  if (byId) return byId;
  const handle = idOrHandle.replace(/^@/, '');
  return [...state.usergroups.values()].find((g) => g.handle === handle);
}

function checkMembers(users: readonly string[]): string[] {
  for (const u of users) if (!isUserId(u)) throw new Error(`"${u}" is not a Slack user id (U… or W…)`);
  return [...new Set(users)];
}

/** Creates or changes a user group as set-up (no event). */
export function setUsergroup(state: StandInState, id: string, settings: UsergroupSettings): StoredUsergroup {
  if (!/^S[A-Z0-9]+$/.test(id)) throw new Error(`"${id}" is not a user group id (S…)`);
  const now = Math.floor(Date.now() / 1000);
  const existing = state.usergroups.get(id);
  const handle = settings.handle?.replace(/^@/, '') ?? existing?.handle ?? id.toLowerCase();
  const clash = findUsergroup(state, handle);
  if (clash && clash.id !== id) throw new Error(`the handle @${handle} is taken by ${clash.id}`);
  const users = settings.users ? checkMembers(settings.users) : (existing?.users ?? []);
  const group: StoredUsergroup = {
    id,
    team_id: W.teamId,
    is_usergroup: true,
    is_subteam: true,
    name: settings.name ?? existing?.name ?? handle,
    description: settings.description ?? existing?.description ?? '',
    handle,
    is_external: false,
    date_create: existing?.date_create ?? now,
    date_update: now,
    date_delete: settings.disabled === undefined ? (existing?.date_delete ?? 0) : settings.disabled ? now : 0,
    auto_type: null,
    auto_provision: false,
    enterprise_subteam_id: '',
    created_by: existing?.created_by ?? W.botUserId,
    updated_by: W.botUserId,
    deleted_by: null,
    prefs: { channels: [], groups: [] },
    users,
    user_count: users.length,
    channel_count: 0,
  };
  state.usergroups.set(id, group);
  emit(state, () => ({ kind: 'usergroup', usergroup: clone(group) }));
  return clone(group);
}

/**
 * Replaces a group's members, as usergroups.users.update (or the identity provider) does: Slack
 * sends subteam_members_changed with who was added and removed, and subteam_updated with the group.
 */
export function changeUsergroupMembers(
  state: StandInState,
  id: string,
  users: readonly string[],
): DirectoryChange<StoredUsergroup> {
  const group = state.usergroups.get(id);
  if (!group) throw new Error(`the stand-in has no user group ${id} (set it up with setUsergroup)`);
  const next = checkMembers(users);
  const added = next.filter((u) => !group.users.includes(u));
  const removed = group.users.filter((u) => !next.includes(u));
  if (added.length === 0 && removed.length === 0) return { value: clone(group), events: [] };
  const previousUpdate = group.date_update;
  const updated = setUsergroup(state, id, { users: next });
  const eventTs = nextTs(state.ids);
  const events: JsonObject[] = [
    {
      type: 'subteam_members_changed',
      subteam_id: id,
      team_id: updated.team_id,
      date_previous_update: previousUpdate,
      date_update: updated.date_update,
      added_users: added,
      added_users_count: added.length,
      removed_users: removed,
      removed_users_count: removed.length,
      event_ts: eventTs,
    },
    { type: 'subteam_updated', subteam: clone(updated), event_ts: eventTs },
  ];
  return { value: updated, events: dispatch(state, events) };
}

/** A group as usergroups.list shows it: members and count only when asked for. */
export function usergroupJson(group: StoredUsergroup, includeUsers: boolean, includeCount: boolean): JsonObject {
  const out = clone(group) as unknown as JsonObject;
  if (!includeUsers) delete out.users;
  if (!includeCount) delete out.user_count;
  return out;
}
