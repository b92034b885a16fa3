/**
 * Response URLs: Slack hands one to the bot with each slash command and message interaction, and
 * the bot POSTs messages to it. A post (or a slash command's ack body, which Slack treats alike)
 * becomes an ephemeral for the user, an in_channel message, or replaces / deletes the message
 * the URL belongs to.
 */
import { randomBytes } from 'node:crypto';
import { bool, str } from './args.ts';
import { asBlocks, isRecord, validateBlocks, withGeneratedIds, type JsonObject, type SlackBlock } from './blocks.ts';
import { emit } from './changes.ts';
import { conversation, findMessage } from './conversations.ts';
import { nextId, nextTs } from './ids.ts';
import type { ApiReply } from './replies.ts';
import { clone, type StandInState } from './state.ts';
import type { ResponsePost, ResponseUrlContext, ResponseUrlInfo, StoredEphemeral, StoredMessage } from './types.ts';
import { STAND_IN_WORKSPACE as W } from './workspace.ts';

/** The id in a response URL (its last path segment); an id is returned as it is. */
export function responseIdOf(idOrUrl: string): string {
  const match = /\/response\/([^/?#]+)/.exec(idOrUrl);
  return match?.[1] ?? idOrUrl;
}

/** A fresh response URL (`${baseUrl}response/<id>`) that posts into `context`. */
export function newResponseUrl(state: StandInState, baseUrl: string, context: ResponseUrlContext = {}): string {
  // Unguessable, as Slack's are: whoever knows one can post into the conversation it belongs to.
  const id = `${W.teamId}-${nextId(state.ids, '', 12)}-${randomBytes(16).toString('hex')}`;
  const url = `${baseUrl}response/${id}`;
  state.responseUrls.set(id, { ...context, id, url });
  return url;
}

export function responseUrlInfo(state: StandInState, idOrUrl: string): ResponseUrlInfo | undefined {
  const info = state.responseUrls.get(responseIdOf(idOrUrl));
  return info ? clone(info) : undefined;
}

/** Messages sent to response URLs (all, or those of one id / URL). */
export function responsesOf(state: StandInState, idOrUrl?: string): ResponsePost[] {
  if (idOrUrl === undefined) return clone(state.responsePosts);
  const id = responseIdOf(idOrUrl);
  return clone(state.responsePosts.filter((p) => p.id === id));
}

/** A POST to a response URL: Slack answers 404 `expired_url` for a URL it never handed out. */
export function postToResponseUrl(state: StandInState, id: string, args: JsonObject): ApiReply {
  const info = state.responseUrls.get(id);
  if (!info) return { status: 404, body: { ok: false, error: 'expired_url' } };
  const post = applyResponse(state, info, args, 'post');
  state.responsePosts.push(post);
  if (post.error) return { status: post.status, body: { ok: false, error: post.error } };
  return { status: 200, body: { ok: true } };
}

/** Shows a slash command's non-empty ack body as Slack does (an ephemeral, or in_channel). */
export function deliverAck(state: StandInState, responseUrl: string, body: unknown): ResponsePost | undefined {
  const info = state.responseUrls.get(responseIdOf(responseUrl));
  if (!info) return undefined;
  const message = ackMessage(body);
  if (!message || Object.keys(message).length === 0) return undefined;
  const post = applyResponse(state, info, message, 'ack');
  state.responsePosts.push(post);
  return clone(post);
}

/** An ack body as a message: a JSON object as it is, any other non-blank text as `{ text }`. */
function ackMessage(body: unknown): JsonObject | undefined {
  let message: JsonObject | undefined;
  if (typeof body === 'string') {
    const trimmed = body.trim();
    if (trimmed === '') return undefined;
    if (trimmed.startsWith('{')) {
      try {
        const parsed: unknown = JSON.parse(trimmed);
        if (isRecord(parsed)) message = parsed;
      } catch {
        /* plain text */
      }
    }
    message ??= { text: body };
  } else if (isRecord(body)) {
    message = body;
  }
  return message;
}

/** The message a response URL acts on with replace_original / delete_original. */
type Target = { ts: string; ephemeral: boolean } | undefined;

/** What a response URL post shows (its text, its blocks with ids filled in), and whether it came as a post or an ack. */
interface ResponseContent {
  text: string | undefined;
  blocks: SlackBlock[];
  via: 'post' | 'ack';
}

function applyResponse(
  state: StandInState,
  info: ResponseUrlInfo,
  body: JsonObject,
  via: 'post' | 'ack',
): ResponsePost {
  const post: ResponsePost = { id: info.id, via, body: clone(body), at: Date.now(), status: 200, effect: 'error' };
  const channel = info.channel ?? '';
  const target: Target =
    info.messageTs !== undefined ? { ts: info.messageTs, ephemeral: info.ephemeral === true } : info.lastMessage;
  const text = str(body.text);
  const blocks = body.blocks !== undefined ? asBlocks(body.blocks) : undefined;
  if (blocks) {
    const problems = validateBlocks(blocks, 'message');
    if (problems.length > 0) {
      post.status = 400;
      post.error = 'invalid_blocks';
      return post;
    }
  }
  const content: ResponseContent = { text, blocks: blocks ? withGeneratedIds(blocks) : [], via };

  if (bool(body.delete_original)) return deleteOriginal(state, post, channel, target);
  if (bool(body.replace_original) && target) return replaceOriginal(state, post, channel, target, content);
  if ((text === undefined || text === '') && content.blocks.length === 0) {
    return { ...post, status: 400, error: 'no_text' };
  }
  const threadTs = str(body.thread_ts) ?? info.threadTs;
  if (str(body.response_type) === 'in_channel') return postInChannel(state, info, post, content, threadTs);
  return postEphemeral(state, info, post, content, threadTs);
}

function deleteOriginal(state: StandInState, post: ResponsePost, channel: string, target: Target): ResponsePost {
  if (!target) return { ...post, status: 404, error: 'message_not_found' };
  if (target.ephemeral) {
    const index = state.ephemerals.findIndex((e) => e.ts === target.ts);
    const [gone] = index >= 0 ? state.ephemerals.splice(index, 1) : [];
    if (gone) emit(state, () => ({ kind: 'ephemeral', action: 'deleted', ephemeral: clone(gone) }));
  } else {
    const list = conversation(state, channel);
    const index = list.findIndex((m) => m.ts === target.ts);
    const [gone] = index >= 0 ? list.splice(index, 1) : [];
    if (gone) emit(state, () => ({ kind: 'message', action: 'deleted', message: clone(gone) }));
  }
  return { ...post, effect: 'deleted', ts: target.ts };
}

function replaceOriginal(
  state: StandInState,
  post: ResponsePost,
  channel: string,
  target: NonNullable<Target>,
  content: ResponseContent,
): ResponsePost {
  const edited = { user: W.botUserId, ts: nextTs(state.ids) };
  if (target.ephemeral) {
    const eph = state.ephemerals.find((e) => e.ts === target.ts);
    if (!eph) return { ...post, status: 404, error: 'message_not_found' };
    eph.text = content.text ?? '';
    eph.blocks = content.blocks;
    eph.edited = edited;
    emit(state, () => ({ kind: 'ephemeral', action: 'updated', ephemeral: clone(eph) }));
  } else {
    const msg = findMessage(state, channel, target.ts);
    if (!msg) return { ...post, status: 404, error: 'message_not_found' };
    msg.text = content.text ?? '';
    msg.blocks = content.blocks;
    msg.edited = edited;
    emit(state, () => ({ kind: 'message', action: 'updated', message: clone(msg) }));
  }
  return { ...post, effect: 'replaced', ts: target.ts };
}

function postInChannel(
  state: StandInState,
  info: ResponseUrlInfo,
  post: ResponsePost,
  content: ResponseContent,
  threadTs: string | undefined,
): ResponsePost {
  const ts = nextTs(state.ids);
  const channel = info.channel ?? '';
  const msg: StoredMessage = {
    ts,
    channel,
    text: content.text ?? '',
    blocks: content.blocks,
    user: W.botUserId,
    bot_id: W.botId,
    via: content.via === 'ack' ? 'ack' : 'response_url',
    ...(threadTs ? { thread_ts: threadTs } : {}),
  };
  conversation(state, channel).push(msg);
  info.lastMessage = { ts, ephemeral: false };
  emit(state, () => ({ kind: 'message', action: 'posted', message: clone(msg) }));
  return { ...post, effect: 'in_channel', ts };
}

function postEphemeral(
  state: StandInState,
  info: ResponseUrlInfo,
  post: ResponsePost,
  content: ResponseContent,
  threadTs: string | undefined,
): ResponsePost {
  const ts = nextTs(state.ids);
  const eph: StoredEphemeral = {
    ephemeral: true,
    ts,
    channel: info.channel ?? '',
    user: info.user ?? '',
    text: content.text ?? '',
    blocks: content.blocks,
    via: content.via === 'ack' ? 'ack' : 'response_url',
    responseUrlId: info.id,
    ...(threadTs ? { thread_ts: threadTs } : {}),
  };
  state.ephemerals.push(eph);
  info.lastMessage = { ts, ephemeral: true };
  emit(state, () => ({ kind: 'ephemeral', action: 'posted', ephemeral: clone(eph) }));
  return { ...post, effect: 'ephemeral', ts };
}
