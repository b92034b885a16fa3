// Issue 9, items 0, 5 and 11: what people type, as others see it, and how often they may ask.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ask,
  FAST_OUTBOX,
  newModal,
  openRequestModal,
  openViewIds,
  REQUEST_VALUES,
  requestRows,
} from '../helpers/exceptions.ts';
import { startHarness, visibleText, type Harness } from '../helpers/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ env: FAST_OUTBOX });
});
afterEach(async () => {
  await h.stop();
});

const reviewButton = (blocks: unknown) =>
  JSON.stringify(blocks).includes('request_review') ? (blocks as never) : (undefined as never);

/** Ask, click "Ask for a review": the review form (issue 12), not yet submitted. */
async function openReviewForm(user: string, query: string) {
  const asked = await ask(h, user, query);
  const before = openViewIds(h, user);
  await h.slack.clickButton({
    user,
    inMessage: { ephemeralFrom: asked.responseUrl, blocks: reviewButton(asked.blocks) },
    actionId: 'request_review',
  });
  return { asked, form: await newModal(h, user, 'tool_review', before) };
}

const REVIEW_VALUES = { review_vendor: 'example.com', usage: 'Trying it out', data_class: 'public' } as const;

/** Ask, click, submit the form: what the submission answered. */
async function askForReview(user: string, query: string) {
  const { asked, form } = await openReviewForm(user, query);
  const submitted = await h.slack.viewSubmission({ user, view: form, values: REVIEW_VALUES });
  return { asked, form, shown: visibleText((submitted.json as { view?: unknown } | undefined)?.view) };
}

const reviewPosts = () => h.standIn.messages('C0SECURITY').filter((m) => (m.text ?? '').startsWith('Review request #'));
const reviewAudit = () =>
  h.bot.store.db
    .prepare("SELECT actor, subject_id, after FROM audit_log WHERE action = 'tool.review_requested' ORDER BY id")
    .all() as Array<{
    actor: string;
    subject_id: string;
    after: string;
  }>;

describe('item 5: invisible text is not text', () => {
  it('a justification of 20 zero-width spaces is too short', async () => {
    const modal = await openRequestModal(h, 'U0BOB');
    const res = await h.slack.viewSubmission({
      user: 'U0BOB',
      view: modal,
      values: { ...REQUEST_VALUES, justification: '\u200B'.repeat(20) },
      skipClientValidation: true,
    });
    expect(res.json).toMatchObject({
      response_action: 'errors',
      errors: { justification: expect.stringContaining('at least 20') },
    });
    expect(requestRows(h)).toEqual([]);
  });

  it('bidi controls never reach an approver: stripped from what is stored and from what is shown', async () => {
    const modal = await openRequestModal(h, 'U0BOB');
    const justification = 'Refactoring the open-source SDK \u202Edaolnwod\u202C for the public repository.';
    await h.slack.viewSubmission({
      user: 'U0BOB',
      view: modal,
      values: { ...REQUEST_VALUES, justification, usage: 'github.com/\u2066acme\u2069/sdk' },
    });
    const approval = await h.standIn.waitFor(() =>
      h.standIn.messages('C0SECURITY').find((m) => (m.text ?? '').startsWith('Exception request #1')),
    );
    const shown = visibleText(approval.blocks);
    expect(shown).toContain('Refactoring the open-source SDK daolnwod for the public repository.');
    expect(shown).toContain('github.com/acme/sdk');
    expect(shown).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B-\u200F]/);
    expect(requestRows(h)[0]).toMatchObject({
      justification: 'Refactoring the open-source SDK daolnwod for the public repository.',
    });
  });

  it('a review request for a name with bidi controls is posted without them', async () => {
    await askForReview('U0BOB', 'Evil\u202E Tool\u2069');
    const posted = await h.standIn.waitFor(() => reviewPosts()[0]);
    expect(posted.text).toBe('Review request #1: Evil Tool (1 asked)');
    expect(visibleText(posted.blocks)).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  });
});

describe('item 0: text is cut between characters', () => {
  it('199 letters and an emoji: the review button, the form and the audit keep whole characters', async () => {
    const query = `${'x'.repeat(199)}😀`;
    const { asked, form } = await openReviewForm('U0BOB', query);
    const button = JSON.stringify(asked.blocks);
    expect(button).not.toMatch(/\\ud83d(?!\\ude00)/i);
    // The form's name field holds 100 characters: cut there, between characters.
    expect(JSON.stringify(form.blocks)).not.toMatch(/\\ud83d/i);
    await h.slack.viewSubmission({ user: 'U0BOB', view: form, values: REVIEW_VALUES });
    await h.standIn.waitFor(() => reviewPosts()[0]);
    const [entry] = reviewAudit();
    expect((JSON.parse(entry?.after ?? '{}') as { query: string }).query).toBe('x'.repeat(100));
    expect(entry?.after).not.toMatch(/[\uD800-\uDFFF]/);
  });
});

describe('item 11: review requests are limited', () => {
  it('one form submitted 30 times at once makes one post', async () => {
    const { form } = await openReviewForm('U0BOB', 'Some New Tool');
    const submissions = await Promise.all(
      Array.from({ length: 30 }, () =>
        h.slack.viewSubmission({ user: 'U0BOB', view: form, values: REVIEW_VALUES, applyResponse: false }),
      ),
    );
    expect(submissions.every((c) => c.status === 200)).toBe(true);
    await h.bot.outbox.drain();
    expect(reviewPosts()).toHaveLength(1);
    expect(reviewAudit()).toHaveLength(1);
    const refused = submissions.filter((r) => visibleText(r.json).includes('already submitted'));
    expect(refused).toHaveLength(29);
  });

  it('"Some Tool" and "some-tool" are one name, whoever asks: one post, updated as the second joins', async () => {
    await askForReview('U0BOB', 'Some Tool');
    const joined = await askForReview('U0ALICE', 'some-tool');
    expect(joined.shown).toContain('you have joined their review request');
    await h.bot.outbox.drain();
    expect(reviewPosts()).toHaveLength(1);
    expect(visibleText(reviewPosts()[0]?.blocks)).toContain('2 people have asked');
  });

  it('one person may ask about five names an hour', async () => {
    let last = '';
    for (const name of ['Alpha Tool', 'Beta Tool', 'Gamma Tool', 'Delta Tool', 'Epsilon Tool', 'Zeta Tool'])
      last = (await askForReview('U0BOB', name)).shown;
    await h.bot.outbox.drain();
    expect(reviewPosts()).toHaveLength(5);
    expect(last).toContain('You have asked for 5 reviews in the last hour');
  });
});
