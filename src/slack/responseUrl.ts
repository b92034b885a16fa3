// Response URLs: Slack hands one out with each slash command and message interaction; a POST to
// it replaces or adds to the message it belongs to, for 30 minutes. The bot keeps one only to show
// a filed request in place of the button it was filed from, and only if it is Slack's.
import type { Logger } from '@slack/bolt';

/** Where Slack's response URLs live (commercial and GovSlack). */
const SLACK_HOOK_ORIGINS = new Set(['https://hooks.slack.com', 'https://hooks.slack-gov.com']);

/** How long Slack keeps a response URL working after the interaction that gave it. */
export const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;

/**
 * Whether `url` is a response URL Slack could have sent: on Slack's hooks host, or on the host
 * of SLACK_API_URL where one is set (the local stand-in). Anything else is never posted to, so a
 * forged URL cannot make the bot send requests elsewhere.
 */
export function isSlackResponseUrl(url: unknown, slackApiUrl: string | null): url is string {
  if (typeof url !== 'string' || url.length > 2000) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  if (SLACK_HOOK_ORIGINS.has(parsed.origin)) return true;
  return slackApiUrl !== null && parsed.origin === new URL(slackApiUrl).origin;
}

/** Why a POST to a response URL failed: `gone` for an answer Slack will never take (expired, unknown). */
export class ResponseUrlError extends Error {
  constructor(
    message: string,
    readonly gone: boolean,
  ) {
    super(message);
  }
}

/** POSTs a message to a response URL; throws ResponseUrlError. */
export async function postToResponseUrl(
  url: string,
  message: Record<string, unknown>,
  options: { timeoutMs?: number; logger?: Logger } = {},
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      redirect: 'error',
    });
  } catch (e) {
    throw new ResponseUrlError(`response URL: ${e instanceof Error ? e.message : String(e)}`, false);
  }
  const body = (await res.text()).slice(0, 200);
  if (res.ok) return;
  // 4xx: expired, used up, or never valid; 5xx: Slack's trouble, worth another try.
  throw new ResponseUrlError(`response URL answered HTTP ${res.status}: ${body}`, res.status < 500);
}
