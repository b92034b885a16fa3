// Exception requests, decisions and the clock: the use cases behind the buttons, the CLI and the timer.
import {
  chainFor,
  currentStage,
  decisionRefusal,
  maxDaysFor,
  refusalFor,
  RULES,
  type AnswerToRefresh,
  type Decision,
  type DecisionRefusal,
  type ExceptionRequest,
  type RequestRefusal,
  type SweepCounts,
} from '../domain/exceptions.ts';
import { reviewRefusal, reviewRequested, reviewSubject, type ReviewRefusal } from '../domain/review.ts';
import { checkRequestForm, type RequestFormErrors, type RequestFormInput } from '../domain/requestForm.ts';
import type { ApproverGroup, Tool } from '../domain/types.ts';
import { verdictFor } from '../domain/verdict.ts';
import { demandSweep, type DemandSweep } from './report.ts';
import { whereabouts } from './directory.ts';
import { utcDay, type Absence } from '../domain/approvers.ts';
import { freshenGroup, refreshStaleUsergroups } from './approverGroups.ts';
import type { AuditRecord, EndResult, FileResult, ServiceContext, Store, StoredDecision } from './ports.ts';

/**
 * The approver groups a view names, as the registry has them now, each with the S… id of its Slack
 * user group where it names one (a handle looked up in the cache; null while unknown).
 */
export async function approverGroupsById(
  store: Pick<Store, 'approverGroup' | 'usergroupCache'>,
  ids: readonly string[],
): Promise<Map<string, ApproverGroup & { usergroupId: string | null }>> {
  const groups = new Map<string, ApproverGroup & { usergroupId: string | null }>();
  for (const id of new Set(ids)) {
    const g = await store.approverGroup(id);
    if (!g) continue;
    const usergroupId =
      g.usergroup === null
        ? null
        : g.usergroup.startsWith('@')
          ? ((await store.usergroupCache(g.usergroup))?.id ?? null)
          : g.usergroup;
    groups.set(id, { ...g, usergroupId });
  }
  return groups;
}

export interface RequestForm {
  tool: Tool;
  /** Names of the approver groups, in the order they decide. */
  chain: string[];
  /** The conditions an exception would come with, as the person's region sets them. */
  conditions: string | null;
  maxDays: number;
  defaultDays: number;
  /** Filled from the exception being renewed. */
  renewalOf: ExceptionRequest | null;
}

export type FormResult =
  { ok: true; form: RequestForm } | { ok: false; refusal: RequestRefusal | { kind: 'unknown_tool' } };

async function chainOf(ctx: ServiceContext, tool: Tool): Promise<string[]> {
  return (
    tool.approvers ??
    chainFor(tool, {
      low: [],
      medium: [],
      high: [],
      critical: [],
      [tool.risk]: await ctx.store.approvalChain(tool.risk),
    })
  );
}

/** The person's region as their answer had it (directory.ts): a request is judged where its answer was. */
async function verdictForUser(ctx: ServiceContext, tool: Tool, user: string) {
  const found = await whereabouts(ctx, await ctx.store.registrySnapshot(), user);
  return { department: found.department, region: found.region, verdict: verdictFor(tool, found.region) };
}

/** What the request form needs, or why there is no form to show. */
export async function requestForm(
  ctx: ServiceContext,
  user: string,
  toolId: string,
  renewalOf: number | null = null,
): Promise<FormResult> {
  const tool = await ctx.store.getTool(toolId);
  if (!tool) return { ok: false, refusal: { kind: 'unknown_tool' } };
  const { verdict } = await verdictForUser(ctx, tool, user);
  const now = ctx.clock.now();
  const open = await ctx.store.openRequestsOf(user);
  const active = await ctx.store.activeExceptionsOf(user, now);
  const refusal = refusalFor(verdict, open, active.find((a) => a.toolId === tool.id) ?? null, tool.id, now);
  if (refusal) return { ok: false, refusal };
  const previous = renewalOf ? await ctx.store.getRequest(renewalOf) : null;
  const renewal = previous && previous.requester === user && previous.toolId === tool.id ? previous : null;
  const maxDays = maxDaysFor(tool);
  const chain: string[] = [];
  for (const id of await chainOf(ctx, tool)) chain.push((await ctx.store.approverGroup(id))?.name ?? id);
  return {
    ok: true,
    form: {
      tool,
      chain,
      conditions: verdict.conditions,
      maxDays,
      defaultDays: Math.min(RULES.defaultDurationDays, maxDays),
      renewalOf: renewal,
    },
  };
}

