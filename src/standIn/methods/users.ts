/** users.info. */
import { nonEmpty } from '../args.ts';
import type { JsonObject } from '../blocks.ts';
import { SlackError } from '../replies.ts';
import { clone, type StandInState } from '../state.ts';
import { lookupUser } from '../users.ts';

export function userInfo(state: StandInState, args: JsonObject): JsonObject {
  const id = nonEmpty(args.user);
  const user = id ? lookupUser(state, id) : undefined;
  if (!user) throw new SlackError('user_not_found');
  return { user: clone(user) };
}
