// Demand and turnaround (issue 12): what people ask, what they request and how fast approvers
// decide, from rows the store returns; and the weekly digest of stale tools. Pure: `now` is passed in.
import type { Notice, RequestStatus } from './exceptions.ts';
import { lastChecked } from './registryCheck.ts';
import type { ApproverGroup, Tool, ToolStatus } from './types.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** What a /can-i-use answer was: a tool, a choice of several, nothing, a list or the help. */
export const QUERY_OUTCOMES = ['found', 'ambiguous', 'not_found', 'list', 'help'] as const;
export type QueryOutcome = (typeof QUERY_OUTCOMES)[number];

/** One /can-i-use question, as recorded. */
export interface QueryLogEntry {
  at: string;
  user: string;
  /** What was typed (cleaned and cut as the answer used it). */
  query: string;
  /** The query after the same normalisation as matching: "Codex" and "codex " are one name. */
  queryKey: string;
  outcome: QueryOutcome;
  /** The tool it resolved to, if any. */
  toolId: string | null;
  /** The status the answer showed, as the asker's region sees it. */
  status: ToolStatus | null;
  region: string;
}

/** What the store returns for a report over one window; counts are grouped in SQL, the rest is rows. */
export interface ReportRows {
  questions: number;
  /** Questions answered with a tool, per tool. */
  toolQueries: Array<{ toolId: string; count: number; askers: number }>;
  /** Questions answered "Not in registry", per normalised name, with one way it was typed. */
  unknownQueries: Array<{ key: string; example: string; count: number; askers: number }>;
  /** Exception requests filed in the window. */
  requests: Array<{ id: number; toolId: string; status: RequestStatus }>;
  /** Approval stages decided (approved or denied) in the window. */
  stages: Array<{ groupId: string; status: 'approved' | 'denied'; startedAt: string; decidedAt: string }>;
  /** Active exceptions ending between now and the horizon. */
  expiring: Array<{ id: number; toolId: string; requester: string; expiresAt: string }>;
}

/** What a request came to: granted at some point (even if it ended since), denied, withdrawn, or still waiting. */
export type RequestOutcome = 'pending' | 'approved' | 'denied' | 'cancelled';
export const REQUEST_OUTCOME: Record<RequestStatus, RequestOutcome> = {
  pending: 'pending',
  active: 'approved',
  expired: 'approved',
  superseded: 'approved',
  revoked: 'approved',
  denied: 'denied',
  cancelled: 'cancelled',
};

export interface StaleTool {
  toolId: string;
  name: string;
  /** The later of `reviewed` and `facts_checked`, or null when neither is set. */
  lastChecked: string | null;
  ageDays: number | null;
}

export interface DemandReport {
  since: string;
  until: string;
  days: number;
  questions: number;
  mostAsked: Array<{ toolId: string; name: string; count: number; askers: number }>;
  unknownNames: Array<{ name: string; count: number; askers: number }>;
  requestsByTool: Array<{ toolId: string; name: string; total: number } & Record<RequestOutcome, number>>;
  /** Hours from a stage reaching its group to its decision, per group. */
  turnaround: Array<{ groupId: string; groupName: string; decisions: number; medianHours: number; p90Hours: number }>;
  /** Of the requests filed in the window that were decided: how many were denied. `rate` is null when none were decided. */
  denialRate: { decided: number; denied: number; rate: number | null };
  staleTools: StaleTool[];
  maxAgeDays: number;
  expiring: Array<{ requestId: number; toolId: string; name: string; requester: string; expiresAt: string }>;
  expiringDays: number;
}

export const REPORT_TOP = 10;
/** Exceptions ending within this many days are listed. */
export const EXPIRING_DAYS = 14;
/** The stale digest goes out at most once in this many days. */
export const DIGEST_PERIOD_DAYS = 7;

/**
 * The value below which a fraction `p` of the sorted values lie, interpolating linearly between
 * neighbours (as spreadsheets' PERCENTILE and numpy's default do): the median of 1, 2, 3, 10 is 2.5.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return 0;
  const at = (sorted.length - 1) * p;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Tools whose review and fact-check are both older than `maxAgeDays` (or missing): oldest first. */
export function staleTools(tools: readonly Tool[], now: Date, maxAgeDays: number): StaleTool[] {
  const stale: StaleTool[] = [];
  for (const tool of tools) {
    const last = lastChecked(tool);
    const ageDays = last === null ? null : Math.floor((now.getTime() - Date.parse(`${last}T00:00:00Z`)) / DAY);
    if (ageDays === null || ageDays > maxAgeDays)
      stale.push({ toolId: tool.id, name: tool.name, lastChecked: last, ageDays });
  }
  return stale.sort((a, b) => (b.ageDays ?? Infinity) - (a.ageDays ?? Infinity) || a.toolId.localeCompare(b.toolId));
}

