// GET /healthz tells the truth: 503, naming the database, when the database does not answer.
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

describe('/healthz', () => {
  it('answers 200 while the database answers, 503 with "database":"down" once it does not', async () => {
    h = await startHarness({ env: { SWEEP_INTERVAL_MS: '0' } });
    const url = `http://127.0.0.1:${h.bot.port}/healthz`;
    const up = await fetch(url);
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ ok: true, database: 'up' });
    expect(await h.bot.health()).toEqual({ ok: true, database: 'up' });

    h.bot.store.db.close();
    const down = await fetch(url);
    expect(down.status).toBe(503);
    expect(down.headers.get('cache-control')).toBe('no-store');
    expect(await down.json()).toEqual({ ok: false, database: 'down' });
  });
});