/** A submitted request form, as the person filled it in: checked here, whoever calls. */
export interface RequestInput extends RequestFormInput {
  user: string;
  toolId: string;
  renewalOf: number | null;
  /** The answer the form was opened from, to show the filed request in its place (Slack only). */
  answer?: AnswerToRefresh | null;
}

export type RequestOutcome =
  FileResult | { ok: false; refusal: { kind: 'unknown_tool' } } | { ok: false; fieldErrors: RequestFormErrors };

export async function requestException(ctx: ServiceContext, input: RequestInput): Promise<RequestOutcome> {
  const tool = await ctx.store.getTool(input.toolId);
  if (!tool) return { ok: false, refusal: { kind: 'unknown_tool' } };
  const form = checkRequestForm(input, maxDaysFor(tool));
  if (!form.ok) return { ok: false, fieldErrors: form.errors };
  const { department, region, verdict } = await verdictForUser(ctx, tool, input.user);
  const chain = await chainOf(ctx, tool);
  const now = ctx.clock.now();
  const renewal = input.renewalOf ? await ctx.store.getRequest(input.renewalOf) : null;
  return ctx.store.fileRequest(
    {
      toolId: tool.id,
      requester: input.user,
      region,
      department,
      ...form.values,
      // A form opened before its exception was revoked files a new request, not a renewal of the revoked one.
      renewalOf:
        renewal && renewal.requester === input.user && renewal.toolId === tool.id && renewal.status !== 'revoked'
          ? renewal.id
          : null,
    },
    chain,
    // Checked again inside the transaction: two quick submits must not both get through.
    (open, active) => refusalFor(verdict, open, active, tool.id, now),
    now,
    input.answer ?? null,
  );
}

/** Whether this person could decide this stage now: for answering a click before opening a form. */
export async function deciderRefusal(
  ctx: ServiceContext,
  requestId: number,
  position: number,
  actor: string,
): Promise<DecisionRefusal | { kind: 'not_found' } | null> {
  const r = await ctx.store.getRequest(requestId);
  if (!r) return { kind: 'not_found' };
  const stage = r.stages[position];
  if (stage) await freshenGroup(ctx, stage.groupId);
  const authority = await ctx.store.decisionAuthority(actor, ctx.clock.now());
  return decisionRefusal(r, { actor, position, actorGroups: authority.groups, standsInFor: authority.standsInFor });
}

export async function decide(
  ctx: ServiceContext,
  cmd: { requestId: number; position: number; actor: string; decision: Decision; note: string | null },
): Promise<StoredDecision> {
  // Membership as it is now: a user group older than the TTL is read again before the store decides.
  const stage = (await ctx.store.getRequest(cmd.requestId))?.stages[cmd.position];
  if (stage) await freshenGroup(ctx, stage.groupId);
  return ctx.store.decide(
    cmd.requestId,
    { actor: cmd.actor, position: cmd.position, decision: cmd.decision, note: cmd.note },
    ctx.clock.now(),
  );
}

export async function cancel(ctx: ServiceContext, requestId: number, actor: string): Promise<EndResult> {
  return ctx.store.cancel(requestId, actor, ctx.clock.now());
}

export async function revoke(
  ctx: ServiceContext,
  requestId: number,
  actor: string,
  reason: string,
): Promise<EndResult> {
  return ctx.store.revoke(requestId, actor, reason, ctx.clock.now());
}

/**
 * One pass of the clock as of `now`: expiries, reminders, escalations. It also deletes delivered
 * outbox messages older than the keep period, counted from the clock (not `now`, which may be a
 * rehearsal of a later day); the audit log keeps every entry.
 */
