/** usergroups.list and usergroups.users.list: the workspace's user groups and who is in them. */
import { bool, nonEmpty } from '../args.ts';
import type { JsonObject } from '../blocks.ts';
import { SCOPES, requireScope, usergroupJson } from '../directory.ts';
import { SlackError, invalid } from '../replies.ts';
import type { StandInState } from '../state.ts';

/** Every group (the disabled ones only with include_disabled), in no promised order. */
export function usergroupsList(state: StandInState, args: JsonObject): JsonObject {
  requireScope(state, SCOPES.usergroupsRead);
  const withDisabled = bool(args.include_disabled);
  const groups = [...state.usergroups.values()].filter((g) => withDisabled || g.date_delete === 0);
  return {
    usergroups: groups.map((g) => usergroupJson(g, bool(args.include_users), bool(args.include_count))),
  };
}

/** Members of one group, by its id (S…): a handle is not an id, and a disabled group needs include_disabled. */
export function usergroupUsersList(state: StandInState, args: JsonObject): JsonObject {
  requireScope(state, SCOPES.usergroupsRead);
  const id = nonEmpty(args.usergroup);
  if (!id) throw invalid('invalid_arguments', ['missing required field: usergroup']);
  const group = state.usergroups.get(id);
  if (!group || (group.date_delete !== 0 && !bool(args.include_disabled))) throw new SlackError('no_such_subteam');
  return { users: [...group.users] };
}
