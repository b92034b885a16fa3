/** conversations.*: opening DMs, describing a conversation, and reading its history and threads. */
import { bool, nonEmpty, str } from '../args.ts';
import type { JsonObject } from '../blocks.ts';
import { channelName, conversationId, messageJson } from '../conversations.ts';
import { SlackError } from '../replies.ts';
import type { StandInState } from '../state.ts';
import type { StoredMessage } from '../types.ts';
import { lookupUser } from '../users.ts';
import { isUserId } from '../workspace.ts';

/** A DM for one user (`D<user>`), a group DM for several, or the channel given. */
export function openConversation(state: StandInState, args: JsonObject): JsonObject {
  const channel = nonEmpty(args.channel);
  if (channel) return { channel: { id: channel } };
  const raw = args.users;
  const ids = (Array.isArray(raw) ? raw.map(String) : (str(raw) ?? '').split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (ids.length === 0) throw new SlackError('users_list_not_supplied');
  for (const id of ids) if (!lookupUser(state, id)) throw new SlackError('user_not_found');
  if (ids.length === 1) {
    const user = ids[0] ?? '';
    return { channel: { id: conversationId(user), is_im: true, user } };
  }
  return { channel: { id: `G${[...ids].sort().join('')}`, is_mpim: true } };
}

export function conversationInfo(state: StandInState, args: JsonObject): JsonObject {
  const channel = nonEmpty(args.channel);
  if (!channel) throw new SlackError('channel_not_found');
  const id = conversationId(channel);
  const isIm = id.startsWith('D');
  return {
    channel: {
      id,
      name: channelName(state, id),
      is_im: isIm,
      is_channel: id.startsWith('C'),
      is_private: !id.startsWith('C'),
      ...(isIm ? { user: id.slice(1) } : {}),
    },
  };
}

/** Messages as conversations.history and .replies list them: metadata only when asked for (include_all_metadata). */
function listed(messages: readonly StoredMessage[], args: JsonObject): JsonObject[] {
  const withMetadata = bool(args.include_all_metadata);
  return messages.map((m) => {
    const json = messageJson(m);
    if (!withMetadata) delete json.metadata;
    return json;
  });
}

/** Top-level messages (and thread parents), newest first, as Slack lists them. */
export function conversationHistory(state: StandInState, args: JsonObject): JsonObject {
  const channel = nonEmpty(args.channel);
  // A conversation id: unlike chat.postMessage, reading takes a DM's own id (conversations.open), not the user's.
  if (!channel || isUserId(channel)) throw new SlackError('channel_not_found');
  const list = state.conversations.get(conversationId(channel)) ?? [];
  const top = list.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
  return { messages: listed([...top].reverse(), args), has_more: false };
}

/** A thread: its parent first, then the replies in order. */
export function conversationReplies(state: StandInState, args: JsonObject): JsonObject {
  const channel = nonEmpty(args.channel);
  const ts = nonEmpty(args.ts);
  if (!channel || isUserId(channel)) throw new SlackError('channel_not_found');
  const list = state.conversations.get(conversationId(channel)) ?? [];
  const parent = list.find((m) => m.ts === ts);
  if (!parent) throw new SlackError('thread_not_found');
  const replies = list.filter((m) => m.thread_ts === ts && m.ts !== ts);
  return { messages: listed([parent, ...replies], args), has_more: false };
}
