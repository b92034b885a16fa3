/** users.info and users.profile.get: who someone is, as far as the token's scopes let the app see. */
import { bool, nonEmpty } from '../args.ts';
import type { JsonObject } from '../blocks.ts';
import { SCOPES, profileJson, requireScope, userInfoJson } from '../directory.ts';
import { SlackError } from '../replies.ts';
import type { StandInState } from '../state.ts';
import { lookupUser } from '../users.ts';
import { STAND_IN_WORKSPACE as W } from '../workspace.ts';

export function userInfo(state: StandInState, args: JsonObject): JsonObject {
  requireScope(state, SCOPES.usersRead);
  const id = nonEmpty(args.user);
  const user = id ? lookupUser(state, id) : undefined;
  if (!user) throw new SlackError('user_not_found');
  return { user: userInfoJson(state, user, bool(args.include_locale)) };
}

/** Without `user`, the profile of the token's own user (the bot). */
export function userProfileGet(state: StandInState, args: JsonObject): JsonObject {
  requireScope(state, SCOPES.profileRead);
  const id = nonEmpty(args.user) ?? W.botUserId;
  const user = lookupUser(state, id);
  if (!user) throw new SlackError('user_not_found');
  return { profile: profileJson(state, user, bool(args.include_labels)) };
}
