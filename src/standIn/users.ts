/**
 * Users of the stand-in workspace. Any well-formed user id exists (as a default user named after
 * it), so tests need not declare everyone; setUser gives one a name, email, time zone, custom
 * profile fields, a Grid workspace and so on.
 */
import { emit } from './changes.ts';
import { clone, type StandInState } from './state.ts';
import type { FieldSettings, ProfileFieldValue, SlackUser, UserSettings } from './types.ts';
import { STAND_IN_WORKSPACE as W, isUserId } from './workspace.ts';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A time zone's two formatters, made once: building an Intl.DateTimeFormat costs far more than using one. */
const formatters = new Map<string, { label: Intl.DateTimeFormat; offset: Intl.DateTimeFormat }>();

function formattersOf(tz: string): { label: Intl.DateTimeFormat; offset: Intl.DateTimeFormat } {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = {
        label: new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'long' }),
        offset: new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }),
      };
    } catch {
      throw new Error(`the stand-in knows no time zone "${tz}" (use an IANA name such as Asia/Shanghai)`);
    }
    formatters.set(tz, f);
  }
  return f;
}

/**
 * The facts of a time zone in one UTC quarter hour. Offsets are whole quarter hours and change on
 * a quarter hour of UTC, so within one the facts cannot change: every made-up user (any user id
 * exists) would otherwise format two dates per look-up.
 */
const factsByQuarter = new Map<string, { tz_label: string; tz_offset: number }>();
const QUARTER_HOUR_MS = 15 * 60_000;

/** What Slack shows next to a time zone: its name now ("China Standard Time") and offset east of UTC in seconds. */
export function timeZoneFacts(tz: string, at = new Date()): { tz_label: string; tz_offset: number } {
  const key = `${tz}@${Math.floor(at.getTime() / QUARTER_HOUR_MS)}`;
  const known = factsByQuarter.get(key);
  if (known) return { ...known };
  const f = formattersOf(tz);
  const label = f.label.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? tz;
  const offset = f.offset.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(offset);
  const seconds = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : 0;
  const facts = { tz_label: label, tz_offset: seconds };
  if (factsByQuarter.size > 1000) factsByQuarter.clear();
  factsByQuarter.set(key, facts);
  return { ...facts };
}

/** Slack's `*_normalized` names: accents and other marks dropped. */
const normalized = (name: string): string => name.normalize('NFKD').replace(/\p{M}/gu, '');

/** A stable avatar colour per user, as Slack gives each one. */
const colorOf = (id: string): string => {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return (h & 0xffffff).toString(16).padStart(6, '0');
};

function defaultUser(id: string): SlackUser {
  const name = id.toLowerCase();
  const tz = 'Europe/Berlin';
  return {
    id,
    team_id: W.teamId,
    name,
    real_name: name,
    deleted: false,
    color: colorOf(id),
    is_bot: false,
    is_admin: false,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_app_user: false,
    is_email_confirmed: true,
    tz,
    ...timeZoneFacts(tz),
    locale: 'en-US',
    updated: nowSeconds(),
    profile: {
      title: '',
      phone: '',
      skype: '',
      real_name: name,
      real_name_normalized: name,
      display_name: name,
      display_name_normalized: name,
      first_name: '',
      last_name: '',
      team: W.teamId,
      fields: {},
    },
  };
}

function botUser(): SlackUser {
  const base = defaultUser(W.botUserId);
  return {
    ...base,
    name: W.botUserName,
    real_name: 'Toolgate',
    is_bot: true,
    profile: {
      ...base.profile,
      real_name: 'Toolgate',
      real_name_normalized: 'Toolgate',
      display_name: 'toolgate',
      display_name_normalized: 'toolgate',
      bot_id: W.botId,
    },
  };
}

/** The stored user itself (not a copy): one set with setUser, the bot, or a default user for a user id. */
export function lookupUser(state: StandInState, id: string): SlackUser | undefined {
  const known = state.users.get(id);
  if (known) return known;
  if (id === W.botUserId) return botUser();
  return isUserId(id) ? defaultUser(id) : undefined;
}

