/** Conversations: where messages are kept, how channels are named, and a message as the Web API returns it. */
import type { JsonObject } from './blocks.ts';
import { emit } from './changes.ts';
import { nextTs } from './ids.ts';
import { clone, type StandInState } from './state.ts';
import type { StoredMessage } from './types.ts';
import { STAND_IN_WORKSPACE as W, isUserId } from './workspace.ts';

/** The conversation id Slack uses: `D<userId>` for a user id (the bot's DM with them), otherwise the id itself. */
export function conversationId(channel: string): string {
  return isUserId(channel) ? `D${channel}` : channel;
}

/** The messages of a conversation, created empty on first use. */
export function conversation(state: StandInState, channel: string): StoredMessage[] {
  const key = conversationId(channel);
  let list = state.conversations.get(key);
  if (!list) {
    list = [];
    state.conversations.set(key, list);
  }
  return list;
}

export function findMessage(state: StandInState, channel: string, ts: string): StoredMessage | undefined {
  return state.conversations.get(conversationId(channel))?.find((m) => m.ts === ts);
}

/** The name set with setChannel, or the one Slack would show (`directmessage` for DMs). */
export function channelName(state: StandInState, id: string): string {
  const named = state.channelNames.get(id);
  if (named) return named;
  if (id.startsWith('D') || isUserId(id)) return 'directmessage';
  if (id === 'C0GENERAL') return 'general';
  return id.toLowerCase();
}

export function setChannel(state: StandInState, id: string, settings: { name: string }): void {
  state.channelNames.set(id, settings.name);
}

/** A stored message as chat.* and conversations.* return it. */
export function messageJson(m: StoredMessage): JsonObject {
  const out: JsonObject = {
    type: 'message',
    text: m.text,
    user: m.user,
    ts: m.ts,
    team: W.teamId,
  };
  if (m.bot_id) {
    out.bot_id = m.bot_id;
    out.app_id = W.appId;
  }
  if (m.blocks.length > 0) out.blocks = clone(m.blocks);
  if (m.attachments) out.attachments = clone(m.attachments);
  if (m.metadata !== undefined) out.metadata = clone(m.metadata);
  if (m.thread_ts) out.thread_ts = m.thread_ts;
  if (m.edited) out.edited = { ...m.edited };
  return out;
}

/** Adds a message written by a human (e.g. a DM to the bot) to a conversation. */
export function postUserMessage(
  state: StandInState,
  channel: string,
  user: string,
  text: string,
  threadTs?: string,
): StoredMessage {
  const msg: StoredMessage = {
    ts: nextTs(state.ids),
    channel,
    text,
    blocks: [],
    user,
    via: 'user',
    ...(threadTs ? { thread_ts: threadTs } : {}),
  };
  conversation(state, channel).push(msg);
  emit(state, () => ({ kind: 'message', action: 'posted', message: clone(msg) }));
  return clone(msg);
}
