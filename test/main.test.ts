import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tempDbPath } from './helpers/tmp.ts';

const start = (env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { PATH: process.env.PATH ?? '', DATABASE_PATH: tempDbPath(), ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });

describe('npm start', () => {
  it('stops with one clear message, no stack trace, when the Slack settings are incomplete or malformed', () => {
    const r = start({ SLACK_SIGNING_SECRET: '0123456789abcdef', SLACK_APP_TOKEN: 'xoxb-wrong-kind' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('toolgate cannot start');
    expect(r.stderr).toContain('SLACK_APP_TOKEN must be an app-level token');
    expect(r.stderr).toContain('SLACK_BOT_TOKEN is missing');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const missing = start({ SLACK_SIGNING_SECRET: '0123456789abcdef' });
    expect(missing.stderr).toContain('SLACK_BOT_TOKEN is missing');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});
