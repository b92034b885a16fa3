// Issue 9, item 9: another process holds the database's write lock. Answers and /healthz do not
// wait on it; a filing that cannot get the lock within Slack's deadline says "try again", changes
// nothing, and goes through once the lock is free.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST_OUTBOX, openRequestModal, REQUEST_VALUES, requestRows } from '../helpers/exceptions.ts';
import { startHarness, visibleText, type Harness } from '../helpers/harness.ts';
import { ROOT } from '../helpers/npmStart.ts';

let h: Harness;
let holder: ChildProcess | null = null;
beforeEach(async () => {
  h = await startHarness({ env: FAST_OUTBOX });
});
afterEach(async () => {
  holder?.kill('SIGKILL');
  holder = null;
  await h.stop();
});

/** A second process that takes the write lock, says so, and holds it for `ms`. */
async function holdWriteLock(ms: number): Promise<ChildProcess> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    db.prepare("INSERT INTO settings (key, value) VALUES ('lock-test', '1') ON CONFLICT (key) DO UPDATE SET value = '2'").run();
    console.log('locked');
    setTimeout(() => { db.exec('COMMIT'); console.log('released'); process.exit(0); }, ${ms});`;
  const child = spawn(process.execPath, ['-e', script, h.config.databasePath], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  while (!out.includes('locked')) await once(child.stdout as NodeJS.ReadableStream, 'data');
  return child;
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await run();
  return { value, ms: Date.now() - started };
}

describe('a write lock held by another process', () => {
  it('/healthz and /can-i-use still answer at once; a filing says try again, then goes through', async () => {
    const modal = await openRequestModal(h, 'U0BOB');
    holder = await holdWriteLock(4000);

    const health = await timed(() => fetch(`http://127.0.0.1:${h.bot.port}/healthz`));
    expect(health.value.status).toBe(200);
    expect(health.ms).toBeLessThan(500);
    const answer = await timed(() => h.slack.command({ user: 'U0BOB', text: 'cursor' }));
    expect(answer.value.body).toContain('Cursor');
    expect(answer.ms).toBeLessThan(500);

    const filing = await timed(() =>
      h.slack.viewSubmission({ user: 'U0BOB', view: modal, values: REQUEST_VALUES, applyResponse: false }),
    );
    expect(filing.ms).toBeLessThan(3000);
    expect(filing.value.json).toMatchObject({ response_action: 'push', view: { title: { text: 'Try again' } } });
    expect(visibleText((filing.value.json as { view: unknown }).view)).toContain('nothing changed');
    // While the filing waited, other people were still answered.
    expect(requestRows(h)).toEqual([]);

    await once(holder, 'exit');
    const retried = await h.slack.viewSubmission({ user: 'U0BOB', view: modal, values: REQUEST_VALUES });
    expect(retried.json).toMatchObject({ response_action: 'update', view: { title: { text: 'Request filed' } } });
    expect(requestRows(h)).toHaveLength(1);
  });
});
