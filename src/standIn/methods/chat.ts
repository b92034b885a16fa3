/** chat.*: the bot posting, updating and deleting messages, and posting ephemerals. */
import { nonEmpty, str } from '../args.ts';
import { asBlocks, validateBlocks, withGeneratedIds, type JsonObject, type SlackBlock } from '../blocks.ts';
import { emit } from '../changes.ts';
import { conversation, conversationId, findMessage, messageJson } from '../conversations.ts';
import { nextTs } from '../ids.ts';
import { SlackError, invalid } from '../replies.ts';
import { clone, type StandInState } from '../state.ts';
import type { StoredEphemeral, StoredMessage } from '../types.ts';
import { lookupUser } from '../users.ts';
import { STAND_IN_WORKSPACE as W } from '../workspace.ts';

/** The text and blocks of a message argument list, validated as Slack validates them. */
function contentOf(args: JsonObject): { text: string | undefined; blocks: SlackBlock[] | undefined } {
  const text = str(args.text);
  let blocks: SlackBlock[] | undefined;
  if (args.blocks !== undefined) {
    if (!Array.isArray(args.blocks)) throw invalid('invalid_blocks_format', ['blocks must be an array']);
    const problems = validateBlocks(args.blocks, 'message');
    if (problems.length > 0) throw invalid('invalid_blocks', problems);
    blocks = withGeneratedIds(asBlocks(args.blocks) ?? []);
  }
  if (text !== undefined && text.length > 40000) throw new SlackError('msg_too_long');
  return { text, blocks };
}

/** A new message needs text, blocks or attachments. */
function requireContent(args: JsonObject, text: string | undefined, blocks: SlackBlock[] | undefined): void {
  const hasAttachments = Array.isArray(args.attachments) && args.attachments.length > 0;
  if ((text === undefined || text === '') && (!blocks || blocks.length === 0) && !hasAttachments) {
    throw new SlackError('no_text');
  }
}

export function postMessage(state: StandInState, args: JsonObject): JsonObject {
  const channel = nonEmpty(args.channel);
  if (!channel) throw new SlackError('channel_not_found');
  const { text, blocks } = contentOf(args);
  requireContent(args, text, blocks);
  const threadTs = nonEmpty(args.thread_ts);
  const msg: StoredMessage = {
    ts: nextTs(state.ids),
    channel,
    text: text ?? '',
    blocks: blocks ?? [],
    user: W.botUserId,
    bot_id: W.botId,
    via: 'chat.postMessage',
    ...(threadTs ? { thread_ts: threadTs } : {}),
    ...(Array.isArray(args.attachments) ? { attachments: clone(args.attachments) } : {}),
    ...(args.metadata !== undefined ? { metadata: clone(args.metadata) } : {}),
  };
  conversation(state, channel).push(msg);
  emit(state, () => ({ kind: 'message', action: 'posted', message: clone(msg) }));
  return { channel: conversationId(channel), ts: msg.ts, message: messageJson(msg) };
}

/** chat.update changes only what it is given, and only the bot's own messages. */
export function updateMessage(state: StandInState, args: JsonObject): JsonObject {
  const channel = nonEmpty(args.channel);
  const ts = nonEmpty(args.ts);
  if (!channel) throw new SlackError('channel_not_found');
  if (!ts) throw new SlackError('message_not_found');
  const msg = findMessage(state, channel, ts);
  if (!msg) throw new SlackError('message_not_found');
  if (msg.user !== W.botUserId) throw new SlackError('cant_update_message');
  const { text, blocks } = contentOf(args);
  if (text === undefined && blocks === undefined && args.attachments === undefined) {
    throw new SlackError('no_text');
  }
  if (text !== undefined) msg.text = text;
  if (blocks !== undefined) msg.blocks = blocks;
  if (Array.isArray(args.attachments)) msg.attachments = clone(args.attachments);
  if (args.metadata !== undefined) msg.metadata = clone(args.metadata);
  msg.edited = { user: W.botUserId, ts: nextTs(state.ids) };
  emit(state, () => ({ kind: 'message', action: 'updated', message: clone(msg) }));
  return { channel: conversationId(channel), ts: msg.ts, text: msg.text, message: messageJson(msg) };
}

export function postEphemeral(state: StandInState, args: JsonObject): JsonObject {
  const channel = nonEmpty(args.channel);
  const user = nonEmpty(args.user);
  if (!channel) throw new SlackError('channel_not_found');
  if (!user || !lookupUser(state, user)) throw new SlackError('user_not_found');
  const { text, blocks } = contentOf(args);
  requireContent(args, text, blocks);
  const threadTs = nonEmpty(args.thread_ts);
  const eph: StoredEphemeral = {
    ephemeral: true,
    ts: nextTs(state.ids),
    channel,
    user,
    text: text ?? '',
    blocks: blocks ?? [],
    via: 'chat.postEphemeral',
    ...(threadTs ? { thread_ts: threadTs } : {}),
  };
  state.ephemerals.push(eph);
  emit(state, () => ({ kind: 'ephemeral', action: 'posted', ephemeral: clone(eph) }));
  return { message_ts: eph.ts };
}

export function deleteMessage(state: StandInState, args: JsonObject): JsonObject {
  const channel = nonEmpty(args.channel);
  const ts = nonEmpty(args.ts);
  if (!channel) throw new SlackError('channel_not_found');
  const list = state.conversations.get(conversationId(channel));
  const index = list?.findIndex((m) => m.ts === ts) ?? -1;
  if (!list || index < 0) throw new SlackError('message_not_found');
  const [gone] = list.splice(index, 1);
  if (gone) emit(state, () => ({ kind: 'message', action: 'deleted', message: clone(gone) }));
  return { channel: conversationId(channel), ts };
}

export function getPermalink(state: StandInState, args: JsonObject): JsonObject {
  const channel = nonEmpty(args.channel);
  const ts = nonEmpty(args.message_ts);
  if (!channel) throw new SlackError('channel_not_found');
  if (!ts || !findMessage(state, channel, ts)) throw new SlackError('message_not_found');
  const id = conversationId(channel);
  return { channel: id, permalink: `${W.url}archives/${id}/p${ts.replace('.', '')}` };
}
