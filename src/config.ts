// The environment, read once and checked. A bad set-up stops with one message that
// names every problem and its fix: no stack trace for a typo in a token.
import { z } from 'zod';
import { decodeAuditKey, MIN_KEY_BYTES } from './auditKey.ts';
import { TOOL_ID } from './domain/types.ts';
import { ConfigError } from './errors.ts';

export type SlackMode =
  | { kind: 'http'; botToken: string; signingSecret: string }
  | { kind: 'socket'; botToken: string; appToken: string; signingSecret: string | null }
  | { kind: 'none' };

export interface Config {
  slack: SlackMode;
  slackApiUrl: string | null;
  port: number;
  host: string | null;
  databasePath: string;
  registryPath: string;
  defaultRegion: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** How often the outbox looks for due messages, and its first retry delay. */
  outboxPollMs: number;
  outboxRetryBaseMs: number;
  /** How many lanes the outbox sends to at once (each lane still in order). */
  outboxConcurrency: number;
  /** Delivered outbox messages are deleted after this many days. */
  outboxKeepDays: number;
  /** A tool whose review and facts are both older than this many days is flagged as stale. */
  reviewMaxAgeDays: number;
  /** /can-i-use questions are kept this many days for the report, then deleted by the sweep. */
  queryLogDays: number;
  /** How often the bot sweeps for expiries, reminders and escalations. 0 turns the timer off. */
  sweepIntervalMs: number;
  /** How long Socket Mode may take to connect at start before the bot gives up. */
  socketConnectTimeoutMs: number;
  /** The audit key from AUDIT_KEY; null: the key file is used. */
  auditKey: Buffer | null;
  /** AUDIT_KEY_FILE; null: audit.key beside the database. */
  auditKeyFile: string | null;
  /** How often the audit log's head is published (audit channel and log). 0 turns it off. */
  auditHeadIntervalMs: number;
  /** A Slack profile read for region rules is used this long before it is read again (events refresh it sooner). */
  profileTtlHours: number;
  /** Slack user groups' members are read again at least this often (USERGROUP_TTL_MINUTES). */
  usergroupTtlMs: number;
}

