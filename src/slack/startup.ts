// Before the bot says it is ready: Slack must accept its credentials. Each way this can fail is
// said in one line, with the fix, in the style of the configuration check (SlackStartupError).
// Slack being unreachable is retried a few times with backoff before giving up.
import { LogLevel, webApi, type Logger } from '@slack/bolt';
import { SlackStartupError } from '../errors.ts';

/** Who the bot is in its workspace: given to Bolt, so it does not ask auth.test again on its own. */
export interface BotIdentity {
  botUserId: string;
  botId: string;
  teamId: string | null;
}

export interface StartupCheckOptions {
  slackApiUrl: string | null;
  /** How many times to ask an unreachable Slack in all. */
  attempts?: number;
  /** The first wait between attempts; doubles each time. */
  baseDelayMs?: number;
}

const DEFAULT_API_URL = 'https://slack.com/api/';

/** A Web API client's logger that says nothing: the caller says what went wrong itself, in one message. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

const checkClient = (token: string, options: StartupCheckOptions) =>
  new webApi.WebClient(token, {
    ...(options.slackApiUrl && { slackApiUrl: options.slackApiUrl }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    logger: silentLogger,
  });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The underlying reason of a failed request: ECONNREFUSED, ENOTFOUND, a timeout. */
function requestProblem(e: webApi.WebAPIRequestError): string {
  let cause: unknown = e.original;
  for (let depth = 0; depth < 4 && cause instanceof Error; depth++) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    if (!(cause.cause instanceof Error)) return cause.message;
    cause = cause.cause;
  }
  return e.message;
}

type Attempt<T> = { ok: true; value: T } | { ok: false; retry: boolean; error: unknown };

/**
 * Calls Slack, retrying only what may clear by itself (unreachable, 5xx, rate limited), then turns
 * the last failure into the sentence `explain` gives for Slack's answer, or "unreachable".
 */
async function withRetries<T>(
  call: () => Promise<T>,
  explain: (code: string) => string,
  options: StartupCheckOptions,
): Promise<T> {
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 500;
  const apiUrl = options.slackApiUrl ?? DEFAULT_API_URL;
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    const result: Attempt<T> = await call().then(
      (value): Attempt<T> => ({ ok: true, value }),
      (error: unknown): Attempt<T> => ({
        ok: false,
        error,
        retry:
          error instanceof webApi.WebAPIRequestError ||
          error instanceof webApi.WebAPIRateLimitedError ||
          (error instanceof webApi.WebAPIHTTPError && error.statusCode >= 500),
      }),
    );
    if (result.ok) return result.value;
    last = result.error;
    if (!result.retry) break;
    if (i < attempts - 1) {
      const wait = last instanceof webApi.WebAPIRateLimitedError ? last.retryAfter * 1000 : base * 2 ** i;
      await sleep(wait);
    }
  }
  const where = `SLACK_API_URL is ${apiUrl}`;
  if (last instanceof webApi.WebAPIPlatformError) throw new SlackStartupError([explain(last.data.error)]);
  if (last instanceof webApi.WebAPIRequestError) {
    throw new SlackStartupError([
      `Slack is unreachable at ${apiUrl} (${requestProblem(last)}, ${attempts} tries): check the network and proxy, or ${
        options.slackApiUrl ? 'SLACK_API_URL' : 'set SLACK_API_URL if Slack is reached through another address'
      }, then start again`,
    ]);
  }
  if (last instanceof webApi.WebAPIHTTPError) {
    throw new SlackStartupError([
      last.statusCode >= 500
        ? `Slack answered HTTP ${last.statusCode} at ${apiUrl} ${attempts} times: it may be down (https://slack-status.com); start again later`
        : `${apiUrl} answered HTTP ${last.statusCode}: it is not the Slack Web API (${where}); unset SLACK_API_URL or point it at the Web API`,
    ]);
  }
  if (last instanceof webApi.WebAPIRateLimitedError) {
    throw new SlackStartupError([
      `Slack kept rate-limiting the start-up check (${attempts} tries): start again in a minute`,
    ]);
  }
  throw last;
}

/** What Slack's answer to auth.test means for SLACK_BOT_TOKEN, and how to fix it. */
export function botTokenProblem(code: string): string {
  switch (code) {
    case 'invalid_auth':
      return "SLACK_BOT_TOKEN was refused by Slack (invalid_auth): it is not a valid token. Copy the Bot User OAuth Token (xoxb-...) from your app's OAuth & Permissions page and set it again";
    case 'token_revoked':
      return 'SLACK_BOT_TOKEN has been revoked (token_revoked), e.g. the app was uninstalled: reinstall it (OAuth & Permissions > Reinstall to Workspace) and set the new Bot User OAuth Token';
    case 'token_expired':
      return 'SLACK_BOT_TOKEN has expired (token_expired): toolgate needs a token that does not rotate; turn token rotation off (OAuth & Permissions), reinstall the app and set the new token';
    case 'account_inactive':
      return 'SLACK_BOT_TOKEN belongs to a deactivated bot or workspace (account_inactive): reinstall the app and set the new Bot User OAuth Token';
    case 'not_allowed_token_type':
      return 'SLACK_BOT_TOKEN is not a bot token (not_allowed_token_type): use the Bot User OAuth Token (xoxb-...) from OAuth & Permissions';
    case 'team_disabled':
      return 'the workspace of SLACK_BOT_TOKEN is disabled (team_disabled)';
    default:
      return `Slack refused SLACK_BOT_TOKEN (${code}): check the Bot User OAuth Token on your app's OAuth & Permissions page`;
  }
}

/** What Slack's answer to apps.connections.open means for SLACK_APP_TOKEN, and how to fix it. */
export function appTokenProblem(code: string): string {
  const make =
    'generate an app-level token with the connections:write scope (Basic Information > App-Level Tokens) and set SLACK_APP_TOKEN to it';
  switch (code) {
    case 'invalid_auth':
    case 'not_authed':
      return `SLACK_APP_TOKEN was refused by Slack (${code}): it is not a valid app-level token; ${make}`;
    case 'token_revoked':
      return `SLACK_APP_TOKEN has been revoked (token_revoked): ${make}`;
    case 'missing_scope':
    case 'not_allowed_token_type':
      return `SLACK_APP_TOKEN cannot open Socket Mode connections (${code}): it lacks the connections:write scope; ${make}`;
    case 'socket_mode_not_enabled':
      return 'Socket Mode is off for this app (socket_mode_not_enabled): turn it on (Settings > Socket Mode), or unset SLACK_APP_TOKEN and use HTTP mode';
    default:
      return `Slack refused SLACK_APP_TOKEN (${code}): ${make}`;
  }
}

/** auth.test with the bot token: who the bot is, or why Slack will not have it. */
export async function checkBotToken(botToken: string, options: StartupCheckOptions): Promise<BotIdentity> {
  const client = checkClient(botToken, options);
  const result = await withRetries(() => client.auth.test(), botTokenProblem, options);
  if (!result.bot_id || !result.user_id) {
    throw new SlackStartupError([
      'SLACK_BOT_TOKEN is not a bot token (auth.test names no bot): use the Bot User OAuth Token (xoxb-...) from OAuth & Permissions',
    ]);
  }
  return { botUserId: result.user_id, botId: result.bot_id, teamId: result.team_id ?? null };
}

/** apps.connections.open with the app token: whether it may open Socket Mode connections. */
export async function checkAppToken(appToken: string, options: StartupCheckOptions): Promise<void> {
  const client = checkClient(appToken, options);
  await withRetries(() => client.apps.connections.open(), appTokenProblem, options);
}