export function getUser(state: StandInState, id: string): SlackUser | undefined {
  const user = lookupUser(state, id);
  return user ? clone(user) : undefined;
}

/**
 * The custom field a setting names: its id, else its label (any case). A field the workspace
 * does not have, or a value an options list does not offer, is a mistake in the test: thrown.
 */
function applyFields(
  state: StandInState,
  current: Record<string, ProfileFieldValue>,
  settings: FieldSettings,
): Record<string, ProfileFieldValue> {
  const fields = { ...current };
  for (const [key, setting] of Object.entries(settings)) {
    const def =
      state.profileFields.find((f) => f.id === key) ??
      state.profileFields.find((f) => f.label.toLowerCase() === key.toLowerCase());
    if (!def) {
      const known = state.profileFields.map((f) => `${f.id} (${f.label})`).join(', ') || 'none: see setProfileFields';
      throw new Error(`the stand-in workspace has no profile field "${key}" (fields: ${known})`);
    }
    const value = setting === null ? '' : typeof setting === 'string' ? setting : setting.value;
    if (value === '') {
      delete fields[def.id];
      continue;
    }
    if (def.possible_values && !def.possible_values.includes(value)) {
      throw new Error(`"${value}" is not one of ${def.label}'s options (${def.possible_values.join(', ')})`);
    }
    fields[def.id] = { value, alt: typeof setting === 'string' || setting === null ? '' : setting.alt };
  }
  return fields;
}

/** The user with `settings` applied; a new `name` also becomes the real and display name unless those are given. */
function applySettings(state: StandInState, base: SlackUser, settings: UserSettings): SlackUser {
  const name = settings.name ?? base.name;
  const realName = settings.realName ?? (settings.name !== undefined ? settings.name : base.real_name);
  const displayName = settings.displayName ?? (settings.name !== undefined ? settings.name : base.profile.display_name);
  const tz = settings.tz ?? base.tz;
  const teamId = settings.teamId ?? base.team_id;
  const enterprise = settings.enterprise;
  const user: SlackUser = {
    ...base,
    team_id: teamId,
    name,
    real_name: realName,
    is_admin: settings.isAdmin ?? base.is_admin,
    is_bot: settings.isBot ?? base.is_bot,
    deleted: settings.deleted ?? base.deleted,
    tz,
    ...timeZoneFacts(tz),
    locale: settings.locale ?? base.locale,
    updated: nowSeconds(),
    ...(enterprise && {
      enterprise_user: {
        id: base.id,
        enterprise_id: enterprise.id,
        enterprise_name: enterprise.name,
        is_admin: settings.isAdmin ?? base.is_admin,
        is_owner: false,
        is_primary_owner: false,
        teams: [...enterprise.teams],
      },
    }),
    profile: {
      ...base.profile,
      real_name: realName,
      real_name_normalized: normalized(realName),
      display_name: displayName,
      display_name_normalized: normalized(displayName),
      first_name: settings.firstName ?? base.profile.first_name,
      last_name: settings.lastName ?? base.profile.last_name,
      title: settings.title ?? base.profile.title,
      phone: settings.phone ?? base.profile.phone,
      team: teamId,
      fields: settings.fields ? applyFields(state, base.profile.fields, settings.fields) : base.profile.fields,
      ...(settings.email !== undefined ? { email: settings.email } : {}),
    },
  };
  if (settings.email === '') delete user.profile.email;
  return user;
}

/** Changes what `settings` names and stores the user: a set-up step, which Slack tells the app nothing about. */
export function setUser(state: StandInState, id: string, settings: UserSettings): SlackUser {
  if (!isUserId(id)) throw new Error(`"${id}" is not a Slack user id (U… or W…)`);
  const base = lookupUser(state, id) ?? defaultUser(id);
  const user = applySettings(state, base, settings);
  state.users.set(id, user);
  emit(state, () => ({ kind: 'user', user: clone(user) }));
  return clone(user);
}
