// Issue 9: property-based tests over everything that arrives from outside. Whatever is sent,
// signed: the bot never exits, never answers 5xx, answers within Slack's 3 seconds, stores nothing
// from invalid input, and never shows anyone else user text unescaped or with bidi controls.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRegistry } from '../../src/domain/registrySchema.ts';
import { parseRegistryYaml, readRegistryFile } from '../../src/service/registryFile.ts';
import { registryToDocument } from '../../src/domain/registrySchema.ts';
import { startHarness, visibleText, type Harness } from '../helpers/harness.ts';
import { REGISTRY_PATH } from '../helpers/tmp.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { SWEEP_INTERVAL_MS: '0', OUTBOX_POLL_MS: '50' } });
});
afterAll(async () => {
  await h.stop();
});

const RUNS = { numRuns: 60 };
const SLACK_DEADLINE_MS = 3000;
const FORM = 'application/x-www-form-urlencoded';
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;

/** Rows that only a valid action may add. */
function stateCounts() {
  const count = (table: string) =>
    (h.bot.store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { requests: count('exception_requests'), outbox: count('outbox'), audit: count('audit_log') };
}

async function send(rawBody: string, contentType: string) {
  const started = Date.now();
  const res = await h.slack.post(h.bot.eventsUrl as string, rawBody, contentType);
  return { ...res, ms: Date.now() - started };
}

const asPayload = (payload: unknown) => `payload=${encodeURIComponent(JSON.stringify(payload))}`;

/** An interactivity payload from `user`, with the fields every one carries. */
const interaction = (user: string, fields: Record<string, unknown>) =>
  asPayload({
    user: { id: user, username: 'someone', team_id: 'T0TOOLGATE' },
    team: { id: 'T0TOOLGATE', domain: 'toolgate' },
    api_app_id: 'A0TOOLGATE',
    trigger_id: h.standIn.newTriggerId(user),
    ...fields,
  });

/** Nothing filed, decided, cancelled or revoked: no request and no audit entry more than `before`. */
function expectNothingFiled(before: { requests: number; audit: number }) {
  expect(stateCounts().requests).toBe(before.requests);
  expect(stateCounts().audit).toBe(before.audit);
}

/** Text as hostile people type it: any Unicode, mrkdwn and Slack's control syntax, bidi and zero-width characters. */
const hostileText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({
    unit: fc.constantFrom(
      '<',
      '>',
      '&',
      '!',
      '@',
      '#',
      '*',
      '_',
      '~',
      '`',
      '|',
      '\u202E',
      '\u2066',
      '\u200B',
      '😀',
      '\uD83D',
      'a',
      ' ',
    ),
    maxLength: 80,
  }),
  fc.constantFrom(
    '<!channel>',
    '<!here>',
    '<@U0ADMIN1>',
    '<https://evil.example|click>',
    '*bold*',
    'null',
    '{}',
    '%00',
  ),
);

const anyJson = fc.jsonValue({ maxDepth: 4 });

function expectAnsweredInTime(res: { status: number; ms: number }) {
  expect(res.status).toBeLessThan(500);
  expect(res.ms).toBeLessThan(SLACK_DEADLINE_MS);
}

