/**
 * Users of the stand-in workspace. Any well-formed user id exists (as a default user named after
 * it), so tests need not declare everyone; setUser gives one a name, email, admin flag and so on.
 */
import { emit } from './changes.ts';
import { clone, type StandInState } from './state.ts';
import type { SlackUser, UserSettings } from './types.ts';
import { STAND_IN_WORKSPACE as W, isUserId } from './workspace.ts';

function defaultUser(id: string): SlackUser {
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
}

function botUser(): SlackUser {
  return {
    ...defaultUser(W.botUserId),
    name: W.botUserName,
    real_name: 'Toolgate',
    is_bot: true,
    profile: { real_name: 'Toolgate', display_name: 'toolgate', bot_id: W.botId },
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

/** Changes what `settings` names; a new `name` also becomes the real and display name unless those are given. */
export function setUser(state: StandInState, id: string, settings: UserSettings): SlackUser {
  const base = lookupUser(state, id) ?? defaultUser(id);
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
      display_name: settings.displayName ?? (settings.name !== undefined ? settings.name : base.profile.display_name),
      ...(settings.email !== undefined ? { email: settings.email } : {}),
    },
  };
  state.users.set(id, user);
  emit(state, { kind: 'user', user: clone(user) });
  return clone(user);
}
