/** api.test and auth.test: who the token belongs to (always the toolgate bot). */
import type { JsonObject } from '../blocks.ts';
import type { StandInState } from '../state.ts';
import { STAND_IN_WORKSPACE as W } from '../workspace.ts';

/** api.test echoes its arguments (and, alone among methods, needs no token). */
export function apiTest(_state: StandInState, args: JsonObject): JsonObject {
  return { args };
}

export function authTest(): JsonObject {
  return {
    url: W.url,
    team: W.teamName,
    user: W.botUserName,
    team_id: W.teamId,
    user_id: W.botUserId,
    bot_id: W.botId,
    is_enterprise_install: false,
  };
}
