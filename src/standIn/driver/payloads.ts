/**
 * The bodies Slack sends to an app, field for field and in Slack's order: slash command forms,
 * block_actions, view_submission and view_closed payloads, and Events API callbacks. Minting
 * trigger ids and response URLs is left to the steps that send them, which decide the order.
 */
import { buildStateValues, type FoundElement, type JsonObject, type SlackBlock, type StateValues } from '../blocks.ts';
import type { StoredMessage, StoredView } from '../types.ts';
import { STAND_IN_WORKSPACE } from '../workspace.ts';
import type { DriverContext } from './context.ts';
import { actionEntry } from './elements.ts';
import type { BlockActionOptions, CommandOptions } from './types.ts';

/** The `user` of an interaction payload. */
export function userObject(ctx: DriverContext, user: string): JsonObject {
  const known = ctx.standIn.getUser(user);
  const name = known?.name ?? user.toLowerCase();
  return { id: user, username: name, name, team_id: ctx.teamId };
}

export function teamObject(ctx: DriverContext): JsonObject {
  return { id: ctx.teamId, domain: ctx.teamDomain };
}

/** The form fields of a slash command. */
export function commandFields(
  ctx: DriverContext,
  opts: CommandOptions,
  channelId: string,
  responseUrl: string,
  triggerId: string,
): Record<string, string> {
  const { standIn, enterprise } = ctx;
  const userName = opts.userName ?? standIn.getUser(opts.user)?.name ?? opts.user.toLowerCase();
  return {
    token: ctx.token,
    team_id: ctx.teamId,
    team_domain: ctx.teamDomain,
    ...(enterprise ? { enterprise_id: enterprise.id, enterprise_name: enterprise.name } : {}),
    channel_id: channelId,
    channel_name: opts.channelName ?? standIn.channelName(channelId),
    user_id: opts.user,
    user_name: userName,
    command: opts.command ?? '/can-i-use',
    text: opts.text ?? '',
    api_app_id: ctx.apiAppId,
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: triggerId,
  };
}

/** A block_actions payload for an element in a modal or App Home; `state` merges what the user entered. */
export function viewActionPayload(
  ctx: DriverContext,
  opts: BlockActionOptions,
  view: StoredView,
  found: FoundElement,
  triggerId: string,
): JsonObject {
  const state = buildStateValues(view.blocks, opts.values ?? {}).values;
  const merged: StateValues = { ...view.state.values, ...state };
  return {
    type: 'block_actions',
    user: userObject(ctx, opts.user),
    api_app_id: ctx.apiAppId,
    token: ctx.token,
    container: { type: 'view', view_id: view.id },
    trigger_id: triggerId,
    team: teamObject(ctx),
    enterprise: ctx.enterprise,
    is_enterprise_install: false,
    view: { ...view, state: { values: merged } },
    actions: [actionEntry(found, opts.selected)],
  };
}

/** Where a message action happened: the message, its thread, and the response URL the payload carries. */
export interface MessageLocation {
  channel: string;
  ts: string;
  threadTs: string | undefined;
  ephemeral: boolean;
  responseUrl: string;
}

/** A block_actions payload for an element in a message or ephemeral (`message` only for channel messages). */
export function messageActionPayload(
  ctx: DriverContext,
  opts: BlockActionOptions,
  where: MessageLocation,
  blocks: readonly SlackBlock[],
  found: FoundElement,
  triggerId: string,
  storedMessage: StoredMessage | undefined,
): JsonObject {
  const { standIn } = ctx;
  const channelId = standIn.conversationId(where.channel);
  const state = buildStateValues(blocks, opts.values ?? {}).values;
  const payload: JsonObject = {
    type: 'block_actions',
    user: userObject(ctx, opts.user),
    api_app_id: ctx.apiAppId,
    token: ctx.token,
    container: {
      type: 'message',
      message_ts: where.ts,
      channel_id: channelId,
      is_ephemeral: where.ephemeral,
      ...(where.threadTs ? { thread_ts: where.threadTs } : {}),
    },
    trigger_id: triggerId,
    team: teamObject(ctx),
    enterprise: ctx.enterprise,
    is_enterprise_install: false,
    channel: { id: channelId, name: standIn.channelName(channelId) },
  };
  if (storedMessage) payload.message = messageJson(ctx, standIn.message(where.channel, where.ts) ?? storedMessage);
  payload.state = { values: state };
  payload.response_url = where.responseUrl;
  payload.actions = [actionEntry(found, opts.selected)];
  return payload;
}

/** A channel message as a block_actions payload carries it. */
function messageJson(ctx: DriverContext, stored: StoredMessage): JsonObject {
  return {
    type: 'message',
    ...(stored.bot_id ? { bot_id: stored.bot_id, app_id: ctx.apiAppId } : {}),
    text: stored.text,
    user: stored.user,
    ts: stored.ts,
    team: ctx.teamId,
    ...(stored.blocks.length > 0 ? { blocks: stored.blocks } : {}),
    ...(stored.thread_ts ? { thread_ts: stored.thread_ts } : {}),
    ...(stored.edited ? { edited: stored.edited } : {}),
    ...(stored.attachments ? { attachments: stored.attachments } : {}),
    ...(stored.metadata !== undefined ? { metadata: stored.metadata } : {}),
  };
}

export function viewSubmissionPayload(
  ctx: DriverContext,
  user: string,
  view: StoredView,
  values: StateValues,
  triggerId: string,
): JsonObject {
  return {
    type: 'view_submission',
    team: teamObject(ctx),
    user: userObject(ctx, user),
    api_app_id: ctx.apiAppId,
    token: ctx.token,
    trigger_id: triggerId,
    view: { ...view, state: { values } },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: ctx.enterprise,
  };
}

export function viewClosedPayload(ctx: DriverContext, user: string, view: StoredView, isCleared: boolean): JsonObject {
  return {
    type: 'view_closed',
    team: teamObject(ctx),
    user: userObject(ctx, user),
    api_app_id: ctx.apiAppId,
    token: ctx.token,
    view,
    is_cleared: isCleared,
    is_enterprise_install: false,
    enterprise: ctx.enterprise,
  };
}

/** An Events API `event_callback` wrapping `event`; `eventNumber` makes its event id unique. */
export function eventCallbackPayload(
  ctx: DriverContext,
  event: JsonObject,
  type: string,
  now: number,
  eventNumber: number,
): JsonObject {
  const { teamId, enterprise } = ctx;
  return {
    token: ctx.token,
    team_id: teamId,
    ...(enterprise ? { enterprise_id: enterprise.id } : {}),
    api_app_id: ctx.apiAppId,
    event,
    type: 'event_callback',
    event_id: `Ev${String(eventNumber).padStart(9, '0')}${now.toString(36).toUpperCase()}`,
    event_time: Math.floor(now / 1000),
    authorizations: [
      {
        enterprise_id: enterprise?.id ?? null,
        team_id: teamId,
        user_id: STAND_IN_WORKSPACE.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(`${teamId}:${type}:${eventNumber}`).toString('base64url')}`,
  };
}