// Empty variables count as unset: `FOO= npm start` should not be a different mistake from leaving it out.
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const envSchema = z.object({
  SLACK_BOT_TOKEN: optional(
    z
      .string()
      .regex(
        /^xoxb-[\w-]+$/,
        'must be the Bot User OAuth Token, starting with xoxb- (OAuth & Permissions page of your app)',
      ),
  ),
  SLACK_SIGNING_SECRET: optional(
    z
      .string()
      .regex(/^[0-9a-f]{16,}$/i, 'must be the Signing Secret from Basic Information > App Credentials (hex digits)'),
  ),
  SLACK_APP_TOKEN: optional(
    z
      .string()
      .regex(
        /^xapp-[\w-]+$/,
        'must be an app-level token with the connections:write scope, starting with xapp- (Basic Information > App-Level Tokens)',
      ),
  ),
  SLACK_API_URL: optional(
    z
      .string()
      .url('must be a URL such as http://127.0.0.1:3001/api/')
      .transform((u) => (u.endsWith('/') ? u : `${u}/`)),
  ),
  PORT: optional(
    z.coerce
      .number({ error: 'must be a port number' })
      .int('must be a whole number')
      .min(0, 'must be 0-65535')
      .max(65535, 'must be 0-65535'),
  ),
  HOST: optional(z.string()),
  DATABASE_PATH: optional(z.string()),
  REGISTRY_PATH: optional(z.string()),
  DEFAULT_REGION: optional(z.string().regex(TOOL_ID.pattern, 'must be a region id from the registry, such as global')),
  OUTBOX_POLL_MS: optional(
    z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(10, 'must be at least 10'),
  ),
  OUTBOX_RETRY_BASE_MS: optional(
    z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(10, 'must be at least 10'),
  ),
  OUTBOX_CONCURRENCY: optional(
    z.coerce
      .number({ error: 'must be a number of messages sent at once, such as 4' })
      .int('must be a whole number, such as 4')
      .min(1, 'must be at least 1')
      .max(16, 'must be at most 16 (Slack rate-limits posting; more does not go faster)'),
  ),
  OUTBOX_KEEP_DAYS: optional(
    z.coerce
      .number({ error: 'must be a number of days, such as 30' })
      .int('must be a whole number of days, such as 30')
      .min(1, 'must be at least 1 (day)')
      .max(36_500, 'must be at most 36500 (days)'),
  ),
  REVIEW_MAX_AGE_DAYS: optional(
    z.coerce
      .number({ error: 'must be a number of days, such as 365' })
      .int('must be a whole number of days, such as 365')
      .min(1, 'must be at least 1 (day)')
      .max(36_500, 'must be at most 36500 (days)'),
  ),
  QUERY_LOG_DAYS: optional(
    z.coerce
      .number({ error: 'must be a number of days, such as 90' })
      .int('must be a whole number of days, such as 90')
      .min(1, 'must be at least 1 (day)')
      .max(36_500, 'must be at most 36500 (days)'),
  ),
  SWEEP_INTERVAL_MS: optional(
    z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(0, 'must be 0 (off) or more'),
  ),
  SOCKET_CONNECT_TIMEOUT_MS: optional(
    z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(100, 'must be at least 100'),
  ),
  AUDIT_KEY: optional(
    z.string().transform((v, ctx) => {
      const key = decodeAuditKey(v);
      if (key) return key;
      // Never the value itself in the message: it is a secret, even when malformed.
      ctx.addIssue({
        code: 'custom',
        message: `must be an audit key of at least ${MIN_KEY_BYTES} bytes, as hex (${MIN_KEY_BYTES * 2} digits) or base64: make one with \`openssl rand -hex ${MIN_KEY_BYTES}\`, or leave AUDIT_KEY unset to use the key file (AUDIT_KEY_FILE, by default audit.key beside the database)`,
      });
      return z.NEVER;
    }),
  ),
  AUDIT_KEY_FILE: optional(z.string()),
  AUDIT_HEAD_INTERVAL_MS: optional(
    z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(0, 'must be 0 (off) or more'),
  ),
  PROFILE_TTL_HOURS: optional(
    z.coerce
      .number({ error: 'must be a number of hours, such as 24' })
      .int('must be a whole number of hours, such as 24')
      .min(1, 'must be at least 1 (hour)')
      .max(8760, 'must be at most 8760 (a year)'),
  ),
  USERGROUP_TTL_MINUTES: optional(
    z.coerce
      .number({ error: 'must be a number of minutes, such as 15' })
      .int('must be a whole number of minutes, such as 15')
      .min(1, 'must be at least 1 (minute)')
      .max(1440, 'must be at most 1440 (a day): membership older than that is too old to decide by'),
  ),
  LOG_LEVEL: optional(z.enum(['debug', 'info', 'warn', 'error'], { error: 'must be one of debug, info, warn, error' })),
});

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
  // Which variables are set at all is judged on the raw values, so a malformed one is not also called missing.
  const set = (name: string) => (env[name] ?? '') !== '';
  if (set('SLACK_BOT_TOKEN') || set('SLACK_SIGNING_SECRET') || set('SLACK_APP_TOKEN')) {
    if (!set('SLACK_BOT_TOKEN'))
      problems.push(
        'SLACK_BOT_TOKEN is missing: set it to the Bot User OAuth Token (xoxb-...) from OAuth & Permissions',
      );
    if (!set('SLACK_SIGNING_SECRET') && !set('SLACK_APP_TOKEN')) {
      problems.push(
        'SLACK_SIGNING_SECRET is missing: set it (Basic Information > App Credentials) to receive requests over HTTP, or set SLACK_APP_TOKEN (xapp-...) for Socket Mode',
      );
    }
  }
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const e = parsed.data;
  let slack: SlackMode = { kind: 'none' };
  if (e.SLACK_BOT_TOKEN) {
    if (e.SLACK_APP_TOKEN) {
      slack = {
        kind: 'socket',
        botToken: e.SLACK_BOT_TOKEN,
        appToken: e.SLACK_APP_TOKEN,
        signingSecret: e.SLACK_SIGNING_SECRET ?? null,
      };
    } else if (e.SLACK_BOT_TOKEN && e.SLACK_SIGNING_SECRET) {
      slack = { kind: 'http', botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET };
    }
  }
  return {
    slack,
    slackApiUrl: e.SLACK_API_URL ?? null,
    port: e.PORT ?? 3000,
    host: e.HOST ?? null,
    databasePath: e.DATABASE_PATH ?? 'data/toolgate.db',
    registryPath: e.REGISTRY_PATH ?? 'data/registry.yml',
    defaultRegion: e.DEFAULT_REGION ?? 'global',
    logLevel: e.LOG_LEVEL ?? 'info',
    outboxPollMs: e.OUTBOX_POLL_MS ?? 1000,
    outboxRetryBaseMs: e.OUTBOX_RETRY_BASE_MS ?? 1000,
    outboxConcurrency: e.OUTBOX_CONCURRENCY ?? 4,
    outboxKeepDays: e.OUTBOX_KEEP_DAYS ?? 30,
    reviewMaxAgeDays: e.REVIEW_MAX_AGE_DAYS ?? 365,
    queryLogDays: e.QUERY_LOG_DAYS ?? 90,
    sweepIntervalMs: e.SWEEP_INTERVAL_MS ?? 60_000,
    socketConnectTimeoutMs: e.SOCKET_CONNECT_TIMEOUT_MS ?? 30_000,
    auditKey: e.AUDIT_KEY ?? null,
    auditKeyFile: e.AUDIT_KEY_FILE ?? null,
    auditHeadIntervalMs: e.AUDIT_HEAD_INTERVAL_MS ?? 86_400_000,
    profileTtlHours: e.PROFILE_TTL_HOURS ?? 24,
    usergroupTtlMs: (e.USERGROUP_TTL_MINUTES ?? 15) * 60_000,
  };
}
