/** Sending a request to the bot as Slack does: signed with the v0 scheme (or forged, stale or unsigned on request). */
import type { JsonObject } from '../blocks.ts';
import { signSlackRequest } from '../signing.ts';
import type { DriverContext } from './context.ts';
import type { DriverResponse, RequestOverrides } from './types.ts';

/** POSTs `rawBody` to `url` with Slack's headers and signature, and reads the bot's answer. */
export async function postSigned(
  ctx: DriverContext,
  url: string,
  rawBody: string,
  contentType: string,
  overrides: RequestOverrides = {},
): Promise<DriverResponse> {
  const timestamp = overrides.timestamp ?? Math.floor(Date.now() / 1000);
  const signed = signSlackRequest(ctx.signingSecret, rawBody, timestamp);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...(overrides.unsigned
      ? {}
      : {
          'x-slack-request-timestamp': signed['x-slack-request-timestamp'],
          'x-slack-signature': overrides.signature ?? signed['x-slack-signature'],
        }),
    ...overrides.headers,
  };
  const res = await fetch(url, { method: 'POST', headers, body: rawBody });
  return readResponse(res);
}

/** Interactivity payloads go form-encoded as `payload=<json>` to the interactivity URL. */
export async function sendPayload(
  ctx: DriverContext,
  payload: JsonObject,
  overrides: RequestOverrides,
): Promise<DriverResponse> {
  const rawBody = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return postSigned(ctx, ctx.interactivityUrl, rawBody, 'application/x-www-form-urlencoded', overrides);
}

/** Just the request overrides out of a step's options (which carry other fields too). */
export function overridesOf(o: RequestOverrides): RequestOverrides {
  return {
    ...(o.timestamp !== undefined ? { timestamp: o.timestamp } : {}),
    ...(o.signature !== undefined ? { signature: o.signature } : {}),
    ...(o.unsigned !== undefined ? { unsigned: o.unsigned } : {}),
    ...(o.headers !== undefined ? { headers: o.headers } : {}),
  };
}

async function readResponse(res: Response): Promise<DriverResponse> {
  const body = await res.text();
  const headers: Record<string, string> = {};
  res.headers.forEach((value, key) => {
    headers[key] = value;
  });
  let json: unknown;
  if (body.trim() !== '') {
    try {
      json = JSON.parse(body) as unknown;
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, body, headers, ...(json !== undefined ? { json } : {}) };
}
