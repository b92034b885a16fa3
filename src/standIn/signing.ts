/**
 * Slack request signing (the "v0" scheme), as Slack signs every request it sends
 * to an app: `v0=` + hex(HMAC-SHA256(signingSecret, `v0:${timestamp}:${rawBody}`)).
 *
 * Pure functions; no dependency on the bot's code.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SlackSignatureHeaders {
  'x-slack-request-timestamp': string;
  'x-slack-signature': string;
}

/** Computes the headers Slack attaches to a request with body `rawBody` sent at `timestampSeconds`. */
export function signSlackRequest(secret: string, rawBody: string, timestampSeconds: number): SlackSignatureHeaders {
  const timestamp = String(Math.trunc(timestampSeconds));
  return {
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': computeSignature(secret, timestamp, rawBody),
  };
}

function computeSignature(secret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export type SignatureCheck =
  { ok: true } | { ok: false; reason: 'missing_headers' | 'stale_timestamp' | 'bad_signature' };

/**
 * Verifies a request the way Slack's SDKs do (5 minute window by default).
 * Used by tests and by anything that wants to act as a Slack app endpoint.
 */
export function verifySlackSignature(
  secret: string,
  rawBody: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  opts: { nowSeconds?: number; toleranceSeconds?: number } = {},
): SignatureCheck {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) return { ok: false, reason: 'missing_headers' };
  const ts = Number(timestamp);
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = opts.toleranceSeconds ?? 60 * 5;
  if (!Number.isFinite(ts) || Math.abs(now - ts) > tolerance) {
    return { ok: false, reason: 'stale_timestamp' };
  }
  const expected = Buffer.from(computeSignature(secret, timestamp, rawBody));
  const actual = Buffer.from(signature);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return { ok: false, reason: 'bad_signature' };
  }
  return { ok: true };
}
