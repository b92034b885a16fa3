// Issue 12: review requests for tools not in the registry, from the answer to the reviewers'
// decision, over HTTP as Slack drives it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredMessage, StoredView } from '../../src/standIn/index.ts';
import { ask, FAST_OUTBOX, newModal, openViewIds, outboxSettled } from '../helpers/exceptions.ts';
import { startHarness, visibleText, type Harness } from '../helpers/harness.ts';
import { REGISTRY_PATH, tempDir } from '../helpers/tmp.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ env: FAST_OUTBOX });
});
afterEach(async () => {
  await h.stop();
});

const REVIEW_CHANNEL = 'C0SECURITY'; // the channel of review_group: security
const buttonIds = (blocks: unknown): string[] =>
  [...JSON.stringify(blocks).matchAll(/"action_id":"([^"]+)"/g)].map((m) => m[1] ?? '');

/** `/can-i-use <query>`, then "Ask for a review" (or "None of these"): the review form. */
async function openReviewForm(user: string, query: string): Promise<StoredView> {
  const asked = await ask(h, user, query);
  const before = openViewIds(h, user);
  await h.slack.clickButton({
    user,
    inMessage: { ephemeralFrom: asked.responseUrl, blocks: asked.blocks },
    actionId: 'request_review',
  });
  return newModal(h, user, 'tool_review', before);
}

async function askForReview(user: string, query: string, values: Record<string, string> = {}) {
  const form = await openReviewForm(user, query);
  return h.slack.viewSubmission({
    user,
    view: form,
    values: {
      review_vendor: 'https://opencode.ai',
      usage: 'Refactoring our internal build scripts from the terminal',
      data_class: 'internal',
      ...values,
    },
  });
}

/** What an input block of a form opens with. */
const initialOf = (view: StoredView, blockId: string): unknown =>
  (view.blocks.find((b) => b.block_id === blockId) as { element?: { initial_value?: unknown } } | undefined)?.element
    ?.initial_value;

const reviewPosts = (): StoredMessage[] =>
  h.standIn.messages(REVIEW_CHANNEL).filter((m) => m.text.startsWith('Review request #'));

async function postShowing(text: string): Promise<StoredMessage> {
  return h.standIn.waitFor(
    () => reviewPosts().find((m) => visibleText(m.blocks).includes(text)),
    5000,
    `a review post showing ${text}`,
  );
}

const dms = (user: string, prefix: string): StoredMessage[] =>
  h.standIn.messages(user).filter((m) => m.text.startsWith(prefix));

/** The audit actions people took (not the first start's import) about one kind of subject, in order. */
const auditActions = (subjectType: string): string[] =>
  h.bot.store.db
    .prepare<[string], { action: string }>(
      "SELECT action FROM audit_log WHERE subject_type = ? AND actor GLOB 'U*' ORDER BY id",
    )
    .all(subjectType)
    .map((r) => r.action);

/** Clicks one of the reviewers' buttons on the post and returns the form it opened (or undefined after a wait). */
async function clickOnPost(user: string, post: StoredMessage, label: string, callbackId: string): Promise<StoredView> {
  const before = openViewIds(h, user);
  await h.slack.clickButton({ user, inMessage: h.standIn.message(REVIEW_CHANNEL, post.ts) ?? post, label });
  return newModal(h, user, callbackId, before);
}

/** The classify form's fields that a reviewer fills in (block ids are `tool:` and the registry file's field). */
const CLASSIFY_VALUES = {
  'tool:vendor': 'Anomaly',
  'tool:vendor_country': 'US',
  'tool:category': 'ai-coding-assistant',
  'tool:risk': 'high',
  'tool:status': 'exception_required',
  'tool:reason':
    'Open-source terminal agent that sends code and prompts to whichever model provider it is set up with.',
  'tool:conditions': 'Only with the company-approved model endpoint, on non-confidential repositories.',
  'tool:alternatives': ['github-copilot'],
  'tool:data.sends_code_externally': 'yes',
  'tool:regions.cn.status': 'prohibited',
  'tool:regions.cn.reason': 'Foreign AI services are not cleared for use in mainland China offices.',
};

