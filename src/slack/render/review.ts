// Review requests for tools not in the registry, as people see them: the form to ask, the post in
// the review channel (updated in place as others ask and when it is decided), the askers' DMs,
// and the reviewers' Same as and Reject forms.
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { DATA_CLASSES } from '../../domain/exceptions.ts';
import { REVIEW_FORM, type ReviewDecisionRefusal, type ReviewFormField, type ToolReview } from '../../domain/review.ts';
import type { Registry, Tool } from '../../domain/types.ts';
import type { Answer } from '../../service/answer.ts';
import { ACTION, BLOCK, CALLBACK, INPUT, INPUT_ELEMENT } from '../ids.ts';
import { answerView } from './answer.ts';
import { actions, button, context, divider, input, plain, section, type MessageView } from './blocks.ts';
import { DATA_CLASS_LABELS, when } from './labels.ts';
import { clip, escapeMrkdwn as esc, userMention as at } from './mrkdwn.ts';
import { toolFormModal } from './toolForm.ts';

const TITLE_MAX = 24;
const modal = (callback_id: string, title: string, meta: unknown, blocks: KnownBlock[], submit: string): ModalView => ({
  type: 'modal',
  callback_id,
  private_metadata: JSON.stringify(meta),
  title: { type: 'plain_text', text: clip(title, TITLE_MAX) },
  submit: { type: 'plain_text', text: clip(submit, TITLE_MAX) },
  close: { type: 'plain_text', text: 'Cancel' },
  blocks,
});

const dataOptions: PlainTextOption[] = DATA_CLASSES.map((c) => ({ text: plain(DATA_CLASS_LABELS[c]), value: c }));

/** Where each review form field's problem is shown. */
export const REVIEW_FORM_BLOCK: Record<ReviewFormField, string> = {
  name: INPUT.reviewName,
  vendor: INPUT.reviewVendor,
  usage: INPUT.usage,
  dataClass: INPUT.dataClass,
};

/** The review form: what the tool is, what it would be used for, the most sensitive data it would touch. */
export function reviewModal(name: string): ModalView {
  const text = (
    block: string,
    label: string,
    max: number,
    opts: { initial?: string; multiline?: boolean; placeholder: string },
  ) =>
    input(block, label, {
      type: 'plain_text_input',
      action_id: INPUT_ELEMENT,
      max_length: max,
      ...(opts.multiline && { multiline: true }),
      ...(opts.initial && { initial_value: opts.initial }),
      placeholder: plain(opts.placeholder),
    });
  return modal(
    CALLBACK.review,
    'Ask for a review',
    null,
    [
      section(
        'The security team reviews tools that are not in the registry yet. Tell them what it is and how you would use it.',
      ),
      text(INPUT.reviewName, 'Tool name', REVIEW_FORM.nameMax, { initial: name, placeholder: 'e.g. OpenCode' }),
      text(INPUT.reviewVendor, 'Vendor or web address', REVIEW_FORM.vendorMax, {
        placeholder: 'Who makes it, or its URL, e.g. https://opencode.ai',
      }),
      text(INPUT.usage, 'What would you use it for?', REVIEW_FORM.usageMax, {
        multiline: true,
        placeholder: 'The work, and the repositories or documents it would see',
      }),
      input(
        INPUT.dataClass,
        'Most sensitive data',
        { type: 'static_select', action_id: INPUT_ELEMENT, placeholder: plain('Choose one'), options: dataOptions },
        { hint: 'The most sensitive data the tool would see or touch.' },
      ),
    ],
    'Ask for a review',
  );
}

function outcome(review: ToolReview, tool: Tool | null): string {
  const by = review.decidedBy ? ` by ${at(review.decidedBy)} on ${when(review.decidedAt)}` : '';
  switch (review.status) {
    case 'open':
      return ':hourglass_flowing_sand: Waiting for a reviewer.';
    case 'classified':
      return `:white_check_mark: Classified${by}: added to the registry as *${esc(tool?.name ?? review.toolId ?? '?')}*.`;
    case 'same_as':
      return `:link: Same as *${esc(tool?.name ?? review.toolId ?? '?')}*${by}: the name is now one of its aliases.`;
    case 'rejected':
      return `:x: Rejected${by}: _${esc(clip(review.reason ?? '', 1000))}_`;
  }
}

/** The review request's post in the review channel: who asked and why, and the reviewers' buttons while it is open. */
export function reviewPost(review: ToolReview, tool: Tool | null): MessageView {
  const n = review.askers.length;
  const askers = review.askers
    .slice(0, 20)
    .map((a) => `• ${at(a.user)}: ${esc(clip(a.usage, 300))} (${DATA_CLASS_LABELS[a.dataClass]} data)`);
  if (n > 20) askers.push(`• and ${n - 20} more`);
  const blocks: KnownBlock[] = [
    section(
      `:mag: *Review requested: ${esc(review.name)}*, which is not in the registry.\n` +
        `Vendor or address: ${esc(review.vendor)}\n` +
        `*${n} ${n === 1 ? 'person has' : 'people have'} asked:*\n${askers.join('\n')}`,
    ),
    section(outcome(review, tool)),
  ];
  if (review.status === 'open')
    blocks.push(
      actions(BLOCK.reviewDecision, [
        button(ACTION.reviewClassify, 'Classify', String(review.id), 'primary'),
        button(ACTION.reviewSameAs, 'Same as an existing tool', String(review.id)),
        button(ACTION.reviewReject, 'Reject', String(review.id), 'danger'),
      ]),
    );
  blocks.push(context(`Review request #${review.id} · first asked ${when(review.createdAt)}`));
  return { text: esc(`Review request #${review.id}: ${review.name} (${n} asked)`), blocks };
}