const byCountThenName = <T extends { count: number; name: string }>(a: T, b: T) =>
  b.count - a.count || a.name.localeCompare(b.name);

export function buildReport(
  rows: ReportRows,
  registry: { tools: readonly Tool[]; approverGroups: readonly ApproverGroup[] },
  options: { now: Date; days: number; maxAgeDays: number },
): DemandReport {
  const toolName = new Map(registry.tools.map((t) => [t.id, t.name]));
  const nameOf = (id: string) => toolName.get(id) ?? id;

  const mostAsked = rows.toolQueries
    .map((q) => ({ toolId: q.toolId, name: nameOf(q.toolId), count: q.count, askers: q.askers }))
    .sort(byCountThenName)
    .slice(0, REPORT_TOP);
  const unknownNames = rows.unknownQueries
    .map((q) => ({ name: q.example, count: q.count, askers: q.askers }))
    .sort(byCountThenName)
    .slice(0, REPORT_TOP);

  const perTool = new Map<string, DemandReport['requestsByTool'][number]>();
  let approved = 0;
  let denied = 0;
  for (const r of rows.requests) {
    let entry = perTool.get(r.toolId);
    if (!entry) {
      entry = { toolId: r.toolId, name: nameOf(r.toolId), total: 0, pending: 0, approved: 0, denied: 0, cancelled: 0 };
      perTool.set(r.toolId, entry);
    }
    const outcome = REQUEST_OUTCOME[r.status];
    entry[outcome]++;
    entry.total++;
    if (outcome === 'approved') approved++;
    if (outcome === 'denied') denied++;
  }
  const requestsByTool = [...perTool.values()].sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));

  const hoursByGroup = new Map<string, number[]>();
  for (const s of rows.stages) {
    const hours = (Date.parse(s.decidedAt) - Date.parse(s.startedAt)) / HOUR;
    if (!Number.isFinite(hours)) continue;
    hoursByGroup.set(s.groupId, [...(hoursByGroup.get(s.groupId) ?? []), Math.max(0, hours)]);
  }
  const groupName = new Map(registry.approverGroups.map((g) => [g.id, g.name]));
  const turnaround = [...hoursByGroup.entries()]
    .map(([groupId, hours]) => {
      const sorted = hours.sort((a, b) => a - b);
      return {
        groupId,
        groupName: groupName.get(groupId) ?? groupId,
        decisions: sorted.length,
        medianHours: round1(percentile(sorted, 0.5)),
        p90Hours: round1(percentile(sorted, 0.9)),
      };
    })
    .sort((a, b) => a.groupName.localeCompare(b.groupName));

  const decided = approved + denied;
  return {
    since: new Date(options.now.getTime() - options.days * DAY).toISOString(),
    until: options.now.toISOString(),
    days: options.days,
    questions: rows.questions,
    mostAsked,
    unknownNames,
    requestsByTool,
    turnaround,
    denialRate: { decided, denied, rate: decided ? round1((denied / decided) * 100) / 100 : null },
    staleTools: staleTools(registry.tools, options.now, options.maxAgeDays),
    maxAgeDays: options.maxAgeDays,
    expiring: [...rows.expiring]
      .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt) || a.id - b.id)
      .map((e) => ({
        requestId: e.id,
        toolId: e.toolId,
        name: nameOf(e.toolId),
        requester: e.requester,
        expiresAt: e.expiresAt,
      })),
    expiringDays: EXPIRING_DAYS,
  };
}

export type StaleDigestNotice = Extract<Notice, { kind: 'stale_digest' }>;

/**
 * The weekly digest of stale tools, if one is due: never sent, or last sent a week or more before
 * `now`. Due with nothing stale, it is still recorded as done (so the week's check is not repeated
 * every minute), but posts nothing. No review channel: nothing to post to, nothing recorded.
 */
export function planStaleDigest(
  lastSentAt: string | null,
  now: Date,
  stale: readonly StaleTool[],
  channel: string | null,
  maxAgeDays: number,
): { notices: StaleDigestNotice[] } | null {
  if (!channel) return null;
  if (lastSentAt !== null && now.getTime() - Date.parse(lastSentAt) < DIGEST_PERIOD_DAYS * DAY) return null;
  if (!stale.length) return { notices: [] };
  return {
    notices: [
      {
        kind: 'stale_digest',
        channel,
        at: now.toISOString(),
        maxAgeDays,
        tools: stale.map((s) => ({ id: s.toolId, name: s.name, lastChecked: s.lastChecked, ageDays: s.ageDays })),
      },
    ],
  };
}
