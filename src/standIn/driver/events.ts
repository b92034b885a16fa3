/**
 * Events API callbacks (JSON, to the events URL, or as Socket Mode envelopes): any event, App Home
 * opens, DMs to the bot, URL verification, and the events a directory change makes Slack send.
 */
import type { JsonObject } from '../blocks.ts';
import type { DriverContext } from './context.ts';
import { eventCallbackPayload } from './payloads.ts';
import { overridesOf, postSigned } from './sending.ts';
import type { DeliveredChange, DriverResponse, EventOptions, RequestOverrides } from './types.ts';
import type { StoredMessage } from '../types.ts';

/** An event_callback; `app_home_opened` gets channel/tab/view filled in as Slack sends them. */
export async function sendEvent(
  ctx: DriverContext,
  opts: EventOptions,
): Promise<DriverResponse & { payload: JsonObject }> {
  const { timestamp, signature, unsigned, headers, type, ...fields } = opts;
  const now = Date.now();
  const eventTs = `${Math.floor(now / 1000)}.${String((now % 1000) * 1000).padStart(6, '0')}`;
  const event: JsonObject = { type, ...fields };
  if (type === 'app_home_opened' && typeof fields.user === 'string') {
    const user = fields.user;
    event.channel ??= ctx.standIn.conversationId(user);
    event.tab ??= 'home';
    const home = ctx.standIn.homeOf(user);
    if (home && event.view === undefined) event.view = home;
  }
  event.event_ts ??= eventTs;
  const payload = eventCallbackPayload(ctx, event, type, now, ++ctx.eventCounter);
  const overrides: RequestOverrides = {
    ...(timestamp !== undefined ? { timestamp } : {}),
    ...(signature !== undefined ? { signature } : {}),
    ...(unsigned !== undefined ? { unsigned } : {}),
    ...(headers !== undefined ? { headers } : {}),
  };
  if (ctx.socketMode) {
    const ack = await ctx.standIn.sendEnvelope('events_api', payload);
    return { status: 200, body: JSON.stringify(ack ?? null), headers: {}, ...(ack != null && { json: ack }), payload };
  }
  const response = await postSigned(ctx, ctx.eventsUrl, JSON.stringify(payload), 'application/json', overrides);
  return { ...response, payload };
}

/** Sends Slack's `event` objects one after another, each in its own callback, as Slack does. */
export async function deliverEvents(
  ctx: DriverContext,
  events: readonly JsonObject[],
): Promise<Array<DriverResponse & { payload: JsonObject }>> {
  const responses: Array<DriverResponse & { payload: JsonObject }> = [];
  for (const event of events) {
    const { type, ...fields } = event;
    responses.push(await sendEvent(ctx, { ...fields, type: String(type) }));
  }
  return responses;
}

/** A directory change made in the stand-in, then the events it made Slack send, delivered. */
export async function deliverChange<T>(
  ctx: DriverContext,
  change: { value: T; events: JsonObject[] },
): Promise<DeliveredChange<T>> {
  return { ...change, responses: await deliverEvents(ctx, change.events) };
}

export function appHomeOpened(
  ctx: DriverContext,
  user: string,
  overrides: RequestOverrides = {},
): Promise<DriverResponse & { payload: JsonObject }> {
  return sendEvent(ctx, { ...overrides, type: 'app_home_opened', user, tab: 'home' });
}

/** A user writes `text` in a DM with the bot: stored in the stand-in, then sent as a message event. */
export async function directMessage(
  ctx: DriverContext,
  opts: { user: string; text: string } & RequestOverrides,
): Promise<DriverResponse & { payload: JsonObject; message: StoredMessage }> {
  const channel = ctx.standIn.conversationId(opts.user);
  const message = ctx.standIn.postUserMessage(channel, opts.user, opts.text);
  const result = await sendEvent(ctx, {
    ...overridesOf(opts),
    type: 'message',
    user: opts.user,
    text: opts.text,
    channel,
    channel_type: 'im',
    ts: message.ts,
    event_ts: message.ts,
    team: ctx.teamId,
  });
  return { ...result, message };
}

/** Slack's check, when the events URL is set, that the app answers the challenge. */
export async function urlVerification(
  ctx: DriverContext,
  challenge = 'stand-in-challenge',
  overrides: RequestOverrides = {},
): Promise<DriverResponse> {
  const body = JSON.stringify({ token: ctx.token, challenge, type: 'url_verification' });
  return postSigned(ctx, ctx.eventsUrl, body, 'application/json', overrides);
}
