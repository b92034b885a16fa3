// Asking for a review of a tool that is not in the registry. One click is one post to the review
// channel, so clicks are limited: per person, and per name (after the same normalisation as
// matching, so "Some Tool" and "some-tool" are one name).
import { DATA_CLASSES, type AuditEntry, type DataClass, type Notice } from './exceptions.ts';
import { normalizeKey } from './match.ts';
import { cleanUserText, cutText } from './text.ts';
import type { Tool } from './types.ts';

export const REVIEW_LIMITS = {
  /** Review requests one person may make in an hour. */
  perPersonPerHour: 5,
  /** A name asked about is not posted again for this long; the review channel already has it. */
  sameNameHours: 24,
  /** The longest name kept. */
  maxQuery: 200,
} as const;

export type ReviewRefusal =
  | { kind: 'no_review_channel' }
  | { kind: 'empty' }
  | { kind: 'too_many'; max: number }
  | { kind: 'already_asked'; query: string };

/** What was asked about, as it is kept and shown, and the key that says whether two asks are one. */
export function reviewSubject(rawQuery: string): { query: string; key: string } {
  const query = cutText(cleanUserText(rawQuery).trim().replace(/\s+/g, ' '), REVIEW_LIMITS.maxQuery);
  return { query, key: normalizeKey(query) };
}

/** Whether this ask may go to the review channel, given what was asked recently. */
export function reviewRefusal(recent: { byPerson: number; forName: number }, query: string): ReviewRefusal | null {
  if (recent.byPerson >= REVIEW_LIMITS.perPersonPerHour)
    return { kind: 'too_many', max: REVIEW_LIMITS.perPersonPerHour };
  if (recent.forName > 0) return { kind: 'already_asked', query };
  return null;
}

export const REVIEW_ACTION = 'tool.review_requested';

/** The audit entry and the post of one review request. */
export function reviewRequested(
  user: string,
  subject: { query: string; key: string },
  channel: string,
): { audit: AuditEntry[]; notices: Notice[] } {
  return {
    audit: [
      {
        actor: user,
        action: REVIEW_ACTION,
        subjectType: 'tool',
        subjectId: subject.key,
        before: null,
        after: { query: subject.query },
      },
    ],
    notices: [{ kind: 'review_request', channel, user, query: subject.query }],
  };
}

// ---- Review requests that people join, and their decision (issue 12) ---------------------------