describe('issue 12: a query that only loosely matches is Not in registry', () => {
  it('a real tool not in the registry, a common word and a shared start answer Not in registry with a review button', async () => {
    const opencode = await ask(h, 'U0BOB', 'opencode'); // a real tool, not in data/registry.yml
    expect(opencode.text).toBe('opencode: Not in registry');
    expect(opencode.shown).toContain('Did you mean *OpenAI Codex CLI*?');
    expect(buttonIds(opencode.blocks)).toContain('request_review');

    // "code" is a word of Claude Code, Code Llama and Gemini Code Assist: no choice between them is meant.
    const code = await ask(h, 'U0BOB', 'code');
    expect(code.shown).not.toContain('Several tools match');
    expect(code.shown).toContain('Not in registry');
    expect(code.shown).toContain('Did you mean *Claude Code*, *Code Llama*, *Gemini Code Assist*?');
    expect(buttonIds(code.blocks)).toContain('request_review');
    const coder = await ask(h, 'U0BOB', 'coder');
    expect(coder.shown).not.toContain('Several tools match');
    expect(coder.shown).toContain('Not in registry');
  });

  it('a real choice between one vendor’s tools keeps the choice, with "None of these: ask for a review"', async () => {
    const gemini = await ask(h, 'U0BOB', 'gemini');
    expect(gemini.shown).toContain('Several tools match');
    expect(gemini.shown).toContain('Gemini CLI (Google)');
    expect(gemini.shown).toContain('None of these: ask for a review');
    const before = openViewIds(h, 'U0BOB');
    await h.slack.clickButton({
      user: 'U0BOB',
      inMessage: { ephemeralFrom: gemini.responseUrl, blocks: gemini.blocks },
      label: 'None of these: ask for a review',
    });
    const form = await newModal(h, 'U0BOB', 'tool_review', before);
    expect(initialOf(form, 'review_name')).toBe('gemini');
  });
});