export async function sweep(
  ctx: ServiceContext,
  now: Date = ctx.clock.now(),
): Promise<SweepCounts & { outboxPruned: number } & DemandSweep> {
  const counts = await ctx.store.sweep(now);
  const before = new Date(ctx.clock.now().getTime() - ctx.outboxKeepDays * 86_400_000);
  const outboxPruned = await ctx.store.pruneDelivered(before);
  return { ...counts, outboxPruned, ...(await demandSweep(ctx, now)) };
}

/** Someone asked for a tool that is not in the registry to be reviewed: posted once per name, a few per person. */
export async function requestReview(
  ctx: ServiceContext,
  user: string,
  rawQuery: string,
): Promise<{ ok: true; query: string } | { ok: false; refusal: ReviewRefusal }> {
  const subject = reviewSubject(rawQuery);
  if (!subject.key) return { ok: false, refusal: { kind: 'empty' } };
  const channel = await ctx.store.reviewChannel();
  if (!channel) return { ok: false, refusal: { kind: 'no_review_channel' } };
  const now = ctx.clock.now();
  const refusal = await ctx.store.fileReviewRequest(
    reviewRequested(user, subject, channel),
    { user, key: subject.key, now },
    // Checked inside the store's transaction: 500 quick clicks must not get 500 posts.
    (recent) => reviewRefusal(recent, subject.query),
  );
  return refusal ? { ok: false, refusal } : { ok: true, query: subject.query };
}

/** One request with everything the audit log holds about it. */
export async function requestWithTrail(
  ctx: ServiceContext,
  id: number,
): Promise<{ request: ExceptionRequest; trail: AuditRecord[] } | null> {
  const request = await ctx.store.getRequest(id);
  if (!request) return null;
  return { request, trail: await ctx.store.auditFor('exception_request', String(id)) };
}

export interface RequestWithTool {
  request: ExceptionRequest;
  tool: Tool;
}

export interface HomeData {
  user: string;
  active: RequestWithTool[];
  open: RequestWithTool[];
  queue: RequestWithTool[];
  isApprover: boolean;
  /** The person stands in for someone away now (the queue shows those requests too). */
  standsIn?: boolean;
  /** The absence the person set, if any (approvers only). */
  absence?: Absence | null;
  /** Today (UTC), YYYY-MM-DD, to tell an absence now from one to come. */
  today?: string;
}

/** What a person's App Home shows: their exceptions, their open requests, and what waits on them. */
export async function homeFor(ctx: ServiceContext, user: string): Promise<HomeData> {
  const withTools = async (requests: ExceptionRequest[]): Promise<RequestWithTool[]> => {
    const out: RequestWithTool[] = [];
    for (const request of requests) {
      const tool = await ctx.store.getTool(request.toolId);
      if (tool) out.push({ request, tool });
    }
    return out;
  };
  // The queue goes by the user groups as they are now: any older than the TTL is read again first.
  await refreshStaleUsergroups(ctx, await ctx.store.usergroupRefs());
  const now = ctx.clock.now();
  const authority = await ctx.store.decisionAuthority(user, now);
  const decides = authority.groups.size > 0 || authority.standsInFor.size > 0;
  const cmd = { actor: user, actorGroups: authority.groups, standsInFor: authority.standsInFor };
  return {
    user,
    active: await withTools(await ctx.store.activeExceptionsOf(user, now)),
    open: await withTools(await ctx.store.openRequestsOf(user)),
    // Only what this person may decide now, as the buttons would check it: not their own requests,
    // not a second stage of one they (or whom they stand in for) took part in.
    queue: decides
      ? await withTools(
          (await ctx.store.approvalQueueOf(user, now)).filter((r) => {
            const stage = currentStage(r);
            return stage !== undefined && decisionRefusal(r, { ...cmd, position: stage.position }) === null;
          }),
        )
      : [],
    isApprover: authority.groups.size > 0,
    standsIn: decides && authority.standsInFor.size > 0,
    absence: authority.groups.size > 0 ? await ctx.store.absenceOf(user) : null,
    today: utcDay(now),
  };
}
