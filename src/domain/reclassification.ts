// Reclassification (issue 12): what a change to a tool's status, risk, region rules or approvers
// does to the exceptions and requests that already exist, and the transitions that carry it out.
// Pure: the store hands in the tool before and after and the open requests; `now` is passed in.
import {
  auditView,
  chainFor,
  startedStageNotices,
  withdrawRenewal,
  type AuditEntry,
  type ExceptionRequest,
  type Transition,
} from './exceptions.ts';
import {
  RISK_LABELS,
  STATUS_LABELS,
  regionName,
  type DisplayNames,
  type Registry,
  type RiskClass,
  type Tool,
  type ToolStatus,
} from './types.ts';

/** What a tool's classification is: the fields whose change has consequences (and makes history). */
export interface Classification {
  status: ToolStatus | null;
  risk: RiskClass | null;
  /** Region ids with a status of their own. */
  regions: Record<string, ToolStatus>;
  /** The tool's own approval chain, if it overrides its risk class's. */
  approvers: string[] | null;
}

export function classificationOf(t: Pick<Tool, 'status' | 'risk' | 'regions' | 'approvers'>): Classification {
  const regions: Record<string, ToolStatus> = {};
  for (const [id, o] of Object.entries(t.regions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    if (o.status) regions[id] = o.status;
  return { status: t.status, risk: t.risk, regions, approvers: t.approvers ? [...t.approvers] : null };
}

const sameList = (a: readonly string[] | null, b: readonly string[] | null): boolean =>
  a === b || (a !== null && b !== null && a.length === b.length && a.every((x, i) => x === b[i]));

export function sameClassification(a: Classification, b: Classification): boolean {
  const regions = new Set([...Object.keys(a.regions), ...Object.keys(b.regions)]);
  return (
    a.status === b.status &&
    a.risk === b.risk &&
    sameList(a.approvers, b.approvers) &&
    [...regions].every((r) => a.regions[r] === b.regions[r])
  );
}

const statusWord = (s: ToolStatus): string => STATUS_LABELS[s].toLowerCase();

/**
 * What changed from one classification to the next, in words: "high risk", "prohibited",
 * "prohibited in China mainland", "approvers security, legal". A first entry (no before) says all it knows.
 */
export function describeChange(before: Classification | null, after: Classification, names: DisplayNames): string[] {
  const parts: string[] = [];
  if (after.risk && after.risk !== before?.risk) parts.push(`${RISK_LABELS[after.risk].toLowerCase()} risk`);
  if (after.status && after.status !== before?.status) parts.push(statusWord(after.status));
  const regions = new Set([...Object.keys(before?.regions ?? {}), ...Object.keys(after.regions)]);
  for (const r of [...regions].sort()) {
    const was = before?.regions[r];
    const now = after.regions[r];
    if (was === now) continue;
    parts.push(now ? `${statusWord(now)} in ${regionName(names, r)}` : `as globally in ${regionName(names, r)}`);
  }
  if (!sameList(before?.approvers ?? null, after.approvers) && (before || after.approvers))
    parts.push(after.approvers ? `approvers ${after.approvers.join(', ') || 'none'}` : 'approvers by risk class');
  return parts;
}

/** The status a region sees. */
export const statusIn = (t: Pick<Tool, 'status' | 'regions'>, region: string): ToolStatus =>
  t.regions[region]?.status ?? t.status;

/** What a change does to one open request or active exception. */
export const IMPACT_OUTCOMES = ['revoke', 'close_prohibited', 'close_not_needed', 'keeps_chain'] as const;
export type ImpactOutcome = (typeof IMPACT_OUTCOMES)[number];

export interface ImpactItem {
  requestId: number;
  requester: string;
  region: string;
  /** 'active': an exception held; 'pending': a request being decided. */
  state: 'active' | 'pending';
  outcome: ImpactOutcome;
}

export interface ToolImpact {
  toolId: string;
  toolName: string;
  /** The change in words (describeChange); empty when the classification did not change. */
  change: string[];
  items: ImpactItem[];
}

/** Which of an impact's items change anything (the rest are told about only). */
export const CONSEQUENTIAL: ReadonlySet<ImpactOutcome> = new Set(['revoke', 'close_prohibited', 'close_not_needed']);
export const hasConsequences = (impacts: readonly ToolImpact[]): boolean =>
  impacts.some((i) => i.items.some((x) => CONSEQUENTIAL.has(x.outcome)));

type OpenRequest = Pick<ExceptionRequest, 'id' | 'requester' | 'region' | 'status' | 'toolId' | 'stages'>;

/**
 * The impact of changing `before` into `after` on the tool's active exceptions and pending requests
 * (`open`: those of this tool, status active or pending), region by region:
 * - where the tool becomes Prohibited, exceptions there are revoked and pending requests closed;
 * - where it stops needing an exception (Approved, or Approved with conditions), pending requests
 *   are closed as no longer needed (exceptions held stay: they allow nothing the policy forbids);
 * - where its approval chain changes, pending requests keep the chain they were filed under.
 * `chains`: the risk classes' chains before and after (an import may change those too).
 */
export function impactOfChange(
  before: Tool,
  after: Tool,
  open: readonly OpenRequest[],
  chains: { before: Record<RiskClass, string[]>; after: Record<RiskClass, string[]> },
  names: DisplayNames,
): ToolImpact {
  const newChain = chainFor(after, chains.after);
  const items: ImpactItem[] = [];
  for (const r of open) {
    if (r.toolId !== before.id || (r.status !== 'active' && r.status !== 'pending')) continue;
    const was = statusIn(before, r.region);
    const now = statusIn(after, r.region);
    const base = { requestId: r.id, requester: r.requester, region: r.region, state: r.status };
    if (now === 'prohibited' && was !== 'prohibited') {
      items.push({ ...base, outcome: r.status === 'active' ? 'revoke' : 'close_prohibited' });
    } else if (r.status === 'pending' && was === 'exception_required' && now !== 'exception_required') {
      items.push({ ...base, outcome: 'close_not_needed' });
    } else if (
      r.status === 'pending' &&
      !sameList(
        r.stages.map((s) => s.groupId),
        newChain,
      )
    ) {
      items.push({ ...base, outcome: 'keeps_chain' });
    }
  }
  items.sort((a, b) => a.requestId - b.requestId);
  return {
    toolId: after.id,
    toolName: after.name,
    change: sameClassification(classificationOf(before), classificationOf(after))
      ? []
      : describeChange(classificationOf(before), classificationOf(after), names),
    items,
  };
}

/** Why a request ended, in the words its holder reads. */
function endReasonFor(item: ImpactItem, after: Tool, reason: string | null, names: DisplayNames): string {
  const where = regionName(names, item.region);
  const status = STATUS_LABELS[statusIn(after, item.region)];
  const why = reason ?? after.regions[item.region]?.reason ?? after.reason;
  return item.outcome === 'close_not_needed'
    ? `${after.name} is now ${status} in ${where}, so no exception is needed: ${why}`
    : `${after.name} is now Prohibited in ${where}: ${why}`;
}

const closeStages = (r: ExceptionRequest): ExceptionRequest['stages'] =>
  r.stages.map((s) => (s.status === 'pending' || s.status === 'waiting' ? { ...s, status: 'cancelled' as const } : s));

/**
 * The transitions that carry out an impact: revocations and closings, each with its audit entry, the
 * refreshed messages and a DM (event `reclassified`) saying why. `requests`: the open requests the
 * impact was computed from, in full; a pending renewal of a revoked exception is withdrawn with it.
 */
export function consequencesOfChange(
  impact: ToolImpact,
  after: Tool,
  requests: readonly ExceptionRequest[],
  cmd: { actor: string; reason: string | null; now: Date; names: DisplayNames },
): Transition[] {
  const at = cmd.now.toISOString();
  const byId = new Map(requests.map((r) => [r.id, r]));
  const out: Transition[] = [];
  const ended = new Set<number>();
  for (const item of impact.items) {
    const r = byId.get(item.requestId);
    if (!r || !CONSEQUENTIAL.has(item.outcome)) continue;
    const endReason = endReasonFor(item, after, cmd.reason, cmd.names);
    const request: ExceptionRequest =
      item.outcome === 'revoke'
        ? { ...r, status: 'revoked', endedAt: at, endedBy: cmd.actor, endReason }
        : { ...r, status: 'cancelled', endedAt: at, endedBy: cmd.actor, endReason, stages: closeStages(r) };
    const audit: AuditEntry = {
      actor: cmd.actor,
      action: item.outcome === 'revoke' ? 'request.revoked' : 'request.closed',
      subjectType: 'exception_request',
      subjectId: String(r.id),
      before: auditView(r),
      after: { ...auditView(request), by: 'reclassification', tool: after.id },
    };
    ended.add(r.id);
    out.push({
      request,
      audit: [audit],
      notices: [
        ...startedStageNotices(request),
        { kind: 'dm', user: r.requester, requestId: r.id, event: 'reclassified' },
      ],
    });
  }
  // A renewal of an exception revoked here goes with it, wherever it was asked from.
  for (const t of [...out]) {
    if (t.request.status !== 'revoked') continue;
    for (const r of requests) {
      if (ended.has(r.id)) continue;
      const withdrawn = withdrawRenewal(r, t.request, cmd.now);
      if (withdrawn) {
        ended.add(r.id);
        out.push(withdrawn);
      }
    }
  }
  return out;
}

/** An impact as lines for a terminal or a modal: counts, then who and where. */
export function impactSummary(impacts: readonly ToolImpact[], names: DisplayNames): string[] {
  const lines: string[] = [];
  for (const impact of impacts) {
    const count = (o: ImpactOutcome) => impact.items.filter((x) => x.outcome === o);
    const groups: Array<[ImpactOutcome, string]> = [
      ['revoke', 'active exceptions revoked'],
      ['close_prohibited', 'pending requests closed (now prohibited)'],
      ['close_not_needed', 'pending requests closed as no longer needed'],
      ['keeps_chain', 'pending requests keep the approval chain they were filed under'],
    ];
    const parts = groups.flatMap(([o, label]) => {
      const xs = count(o);
      if (!xs.length) return [];
      const who = xs.map((x) => `#${x.requestId} ${x.requester} (${regionName(names, x.region)})`).join(', ');
      return [`  ${xs.length} ${label}: ${who}`];
    });
    if (!impact.change.length && !parts.length) continue;
    lines.push(`${impact.toolName} (${impact.toolId}): ${impact.change.join(', ') || 'classification unchanged'}`);
    lines.push(...(parts.length ? parts : ['  no active exceptions or pending requests are affected']));
  }
  return lines;
}

/**
 * Who may reclassify tools: an admin, or a listed member of the review group (`review_group`, or
 * where none is named the approver group whose channel is the review channel). Members who come
 * only through a Slack user group are not counted here: the answer's Edit button is decided from
 * the snapshot, without a store read.
 */
export function mayEditRegistry(
  registry: Pick<Registry, 'admins' | 'approverGroups' | 'reviewChannel' | 'reviewGroup'>,
  user: string,
): boolean {
  if (registry.admins.includes(user)) return true;
  // The review group (review_group) where the registry names one; else the group that reads review_channel.
  const reviewers = registry.reviewGroup
    ? registry.approverGroups.filter((g) => g.id === registry.reviewGroup)
    : registry.approverGroups.filter((g) => g.channel === registry.reviewChannel);
  return reviewers.some((g) => g.members.includes(user));
}