describe('issue 12: review requests', () => {
  it('two askers join one review request; a non-reviewer is refused; a reviewer classifies; each asker hears their region’s verdict', async () => {
    // Bob (global) asks; the form opens with the name as typed.
    const form = await openReviewForm('U0BOB', 'opencode');
    expect(initialOf(form, 'review_name')).toBe('opencode');
    const submitted = await h.slack.viewSubmission({
      user: 'U0BOB',
      view: form,
      values: { review_vendor: 'https://opencode.ai', usage: 'Refactoring build scripts', data_class: 'internal' },
    });
    expect(visibleText((submitted.json as { view: unknown }).view)).toContain('asked to review *opencode*');
    const first = await postShowing('1 person has asked');
    expect(visibleText(first.blocks)).toContain('Review requested: opencode');
    expect(visibleText(first.blocks)).toContain('<@U0BOB>: Refactoring build scripts (Internal data)');
    expect(buttonIds(first.blocks)).toEqual(['review_classify', 'review_same_as', 'review_reject']);
    await h.standIn.waitFor(() => dms('U0BOB', 'Your review request for opencode was received')[0]);

    // Alice (cn) asks about the same name, spelled otherwise: she joins; the post is updated in place.
    const joined = await askForReview('U0ALICE', 'Open-Code', { review_name: 'Open-Code', data_class: 'confidential' });
    expect(visibleText((joined.json as { view: unknown }).view)).toContain('you have joined their review request');
    const updated = await h.standIn.waitFor(() => {
      const m = h.standIn.message(REVIEW_CHANNEL, first.ts);
      return m && visibleText(m.blocks).includes('2 people have asked') ? m : undefined;
    });
    expect(visibleText(updated.blocks)).toContain('<@U0ALICE>');
    await h.standIn.waitFor(() => dms('U0ALICE', 'Your review request for opencode was received')[0]);
    // Bob asking again changes nothing: told he asked already.
    const again = await askForReview('U0BOB', 'opencode');
    expect(visibleText((again.json as { view: unknown }).view)).toContain('You have already asked');
    await outboxSettled(h);
    expect(reviewPosts()).toHaveLength(1);
    expect(dms('U0BOB', 'Your review request')).toHaveLength(1);
    expect(dms('U0ALICE', 'Your review request')).toHaveLength(1);
    expect(auditActions('tool_review')).toEqual(['tool.review_requested', 'tool.review_joined']);

    // A non-reviewer's click on Classify is refused, and opens nothing.
    const views = h.standIn.openViews('U0LEGAL1').length;
    const refused = await h.slack.clickButton({ user: 'U0LEGAL1', inMessage: updated, label: 'Classify' });
    const reply = await h.standIn.waitFor(() =>
      h.standIn.responses(refused.payload.response_url as string).find((r) => r.via === 'post'),
    );
    expect(reply.body.text).toContain('Only reviewers decide review requests');
    expect(h.standIn.openViews('U0LEGAL1')).toHaveLength(views);

    // A reviewer's Classify opens the tool form, pre-filled from the request, with the rubric's suggestion.
    const classify = await clickOnPost('U0SEC1', updated, 'Classify', 'review_classify');
    expect(initialOf(classify, 'tool:id')).toBe('opencode');
    expect(initialOf(classify, 'tool:name')).toBe('opencode');
    // Reviewed today, as the bot's clock has it (the form's date, kept when saved).
    const reviewedOn = (
      classify.blocks.find((b) => b.block_id === 'tool:reviewed') as unknown as {
        element: { initial_date: string };
      }
    ).element.initial_date;
    expect(reviewedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(visibleText(classify.blocks)).toMatch(
      /Assessment rubric\*, from the facts this form opened with: Suggested: \w+ \(score -?\d+\)/,
    );
    expect(classify.blocks.length).toBeLessThanOrEqual(100);

    // The same checks as an import, each problem under its field; nothing is added.
    const bad = await h.slack.viewSubmission({
      user: 'U0SEC1',
      view: classify,
      values: { ...CLASSIFY_VALUES, 'tool:name': 'Cursor', 'tool:vendor_country': '1X' },
    });
    const errors = (bad.json as { response_action: string; errors: Record<string, string> }).errors;
    expect(bad.json).toMatchObject({ response_action: 'errors' });
    expect(errors['tool:vendor_country']).toContain('expected a two-letter country code');
    expect(await h.bot.store.getTool('opencode')).toBeNull();

    // A decision is checked again where it is made, whatever a form carried: a non-reviewer's changes nothing.
    const reviewId = (JSON.parse(classify.private_metadata) as { reviewId: number }).reviewId;
    expect(
      await h.bot.store.decideToolReview(
        reviewId,
        'U0LEGAL1',
        { kind: 'reject', reason: 'Not mine to decide.' },
        new Date(),
      ),
    ).toEqual({ ok: false, refusal: { kind: 'not_reviewer' } });
    expect((await h.bot.store.getToolReview(reviewId))?.status).toBe('open');

    const saved = await h.slack.viewSubmission({
      user: 'U0SEC1',
      view: classify,
      values: { ...CLASSIFY_VALUES, 'tool:name': 'OpenCode', 'tool:aliases': 'open code, opencode cli' },
    });
    expect(visibleText((saved.json as { view: unknown }).view)).toContain('*OpenCode* is in the registry now');
    const tool = await h.bot.store.getTool('opencode');
    expect(tool).toMatchObject({
      name: 'OpenCode',
      risk: 'high',
      status: 'exception_required',
      aliases: ['open code', 'opencode cli'],
      alternatives: ['github-copilot'],
      data: { sends_code_externally: true },
      regions: { cn: { status: 'prohibited' } },
      reviewed: reviewedOn,
    });
    expect(auditActions('tool')).toContain('tool.added');
    expect(auditActions('tool_review')).toEqual([
      'tool.review_requested',
      'tool.review_joined',
      'tool.review_classified',
    ]);

    // The post says who classified it, without buttons; each asker gets the verdict for their own region.
    const classified = await h.standIn.waitFor(() => {
      const m = h.standIn.message(REVIEW_CHANNEL, first.ts);
      return m && visibleText(m.blocks).includes('Classified by <@U0SEC1>') ? m : undefined;
    });
    expect(buttonIds(classified.blocks)).toEqual([]);
    const bob = await h.standIn.waitFor(
      () => dms('U0BOB', 'Your review request for opencode: OpenCode is Exception required')[0],
    );
    expect(buttonIds(bob.blocks)).toContain('request_exception');
    const alice = await h.standIn.waitFor(
      () => dms('U0ALICE', 'Your review request for opencode: OpenCode is Prohibited')[0],
    );
    expect(visibleText(alice.blocks)).toContain('Your region: China mainland');
    expect(buttonIds(alice.blocks)).not.toContain('request_exception');

    // The exception button in Bob's DM works: it opens the request form for the new tool.
    const before = openViewIds(h, 'U0BOB');
    await h.slack.clickButton({ user: 'U0BOB', inMessage: bob, actionId: 'request_exception' });
    const request = await newModal(h, 'U0BOB', 'exception_request', before);
    expect(visibleText(request.blocks)).toContain('OpenCode');

    // And the answer is there for everyone now; a second click on Classify is told it is decided.
    expect((await ask(h, 'U0BOB', 'open code')).text).toBe('OpenCode: Exception required');
    // (A click on a copy still showing the buttons, as an old client would have it.)
    const late = await h.slack.blockAction({
      user: 'U0SEC2',
      message: updated,
      actionId: 'review_classify',
      blockId: 'review_decision',
      element: { type: 'button', action_id: 'review_classify', value: String(reviewId) },
    });
    const lateReply = await h.standIn.waitFor(() =>
      h.standIn.responses(late.payload.response_url as string).find((r) => r.via === 'post'),
    );
    expect(lateReply.body.text).toContain('already classified as *OpenCode* by <@U0SEC1>');
    await outboxSettled(h);
    expect(dms('U0BOB', 'Your review request')).toHaveLength(2);
  });

  it('Same as an existing tool adds the asked name as an alias and answers the askers', async () => {
    await askForReview('U0BOB', 'Codex Desktop', { review_vendor: 'OpenAI' });
    const post = await postShowing('Review requested: Codex Desktop');
    const form = await clickOnPost('U0SEC1', post, 'Same as an existing tool', 'review_same_as');
    const done = await h.slack.viewSubmission({ user: 'U0SEC1', view: form, values: { same_as_tool: 'codex-cli' } });
    expect(visibleText((done.json as { view: unknown }).view)).toContain('Saved');
    expect((await h.bot.store.getTool('codex-cli'))?.aliases).toContain('Codex Desktop');
    expect((await ask(h, 'U0ALICE', 'codex desktop')).text).toBe('OpenAI Codex CLI: Prohibited');
    await postShowing('Same as *OpenAI Codex CLI* by <@U0SEC1>');
    const dm = await h.standIn.waitFor(
      () => dms('U0BOB', 'Your review request for Codex Desktop: OpenAI Codex CLI is')[0],
    );
    expect(visibleText(dm.blocks)).toContain('is *OpenAI Codex CLI*, already in the registry');
    expect(auditActions('tool')).toEqual(['tool.updated']);
    expect(auditActions('tool_review')).toEqual(['tool.review_requested', 'tool.review_same_as']);
  });

  it('Reject needs a reason, which the askers get', async () => {
    await askForReview('U0BOB', 'Shady Paste Bin', { review_vendor: 'shadypaste.example' });
    await askForReview('U0ALICE', 'shady paste-bin', { review_vendor: 'shadypaste.example' });
    const post = await postShowing('2 people have asked');
    const form = await clickOnPost('U0SEC2', post, 'Reject', 'review_reject');
    const empty = await h.slack.viewSubmission({
      user: 'U0SEC2',
      view: form,
      values: { reason: 'no' },
      skipClientValidation: true,
    });
    expect(empty.json).toMatchObject({
      response_action: 'errors',
      errors: { reason: expect.stringContaining('Give a reason') },
    });
    const reason = 'Uploads whatever is pasted to a public site; use the company wiki instead.';
    await h.slack.viewSubmission({ user: 'U0SEC2', view: form, values: { reason } });
    await postShowing('Rejected by <@U0SEC2>');
    for (const user of ['U0BOB', 'U0ALICE']) {
      const dm = await h.standIn.waitFor(() => dms(user, 'Your review request for Shady Paste Bin was rejected')[0]);
      expect(visibleText(dm.blocks)).toContain(reason);
    }
    expect(auditActions('tool')).toEqual([]);
    expect(auditActions('tool_review')).toEqual([
      'tool.review_requested',
      'tool.review_joined',
      'tool.review_rejected',
    ]);
  });

  it('without review_group, review_channel gets the requests and the admins decide them', async () => {
    await h.stop();
    const registryPath = join(tempDir(), 'registry.yml');
    writeFileSync(registryPath, readFileSync(REGISTRY_PATH, 'utf8').replace(/^review_group: .*\n/m, ''));
    h = await startHarness({ env: FAST_OUTBOX, registryPath });
    expect((await h.bot.store.registrySnapshot()).registry.reviewGroup).toBeNull();
    await askForReview('U0BOB', 'Some Notes App', { review_vendor: 'notes.example' });
    const post = await postShowing('Review requested: Some Notes App');
    // A security approver is no reviewer here; an admin is.
    const refused = await h.slack.clickButton({ user: 'U0SEC1', inMessage: post, label: 'Reject' });
    const reply = await h.standIn.waitFor(() =>
      h.standIn.responses(refused.payload.response_url as string).find((r) => r.via === 'post'),
    );
    expect(reply.body.text).toContain('Only reviewers decide review requests');
    const form = await clickOnPost('U0ADMIN1', post, 'Reject', 'review_reject');
    await h.slack.viewSubmission({ user: 'U0ADMIN1', view: form, values: { reason: 'We have a notes tool already.' } });
    await postShowing('Rejected by <@U0ADMIN1>');
    await h.standIn.waitFor(() => dms('U0BOB', 'Your review request for Some Notes App was rejected')[0]);
  });
});
