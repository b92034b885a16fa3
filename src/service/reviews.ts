// Review requests for tools not in the registry: asking (or joining the open request for the same
// name), and a reviewer's decision: classify it as a new tool, say it is one already there, or reject it.
import { normalizeKey } from '../domain/match.ts';
import {
  checkReviewForm,
  REVIEW_FORM,
  reviewSubject,
  type ReviewDecisionRefusal,
  type ReviewFormField,
  type ReviewFormInput,
  type ReviewRefusal,
  type ToolReview,
} from '../domain/review.ts';
import { parseToolEntry, type ToolFileEntry } from '../domain/registrySchema.ts';
import { cleanUserText, cutText } from '../domain/text.ts';
import type { Registry, Tool } from '../domain/types.ts';
import type { RegistrySnapshot, ReviewDecisionResult, ServiceContext } from './ports.ts';

/** Where review requests are posted: the review group's channel, else the registry's review_channel. */
export function reviewChannelOf(registry: Registry): string | null {
  const group = registry.reviewGroup ? registry.approverGroups.find((g) => g.id === registry.reviewGroup) : undefined;
  return group?.channel ?? registry.reviewChannel;
}

/** The tool that already answers to this exact name (not a word of a longer one), if any. */
function toolNamed(snapshot: RegistrySnapshot, name: string): Tool | null {
  const key = normalizeKey(name);
  const hit = key ? snapshot.findKeyHits(key, false).find((h) => h.key === key && h.kind !== 'word') : undefined;
  return hit ? snapshot.tool(hit.id) : null;
}

export type AskResult =
  | { ok: true; review: ToolReview; joined: boolean; already: boolean }
  | { ok: false; fieldErrors: Partial<Record<ReviewFormField, string>> }
  | { ok: false; refusal: ReviewRefusal };

/** What the review form opens with: the name as asked (cleaned as it would be kept). */
export const reviewFormName = (rawQuery: string): string => cutText(reviewSubject(rawQuery).query, REVIEW_FORM.nameMax);

/** Someone asks for a review: a new request posted to the review channel, or they join the open one for the name. */
export async function askForReview(ctx: ServiceContext, user: string, input: ReviewFormInput): Promise<AskResult> {
  const checked = checkReviewForm(input);
  if (!checked.ok) return { ok: false, fieldErrors: checked.errors };
  const snapshot = await ctx.store.registrySnapshot();
  if (!reviewChannelOf(snapshot.registry)) return { ok: false, refusal: { kind: 'no_review_channel' } };
  const known = toolNamed(snapshot, checked.values.name);
  if (known)
    return {
      ok: false,
      fieldErrors: { name: `${known.name} is in the registry already: ask /can-i-use ${known.name}.` },
    };
  const key = normalizeKey(checked.values.name);
  return ctx.store.fileToolReview({ ...checked.values, user, key }, ctx.clock.now());
}

export type ReviewerResult =
  { ok: true; review: ToolReview; snapshot: RegistrySnapshot } | { ok: false; refusal: ReviewDecisionRefusal };

/** The open review request a reviewer is about to decide, or why they cannot (checked again when they decide). */
export async function reviewToDecide(ctx: ServiceContext, user: string, reviewId: number): Promise<ReviewerResult> {
  const review = await ctx.store.getToolReview(reviewId);
  if (!review) return { ok: false, refusal: { kind: 'not_found' } };
  if (!(await ctx.store.isReviewer(user))) return { ok: false, refusal: { kind: 'not_reviewer' } };
  if (review.status !== 'open')
    return {
      ok: false,
      refusal: { kind: 'decided', status: review.status, by: review.decidedBy, toolId: review.toolId },
    };
  return { ok: true, review, snapshot: await ctx.store.registrySnapshot() };
}

export type ClassifyResult =
  ReviewDecisionResult | { ok: false; fieldErrors: Array<{ path: string; message: string }> };

/** Classify: the tool as the form gives it, checked exactly as the registry import checks a tool, then added. */
export async function classifyReview(
  ctx: ServiceContext,
  user: string,
  reviewId: number,
  entry: ToolFileEntry,
): Promise<ClassifyResult> {
  const ready = await reviewToDecide(ctx, user, reviewId);
  if (!ready.ok) return ready;
  const parsed = parseToolEntry(entry, ready.snapshot.registry);
  if (!parsed.ok) return { ok: false, fieldErrors: parsed.errors };
  return ctx.store.decideToolReview(reviewId, user, { kind: 'classify', tool: parsed.tool }, ctx.clock.now());
}

/** Same as an existing tool: the asked name becomes one of its aliases (unless it answers to it already). */
export async function sameAsReview(
  ctx: ServiceContext,
  user: string,
  reviewId: number,
  toolId: string,
): Promise<ReviewDecisionResult> {
  const ready = await reviewToDecide(ctx, user, reviewId);
  if (!ready.ok) return ready;
  const before = ready.snapshot.tool(toolId);
  if (!before) return { ok: false, refusal: { kind: 'unknown_tool' } };
  const owner = toolNamed(ready.snapshot, ready.review.name);
  // Another tool answering to the name already would make two tools answer to it: leave the aliases.
  const tool = owner ? before : { ...before, aliases: [...before.aliases, ready.review.name] };
  return ctx.store.decideToolReview(reviewId, user, { kind: 'same_as', tool, before }, ctx.clock.now());
}

/** Reject, with the reason the askers are told. */
export async function rejectReview(
  ctx: ServiceContext,
  user: string,
  reviewId: number,
  rawReason: string,
): Promise<ReviewDecisionResult> {
  const reason = cleanUserText(rawReason).trim();
  if (reason.length < REVIEW_FORM.reasonMin || reason.length > REVIEW_FORM.reasonMax)
    return { ok: false, refusal: { kind: 'reason_required', min: REVIEW_FORM.reasonMin, max: REVIEW_FORM.reasonMax } };
  return ctx.store.decideToolReview(reviewId, user, { kind: 'reject', reason }, ctx.clock.now());
}
