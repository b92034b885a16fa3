import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
};

describe('configuration', () => {
  it('defaults, with no Slack at all', () => {
    expect(loadConfig({})).toMatchObject({
      slack: { kind: 'none' },
      port: 3000,
      databasePath: 'data/toolgate.db',
      registryPath: 'data/registry.yml',
      defaultRegion: 'global',
    });
  });
  it('HTTP mode with a bot token and signing secret; Socket Mode with an app token', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: 'abcdef0123456789' }).slack.kind).toBe(
      'http',
    );
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_APP_TOKEN: 'xapp-1-2' }).slack.kind).toBe('socket');
    expect(loadConfig({ SLACK_API_URL: 'http://127.0.0.1:9/api' }).slackApiUrl).toBe('http://127.0.0.1:9/api/');
  });
  it('names every missing or malformed variable at once', () => {
    expect(problems({ SLACK_SIGNING_SECRET: 'abcdef0123456789' })).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN is missing/),
    ]);
    const bad = problems({ SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_SIGNING_SECRET: 'not hex!', PORT: 'eighty' });
    expect(bad).toHaveLength(3);
    expect(bad.join('\n')).toMatch(/SLACK_BOT_TOKEN must be the Bot User OAuth Token, starting with xoxb-/);
    expect(bad.join('\n')).toMatch(/SLACK_SIGNING_SECRET must be the Signing Secret/);
    expect(bad.join('\n')).toMatch(/PORT must be/);
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1-2' })).toEqual([
      expect.stringMatching(/SLACK_SIGNING_SECRET is missing.*or set SLACK_APP_TOKEN/),
    ]);
  });
  it('QUERY_LOG_DAYS: how long /can-i-use questions are kept, 90 days unless set, checked with a clear message', () => {
    expect(loadConfig({}).queryLogDays).toBe(90);
    expect(loadConfig({ QUERY_LOG_DAYS: '30' }).queryLogDays).toBe(30);
    expect(problems({ QUERY_LOG_DAYS: 'a quarter' })).toEqual(['QUERY_LOG_DAYS must be a number of days, such as 90']);
    expect(problems({ QUERY_LOG_DAYS: '0' })).toEqual(['QUERY_LOG_DAYS must be at least 1 (day)']);
    expect(problems({ QUERY_LOG_DAYS: '7.5' })).toEqual(['QUERY_LOG_DAYS must be a whole number of days, such as 90']);
  });
  it('outbox settings: concurrency and how long delivered messages are kept, each checked with a clear message', () => {
    expect(loadConfig({})).toMatchObject({ outboxConcurrency: 4, outboxKeepDays: 30 });
    expect(loadConfig({ OUTBOX_CONCURRENCY: '8', OUTBOX_KEEP_DAYS: '7' })).toMatchObject({
      outboxConcurrency: 8,
      outboxKeepDays: 7,
    });
    expect(problems({ OUTBOX_KEEP_DAYS: 'a month' })).toEqual([
      'OUTBOX_KEEP_DAYS must be a number of days, such as 30',
    ]);
    expect(problems({ OUTBOX_KEEP_DAYS: '0' })).toEqual(['OUTBOX_KEEP_DAYS must be at least 1 (day)']);
    expect(problems({ OUTBOX_KEEP_DAYS: '1.5' })).toEqual([
      'OUTBOX_KEEP_DAYS must be a whole number of days, such as 30',
    ]);
    expect(problems({ OUTBOX_CONCURRENCY: '0' })).toEqual(['OUTBOX_CONCURRENCY must be at least 1']);
    expect(problems({ OUTBOX_CONCURRENCY: '100' })).toEqual([
      expect.stringMatching(/^OUTBOX_CONCURRENCY must be at most 16 \(Slack rate-limits posting/),
    ]);
  });
  it('treats empty variables as unset', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: '', PORT: '' })).toMatchObject({ slack: { kind: 'none' }, port: 3000 });
  });
  it('the audit key: hex or base64, at least 32 bytes; a bad one is named with its fix and never echoed', () => {
    const hex = 'a1'.repeat(32);
    expect(loadConfig({ AUDIT_KEY: hex }).auditKey).toEqual(Buffer.from(hex, 'hex'));
    expect(loadConfig({ AUDIT_KEY: Buffer.from(hex, 'hex').toString('base64') }).auditKey).toEqual(
      Buffer.from(hex, 'hex'),
    );
    expect(loadConfig({})).toMatchObject({ auditKey: null, auditKeyFile: null, auditHeadIntervalMs: 86_400_000 });
    for (const bad of ['secret-but-short', 'a1'.repeat(31), 'zz'.repeat(40) + '!']) {
      const found = problems({ AUDIT_KEY: bad });
      expect(found).toEqual([expect.stringMatching(/^AUDIT_KEY must be an audit key of at least 32 bytes/)]);
      expect(found[0]).toContain('openssl rand -hex 32');
      expect(found[0]).not.toContain(bad);
    }
  });
  it('AUDIT_KEY_FILE and AUDIT_HEAD_INTERVAL_MS', () => {
    expect(loadConfig({ AUDIT_KEY_FILE: '/run/secrets/audit.key', AUDIT_HEAD_INTERVAL_MS: '0' })).toMatchObject({
      auditKeyFile: '/run/secrets/audit.key',
      auditHeadIntervalMs: 0,
    });
    expect(problems({ AUDIT_HEAD_INTERVAL_MS: '-1' })).toEqual(['AUDIT_HEAD_INTERVAL_MS must be 0 (off) or more']);
  });

  it('USERGROUP_TTL_MINUTES: 15 by default, in whole minutes from 1 to a day', () => {
    expect(loadConfig({})).toMatchObject({ usergroupTtlMs: 15 * 60_000 });
    expect(loadConfig({ USERGROUP_TTL_MINUTES: '5' })).toMatchObject({ usergroupTtlMs: 5 * 60_000 });
    expect(problems({ USERGROUP_TTL_MINUTES: '0' })).toEqual(['USERGROUP_TTL_MINUTES must be at least 1 (minute)']);
    expect(problems({ USERGROUP_TTL_MINUTES: '2.5' })).toEqual([
      'USERGROUP_TTL_MINUTES must be a whole number of minutes, such as 15',
    ]);
    expect(problems({ USERGROUP_TTL_MINUTES: 'soon' })).toEqual([
      'USERGROUP_TTL_MINUTES must be a number of minutes, such as 15',
    ]);
  });
});