/** The asker's DM: the request was received. */
export function reviewReceivedDm(review: ToolReview, channel: string | null): MessageView {
  const where = channel ? ` in <#${channel.replace(/[^A-Z0-9]/gi, '')}>` : '';
  return {
    text: esc(`Your review request for ${review.name} was received`),
    blocks: [
      section(
        `:inbox_tray: Your request to review *${esc(review.name)}* was received${where}. ` +
          "You will hear back here when it is decided. Until then, please don't use it for company work.",
      ),
    ],
  };
}

/**
 * The asker's DM with the decision: for a tool now in the registry, the answer as their own region
 * sees it (with the exception button where one can be asked for); for a rejection, the reason.
 */
export function reviewDecidedDm(review: ToolReview, answer: Answer | null): MessageView {
  if (review.status === 'rejected' || !answer || answer.kind !== 'found') {
    return {
      text: esc(`Your review request for ${review.name} was rejected`),
      blocks: [
        section(
          `:x: Your request to review *${esc(review.name)}* was rejected: _${esc(clip(review.reason ?? '', 1000))}_\n` +
            'Please do not use it for company work.',
        ),
      ],
    };
  }
  const lead =
    review.status === 'same_as'
      ? `:link: *${esc(review.name)}*, which you asked about, is *${esc(answer.tool.name)}*, already in the registry. Here is the answer for you:`
      : `:white_check_mark: *${esc(review.name)}*, which you asked about, has been reviewed and added to the registry. Here is the answer for you:`;
  const view = answerView(answer);
  return {
    text: esc(`Your review request for ${review.name}: ${answer.tool.name} is ${answer.verdict.label}`),
    blocks: [section(lead), divider(), ...view.blocks],
  };
}

/** The Classify form: the tool form, pre-filled from the request; `today` (YYYY-MM-DD) as the review date. */
export function classifyModal(review: ToolReview, registry: Registry, today?: string): ModalView {
  const slug = review.name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  const isUrl = /^https?:\/\//i.test(review.vendor);
  const asked = review.askers
    .slice(0, 5)
    .map((a) => `${at(a.user)}: ${esc(clip(a.usage, 200))} (${DATA_CLASS_LABELS[a.dataClass]})`)
    .join('\n');
  return toolFormModal(
    registry,
    {
      ...(slug && { id: slug }),
      name: review.name,
      ...(isUrl ? { sources: [review.vendor] } : { vendor: review.vendor }),
      status: 'exception_required',
      ...(today && { reviewed: today }),
    },
    {
      callbackId: CALLBACK.classify,
      title: 'Classify a tool',
      submit: 'Add to registry',
      meta: { reviewId: review.id },
      intro: [
        section(
          `*${esc(review.name)}* · ${esc(review.vendor)} · asked by ${review.askers.length}\n${asked}`.slice(0, 2900),
        ),
      ],
    },
  );
}

/** Same as an existing tool: which one. */
export function sameAsModal(review: ToolReview, registry: Registry): ModalView {
  const tools = [...registry.tools].sort((a, b) => a.name.localeCompare(b.name));
  const element =
    tools.length <= 100
      ? {
          type: 'static_select' as const,
          action_id: INPUT_ELEMENT,
          placeholder: plain('Choose a tool'),
          options: tools.map((t) => ({ text: plain(`${t.name} (${t.vendor})`, 75), value: t.id })),
        }
      : {
          type: 'plain_text_input' as const,
          action_id: INPUT_ELEMENT,
          placeholder: plain('The tool id, e.g. codex-cli'),
        };
  return modal(
    CALLBACK.sameAs,
    'Same as a tool',
    { reviewId: review.id },
    [
      section(
        `*${esc(review.name)}* will become another name of the tool you choose, and everyone who asked gets its answer.`,
      ),
      input(INPUT.sameAsTool, 'The tool it is', element),
    ],
    'Save',
  );
}

/** Reject: the reason the askers will read. */
export function rejectModal(review: ToolReview): ModalView {
  return modal(
    CALLBACK.reject,
    'Reject review request',
    { reviewId: review.id },
    [
      section(`Reject the request to review *${esc(review.name)}* (asked by ${review.askers.length}).`),
      input(INPUT.reason, 'Reason', {
        type: 'plain_text_input',
        action_id: INPUT_ELEMENT,
        multiline: true,
        min_length: REVIEW_FORM.reasonMin,
        max_length: REVIEW_FORM.reasonMax,
        placeholder: plain('Why; everyone who asked will read it'),
      }),
    ],
    'Reject',
  );
}

export function reviewDecisionRefusalText(r: ReviewDecisionRefusal, toolName: (id: string) => string): string {
  switch (r.kind) {
    case 'not_found':
      return 'That review request is not in toolgate any more.';
    case 'not_reviewer':
      return 'Only reviewers decide review requests (members of the review group; where the registry names none, the admins), so nothing changed.';
    case 'decided': {
      const by = r.by ? ` by <@${r.by.replace(/[^A-Z0-9]/gi, '')}>` : '';
      const what =
        r.status === 'classified'
          ? `classified as *${esc(toolName(r.toolId ?? ''))}*`
          : r.status === 'same_as'
            ? `found to be *${esc(toolName(r.toolId ?? ''))}*`
            : 'rejected';
      return `That review request was already ${what}${by}. Nothing changed.`;
    }
    case 'id_taken':
      return `A tool with the id \`${esc(r.id)}\` is in the registry already.`;
    case 'unknown_tool':
      return 'That tool is no longer in the registry.';
    case 'reason_required':
      return `Give a reason of ${r.min} to ${r.max} characters: everyone who asked will read it.`;
  }
}