describe('whatever is sent, signed, the bot answers in time and stays up', () => {
  it('slash command text', async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, async (text) => {
        const before = stateCounts();
        const res = await send(
          new URLSearchParams({
            command: '/can-i-use',
            text,
            user_id: 'U0BOB',
            team_id: 'T0TOOLGATE',
            response_url: h.standIn.newResponseUrl(),
            trigger_id: '1.2.3',
          }).toString(),
          FORM,
        );
        expectAnsweredInTime(res);
        expect(res.status).toBe(200);
        expect(stateCounts()).toEqual(before);
        const shown = res.body;
        expect(shown).not.toMatch(BIDI);
        // What the person typed comes back escaped: Slack's control syntax never survives.
        // (The bot's own links, such as the review channel on a Prohibited answer, are the only `<` left.)
        const ownLinks = /<#C[A-Z0-9]+>|<@U[A-Z0-9]+>|<https:\/\/[^|>]+\|[^>]+>/g;
        expect(visibleText(res.json).replace(ownLinks, '')).not.toMatch(/</);
      }),
      RUNS,
    );
  });

  it('raw bodies of any shape, JSON or form', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          anyJson.map((v) => JSON.stringify(v)),
        ),
        fc.constantFrom('application/json', FORM, 'text/plain'),
        async (body, type) => {
          const before = stateCounts();
          const res = await send(body, type);
          expectAnsweredInTime(res);
          expect(stateCounts()).toEqual(before);
        },
      ),
      RUNS,
    );
  });

  it('block_actions on every toolgate button, with any value', async () => {
    const actionIds = [
      'request_exception',
      'choose_tool_0',
      'approve_stage',
      'deny_stage',
      'cancel_request',
      'revoke_exception',
      'renew_exception',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...actionIds),
        fc.oneof(
          hostileText,
          anyJson.map((v) => JSON.stringify(v)),
        ),
        fc.boolean(),
        async (actionId, value, fromView) => {
          const before = stateCounts();
          const res = await send(
            interaction('U0BOB', {
              type: 'block_actions',
              ...(fromView
                ? { container: { type: 'view', view_id: 'V0NONE' }, view: { id: 'V0NONE', type: 'home' } }
                : { container: { type: 'message_attachment' }, response_url: h.standIn.newResponseUrl() }),
              actions: [{ action_id: actionId, block_id: 'b', type: 'button', value, action_ts: '1.2' }],
            }),
            FORM,
          );
          expectAnsweredInTime(res);
          expect(res.status).toBe(200);
          // No button value, however forged, files, decides, cancels or revokes anything.
          expectNothingFiled(before);
        },
      ),
      RUNS,
    );
  });

  it('view submissions of every toolgate modal, with any private_metadata and any state', async () => {
    const callbacks = [
      'exception_request',
      'approve_stage',
      'deny_stage',
      'revoke_exception',
      'tool_review',
      'review_classify',
      'review_same_as',
      'review_reject',
    ];
    const stateValues = fc.dictionary(
      fc.constantFrom('justification', 'usage', 'data_class', 'duration', 'note', 'reason', 'x'),
      fc.dictionary(
        fc.constantFrom('value', 'other'),
        fc.oneof(
          fc.record({ type: fc.constant('plain_text_input'), value: fc.oneof(hostileText, fc.constant(null)) }),
          fc.object(),
        ),
      ),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...callbacks),
        fc.oneof(
          fc.string({ maxLength: 100 }),
          anyJson.map((v) => JSON.stringify(v)),
        ),
        stateValues,
        async (callbackId, metadata, values) => {
          const before = stateCounts();
          const res = await send(
            interaction('U0BOB', {
              type: 'view_submission',
              view: {
                id: `V0PROP${n++}`,
                hash: `1.${n}`,
                type: 'modal',
                callback_id: callbackId,
                private_metadata: metadata,
                state: { values },
              },
            }),
            FORM,
          );
          expectAnsweredInTime(res);
          expect(res.status).toBe(200);
          expectNothingFiled(before);
        },
      ),
      RUNS,
    );
  });

  it('Events API envelopes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          anyJson,
          fc.record({
            type: fc.constantFrom('app_home_opened', 'message', 'app_mention'),
            user: fc.oneof(fc.constant(null), fc.string({ maxLength: 12 }), fc.integer()),
            tab: fc.oneof(fc.constant('home'), anyJson),
          }),
        ),
        async (event) => {
          const before = stateCounts();
          const res = await send(
            JSON.stringify({
              type: 'event_callback',
              team_id: 'T0TOOLGATE',
              api_app_id: 'A0TOOLGATE',
              event,
              event_id: 'Ev0',
              event_time: 1,
            }),
            'application/json',
          );
          expectAnsweredInTime(res);
          expect(res.status).toBe(200);
          expect(stateCounts()).toEqual(before);
        },
      ),
      RUNS,
    );
  });

  it('review requests with any name reach the review channel escaped and without bidi controls', async () => {
    let n = 0;
    let posted = 0;
    await fc.assert(
      fc.asyncProperty(
        hostileText.filter((t) => /[\p{L}\p{N}]/u.test(t)),
        async (query) => {
          const user = `U0PROP${n++}`;
          const before = h.standIn.messages('C0SECURITY').length;
          // The review form, submitted with the name as typed (the button only opens it).
          const text = (value: string) => ({ value: { type: 'plain_text_input', value } });
          const res = await send(
            interaction(user, {
              type: 'view_submission',
              view: {
                id: `V0REVIEW${n}`,
                hash: `1.${n}`,
                type: 'modal',
                callback_id: 'tool_review',
                private_metadata: 'null',
                state: {
                  values: {
                    review_name: text(query.slice(0, 100)),
                    review_vendor: text(query.slice(0, 200)),
                    usage: text(query),
                    data_class: { value: { type: 'static_select', selected_option: { value: 'internal' } } },
                  },
                },
              },
            }),
            FORM,
          );
          expectAnsweredInTime(res);
          await h.bot.outbox.drain();
          posted += h.standIn.messages('C0SECURITY').length - before;
          for (const m of h.standIn.messages('C0SECURITY').slice(before)) {
            const shown = `${m.text}\n${visibleText(m.blocks)}`;
            expect(shown).not.toMatch(BIDI);
            expect(shown.replaceAll(`<@${user}>`, '')).not.toMatch(/<[!@#h]/);
          }
        },
      ),
      { numRuns: 40 },
    );
    // Names of tools already in the registry are refused as such; the rest were posted.
    expect(posted).toBeGreaterThan(0);
  });

  it('the bot is still up and answers a real question', async () => {
    const res = await h.slack.command({ user: 'U0BOB', text: 'cursor' });
    expect(res.status).toBe(200);
    expect(res.body).toContain('Cursor');
  });
});

describe('registry files', () => {
  const real = registryToDocument(readRegistryFile(REGISTRY_PATH));

  it('any YAML is taken or refused with named problems, never thrown on', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const parsed = parseRegistryYaml(text);
        if (!parsed.ok) for (const e of parsed.errors) expect(typeof e).toBe('string');
      }),
      { numRuns: 300 },
    );
  });

  it('the real registry with one field replaced by anything: valid, or refused naming a path', () => {
    const tools = real.tools as Array<Record<string, unknown>>;
    const fields = Object.keys(tools[0] ?? {});
    fc.assert(
      fc.property(fc.nat({ max: tools.length - 1 }), fc.constantFrom(...fields), anyJson, (index, field, value) => {
        const doc = structuredClone(real) as { tools: Array<Record<string, unknown>> };
        const tool = doc.tools[index];
        if (tool) tool[field] = value;
        const parsed = parseRegistry(doc);
        // Refused: every problem names where it is (the tool changed, or one that refers to it).
        if (!parsed.ok) for (const e of parsed.errors) expect(e).toMatch(/^tools\[\d+\]/);
      }),
      { numRuns: 300 },
    );
  });
});
