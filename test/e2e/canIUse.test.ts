import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, visibleText, type Harness } from '../helpers/harness.ts';

interface AckBody {
  response_type?: string;
  text?: string;
  blocks?: Array<{
    type: string;
    elements?: Array<{ type: string; action_id: string; text: { text: string }; value?: string }>;
  }>;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

async function ask(text: string, user = 'U0BOB'): Promise<AckBody & { shown: string; responseUrl: string }> {
  const res = await h.slack.command({ user, text });
  expect(res.status).toBe(200);
  const body = res.json as AckBody;
  return { ...body, shown: visibleText(body.blocks), responseUrl: res.responseUrl };
}

const buttons = (body: AckBody) => (body.blocks ?? []).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));

describe('/can-i-use over HTTP, signed as Slack signs it', () => {
  it('answers ephemerally with status, risk, reason, conditions, alternatives, policy and review date', async () => {
    const a = await ask('claude code');
    expect(a.response_type).toBe('ephemeral');
    expect(a.text).toBe('Claude Code: Exception required');
    for (const part of [
      'Claude Code',
      'Anthropic',
      'Exception required',
      'United States',
      'High risk',
      'AI coding assistant',
      'sends code and prompts',
      'Conditions',
      'Approved alternatives',
      'GitHub Copilot',
      'Policy',
      'Reviewed 2025-03-10',
    ]) {
      expect(a.shown).toContain(part);
    }
    const [exception] = buttons(a);
    expect(exception?.action_id).toBe('request_exception');
    expect(exception?.text.text.toLowerCase()).toContain('exception');
  });

  it('matches whatever way people write the name', async () => {
    for (const q of ['Claude-Code', 'claude code', 'CLAUDE CODE', 'claude cli', 'claud code']) {
      expect((await ask(q)).text, q).toBe('Claude Code: Exception required');
    }
    expect((await ask('copilto')).text).toBe('GitHub Copilot: Approved');
  });

  it('answers for the asker’s region', async () => {
    const alice = await ask('claude code', 'U0ALICE'); // listed in region cn
    expect(alice.text).toBe('Claude Code: Prohibited');
    expect(alice.shown).toContain(
      'Your region: China mainland, because you are listed in the registry (it has its own rule for this tool)',
    );
    expect(alice.shown).toContain('mainland China');
    expect(buttons(alice)).toEqual([]);
    const stranger = await ask('claude code', 'U0NOTLISTED'); // not in people: DEFAULT_REGION
    expect(stranger.text).toBe('Claude Code: Exception required');
  });

  it('an unknown tool is Not in registry, with suggestions and a review button', async () => {
    const a = await ask('claude codex pro max');
    expect(a.shown).toContain('Not in registry');
    const unknown = await ask('cursorrr ide');
    expect(unknown.shown).toContain('Not in registry');
    const review = buttons(a).find((b) => b.action_id === 'request_review');
    expect(review?.text.text.toLowerCase()).toContain('review');
    const near = await ask('curzzr');
    expect(near.shown).toContain('Did you mean *Cursor*');
  });

  it('a query matching several tools equally lists them to choose from, and choosing answers', async () => {
    const a = await ask('clau');
    expect(a.shown).toContain('Several tools match');
    const choices = buttons(a).map((b) => b.text.text);
    expect(choices).toEqual(['Claude (Anthropic)', 'Claude Code (Anthropic)', 'None of these: ask for a review']);
    const click = await h.slack.clickButton({
      user: 'U0BOB',
      inMessage: { ephemeralFrom: a.responseUrl, blocks: a.blocks as never },
      label: 'Claude Code (Anthropic)',
    });
    expect(click.status).toBe(200);
    const replaced = await h.standIn.waitFor(() =>
      h.standIn.responses(a.responseUrl).find((r) => r.via === 'post' && r.body.replace_original === true),
    );
    expect(visibleText(replaced.body.blocks)).toContain('Exception required');
  });

  it('help and list', async () => {
    for (const q of ['', 'help']) expect((await ask(q)).shown).toContain('/can-i-use list');
    const list = await ask('list');
    for (const label of ['Approved', 'Approved with conditions', 'Exception required', 'Prohibited'])
      expect(list.shown).toContain(label);
    const coding = await ask('list ai-coding-assistant');
    expect(coding.shown).toContain('Claude Code');
    expect(coding.shown).not.toContain('Dropbox');
    expect((await ask('list no-such-category')).shown).toContain('No tools in category');
  });

  it('escapes what the user typed, so nobody gets pinged', async () => {
    const a = await ask('<!channel> & <@U0BOB>');
    expect(a.shown).toContain('&lt;!channel&gt; &amp; &lt;@U0BOB&gt;');
    expect(a.shown).not.toContain('<!channel>');
  });

  it('asking for a review opens a form; submitted, it posts to the review channel and thanks the asker', async () => {
    const a = await ask('Some New <b>Tool</b>');
    const before = new Set(h.standIn.openViews('U0BOB').map((v) => v.id));
    await h.slack.clickButton({
      user: 'U0BOB',
      inMessage: { ephemeralFrom: a.responseUrl, blocks: a.blocks as never },
      actionId: 'request_review',
    });
    const form = await h.standIn.waitFor(() =>
      h.standIn.openViews('U0BOB').find((v) => v.callback_id === 'tool_review' && !before.has(v.id)),
    );
    const thanks = await h.slack.viewSubmission({
      user: 'U0BOB',
      view: form,
      values: { review_vendor: 'somenewtool.example', usage: 'Drafting release notes', data_class: 'public' },
    });
    expect(visibleText((thanks.json as { view: unknown }).view)).toContain('asked to review');
    const posted = await h.standIn.waitFor(() =>
      h.standIn.messages('C0SECURITY').find((m) => (m.text ?? '').includes('Some New')),
    );
    expect(posted.text).toContain('&lt;b&gt;Tool&lt;/b&gt;');
    expect(visibleText(posted.blocks)).toContain('Review requested: Some New &lt;b&gt;Tool&lt;/b&gt;');
    expect(visibleText(posted.blocks)).toContain('<@U0BOB>: Drafting release notes (Public data)');
    // And the asker hears by DM that it was received (waited for, so no message is still on its way).
    await h.standIn.waitFor(() =>
      h.standIn.messages('U0BOB').find((m) => m.text.startsWith('Your review request for Some New')),
    );
  });

  it('rejects a bad signature and a stale timestamp without answering', async () => {
    const before = h.standIn.calls.length;
    const forged = await h.slack.command({ user: 'U0BOB', text: 'claude code', signature: 'v0=deadbeef' });
    expect(forged.status).toBe(401);
    expect(forged.body).not.toContain('Claude');
    const stale = await h.slack.command({
      user: 'U0BOB',
      text: 'claude code',
      timestamp: Math.floor(Date.now() / 1000) - 60 * 10,
    });
    expect(stale.status).toBe(401);
    const unsigned = await h.slack.command({ user: 'U0BOB', text: 'claude code', unsigned: true });
    expect(unsigned.status).toBe(401);
    expect(h.standIn.calls.length).toBe(before);
  });

  it('GET /healthz answers 200 while the database is reachable', async () => {
    const res = await fetch(`http://127.0.0.1:${h.bot.port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, database: 'up' });
  });
});
