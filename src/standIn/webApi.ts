/**
 * The Web API: one named function per method, dispatched from the table below. A method takes
 * the state and its decoded arguments and returns the fields of an `ok: true` answer, or throws
 * a SlackError. Methods not in the table answer `unknown_method`, as Slack does.
 */
import type { JsonObject } from './blocks.ts';
import { apiTest, authTest } from './methods/auth.ts';
import { deleteMessage, getPermalink, postEphemeral, postMessage, updateMessage } from './methods/chat.ts';
import {
  conversationHistory,
  conversationInfo,
  conversationReplies,
  openConversation,
} from './methods/conversations.ts';
import { teamProfileGet } from './methods/team.ts';
import { usergroupUsersList, usergroupsList } from './methods/usergroups.ts';
import { userInfo, userProfileGet } from './methods/users.ts';
import { openModal, publishHome, pushModal, updateView } from './methods/views.ts';
import { SlackError, errorReply, type ApiReply } from './replies.ts';
import { openConnection } from './socketMode.ts';
import type { StandInState } from './state.ts';

type WebApiMethod = (state: StandInState, args: JsonObject) => JsonObject;

const WEB_API_METHODS: Readonly<Record<string, WebApiMethod>> = {
  'api.test': apiTest,
  'auth.test': authTest,
  'chat.postMessage': postMessage,
  'chat.update': updateMessage,
  'chat.postEphemeral': postEphemeral,
  'chat.delete': deleteMessage,
  'chat.getPermalink': getPermalink,
  'conversations.open': openConversation,
  'conversations.info': conversationInfo,
  'conversations.history': conversationHistory,
  'conversations.replies': conversationReplies,
  'team.profile.get': teamProfileGet,
  'usergroups.list': usergroupsList,
  'usergroups.users.list': usergroupUsersList,
  'users.info': userInfo,
  'users.profile.get': userProfileGet,
  'views.open': openModal,
  'views.push': pushModal,
  'views.update': updateView,
  'views.publish': publishHome,
};

/**
 * Answers a Web API call as Slack does: unknown methods first, then the token (any `xox…`
 * token, or only `requiredToken` when one is set), then the method itself.
 */
export function callWebApi(state: StandInState, method: string, args: JsonObject, token: string | undefined): ApiReply {
  // Socket Mode's one method takes an app-level token, not the bot's.
  if (method === 'apps.connections.open') return answer(() => openConnection(state.socket, state.options, token));
  const run = Object.hasOwn(WEB_API_METHODS, method) ? WEB_API_METHODS[method] : undefined;
  if (!run) return { status: 200, body: { ok: false, error: 'unknown_method' } };
  if (method !== 'api.test') {
    const { requiredToken } = state.options;
    if (!token) return { status: 200, body: { ok: false, error: 'not_authed' } };
    if (!token.startsWith('xox') || (requiredToken !== undefined && token !== requiredToken)) {
      return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    }
  }
  return answer(() => run(state, args));
}

function answer(run: () => JsonObject): ApiReply {
  try {
    return { status: 200, body: { ok: true, ...run() } };
  } catch (error) {
    if (error instanceof SlackError) return errorReply(error);
    throw error;
  }
}