export const REVIEW_STATUSES = ['open', 'classified', 'same_as', 'rejected'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** The review request form's limits. */
export const REVIEW_FORM = { nameMax: 100, vendorMax: 200, usageMax: 1000, reasonMin: 5, reasonMax: 1000 } as const;

export interface ReviewAsker {
  user: string;
  usage: string;
  dataClass: DataClass;
  askedAt: string;
}

/** One review request: every asker of the same name (normalised as matching does) joins the open one. */
export interface ToolReview {
  id: number;
  key: string;
  name: string;
  /** What the asker said the tool is: its vendor or its URL. */
  vendor: string;
  status: ReviewStatus;
  createdAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  /** The tool it became (classified) or was found to be (same as). */
  toolId: string | null;
  /** Why it was rejected. */
  reason: string | null;
  messageChannel: string | null;
  messageTs: string | null;
  askers: ReviewAsker[];
}

export interface ReviewFormInput {
  name: string;
  vendor: string;
  usage: string;
  /** The chosen option's value, or null when nothing was chosen. */
  dataClass: string | null;
}
export type ReviewFormField = keyof ReviewFormInput;
export interface ReviewFormValues {
  name: string;
  vendor: string;
  usage: string;
  dataClass: DataClass;
}

const cleanLine = (text: string): string => cleanUserText(text).trim().replace(/\s+/g, ' ');

/** The review form, checked: each problem under its field. */
export function checkReviewForm(
  input: ReviewFormInput,
): { ok: true; values: ReviewFormValues } | { ok: false; errors: Partial<Record<ReviewFormField, string>> } {
  const errors: Partial<Record<ReviewFormField, string>> = {};
  const name = cleanLine(input.name);
  const vendor = cleanLine(input.vendor);
  const usage = cleanUserText(input.usage).trim();
  if (!normalizeKey(name)) errors.name = 'Give the tool’s name (at least one letter or digit).';
  else if (name.length > REVIEW_FORM.nameMax) errors.name = `At most ${REVIEW_FORM.nameMax} characters.`;
  if (!vendor) errors.vendor = 'Who makes it, or its web address, so the reviewers can find it.';
  else if (vendor.length > REVIEW_FORM.vendorMax) errors.vendor = `At most ${REVIEW_FORM.vendorMax} characters.`;
  if (!usage) errors.usage = 'Say what you would use it for.';
  else if (usage.length > REVIEW_FORM.usageMax) errors.usage = `At most ${REVIEW_FORM.usageMax} characters.`;
  const dataClass = (DATA_CLASSES as readonly string[]).includes(input.dataClass ?? '')
    ? (input.dataClass as DataClass)
    : null;
  if (!dataClass) errors.dataClass = `Choose one of: ${DATA_CLASSES.join(', ')}.`;
  if (Object.keys(errors).length || !dataClass) return { ok: false, errors };
  return { ok: true, values: { name, vendor, usage, dataClass } };
}

/** What a reviewer decides about a review request. */
export type ReviewDecision =
  | { kind: 'classify'; tool: Tool }
  /** `tool` is the chosen tool with the asked name added to its aliases; `before` as it was. */
  | { kind: 'same_as'; tool: Tool; before: Tool }
  | { kind: 'reject'; reason: string };

export type ReviewDecisionRefusal =
  | { kind: 'not_found' }
  | { kind: 'not_reviewer' }
  | { kind: 'decided'; status: ReviewStatus; by: string | null; toolId: string | null }
  | { kind: 'id_taken'; id: string }
  | { kind: 'unknown_tool' }
  | { kind: 'reason_required'; min: number; max: number };

export const REVIEW_JOINED_ACTION = 'tool.review_joined';
const DECIDED_ACTION: Record<ReviewDecision['kind'], string> = {
  classify: 'tool.review_classified',
  same_as: 'tool.review_same_as',
  reject: 'tool.review_rejected',
};
const DECIDED_STATUS: Record<ReviewDecision['kind'], ReviewStatus> = {
  classify: 'classified',
  same_as: 'same_as',
  reject: 'rejected',
};

/**
 * A person asking about a name: the first asker opens the review (posted to the review channel),
 * a later one joins it (the post is updated in place). Either way the asker is told once, by DM.
 */
export function reviewAsked(
  review: Pick<ToolReview, 'id' | 'key' | 'name' | 'vendor'>,
  asker: ReviewAsker,
  joined: boolean,
): { audit: AuditEntry[]; notices: Notice[] } {
  return {
    audit: [
      {
        actor: asker.user,
        action: joined ? REVIEW_JOINED_ACTION : REVIEW_ACTION,
        subjectType: 'tool_review',
        subjectId: String(review.id),
        before: null,
        after: {
          key: review.key,
          query: review.name,
          vendor: review.vendor,
          usage: asker.usage,
          dataClass: asker.dataClass,
        },
      },
    ],
    notices: [
      { kind: 'review_post', reviewId: review.id },
      { kind: 'review_dm', reviewId: review.id, user: asker.user, event: 'received' },
    ],
  };
}

/** The review's own entry, the tool's (added or given an alias) and every asker's DM. */
export function reviewDecided(
  review: ToolReview,
  decision: ReviewDecision,
  actor: string,
): { status: ReviewStatus; toolId: string | null; reason: string | null; audit: AuditEntry[]; notices: Notice[] } {
  const status = DECIDED_STATUS[decision.kind];
  const toolId = decision.kind === 'reject' ? null : decision.tool.id;
  const reason = decision.kind === 'reject' ? decision.reason : null;
  const audit: AuditEntry[] = [];
  if (decision.kind === 'classify')
    audit.push({
      actor,
      action: 'tool.added',
      subjectType: 'tool',
      subjectId: decision.tool.id,
      before: null,
      after: decision.tool,
    });
  if (decision.kind === 'same_as')
    audit.push({
      actor,
      action: 'tool.updated',
      subjectType: 'tool',
      subjectId: decision.tool.id,
      before: decision.before,
      after: decision.tool,
    });
  audit.push({
    actor,
    action: DECIDED_ACTION[decision.kind],
    subjectType: 'tool_review',
    subjectId: String(review.id),
    before: { status: review.status },
    after: { status, toolId, reason, askers: review.askers.map((a) => a.user) },
  });
  return {
    status,
    toolId,
    reason,
    audit,
    notices: [
      { kind: 'review_post', reviewId: review.id },
      ...review.askers.map((a): Notice => ({ kind: 'review_dm', reviewId: review.id, user: a.user, event: 'decided' })),
    ],
  };
}
