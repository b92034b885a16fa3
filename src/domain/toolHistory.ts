// A tool's classification over time (issue 12): every change recorded as it is made (import, edit,
// Slack), and the past a company already had, loaded from the registry file's `history:` entries.
import { describeChange, type Classification } from './reclassification.ts';
import type { DisplayNames, RiskClass, ToolStatus } from './types.ts';

/** Where a history entry came from. */
export const HISTORY_SOURCES = ['file', 'import', 'edit', 'slack'] as const;
export type HistorySource = (typeof HISTORY_SOURCES)[number];

/** A past classification as the registry file states it: from `date` on, the tool (or one region) had `status`. */
export interface PastClassification {
  /** YYYY-MM or YYYY-MM-DD. */
  date: string;
  status: ToolStatus;
  risk?: RiskClass | undefined;
  /** The region this status was for; without it, the global status. */
  region?: string | undefined;
  reason?: string | undefined;
  by?: string | undefined;
}

export interface HistoryEntry {
  /** When it took effect: a date from the file (YYYY-MM or YYYY-MM-DD), or the time it was recorded. */
  at: string;
  actor: string | null;
  source: HistorySource;
  /** The classification before; null where nothing earlier is known. */
  before: Classification | null;
  after: Classification;
  reason: string | null;
}

const EMPTY: Classification = { status: null, risk: null, regions: {}, approvers: null };

/**
 * The file's past entries as history: in date order, each one's classification the previous one's
 * with its own change applied (a region entry changes that region's status only).
 */
export function fileHistoryEntries(past: readonly PastClassification[]): HistoryEntry[] {
  const sorted = past
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.date < b.p.date ? -1 : a.p.date > b.p.date ? 1 : a.i - b.i));
  let state: Classification | null = null;
  return sorted.map(({ p }) => {
    const base: Classification = state ?? EMPTY;
    const after: Classification = {
      status: p.region ? base.status : p.status,
      risk: p.risk ?? base.risk,
      regions: p.region ? { ...base.regions, [p.region]: p.status } : { ...base.regions },
      approvers: base.approvers,
    };
    const entry: HistoryEntry = {
      at: p.date,
      actor: p.by ?? null,
      source: 'file',
      before: state,
      after,
      reason: p.reason ?? null,
    };
    state = after;
    return entry;
  });
}

const month = (at: string): string => at.slice(0, 7);
const byTime = (a: HistoryEntry, b: HistoryEntry) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0);

/**
 * The classification over time in one line: "2023-05 prohibited → 2024-06 approved with conditions →
 * 2025-03 high risk, prohibited in China mainland". Where the first entry records what it replaced,
 * that comes first, undated. Null when there is no history.
 */
export function historyLine(entries: readonly HistoryEntry[], names: DisplayNames): string | null {
  const sorted = [...entries].sort(byTime);
  const first = sorted[0];
  if (!first) return null;
  const steps: string[] = [];
  if (first.before) steps.push(describeChange(null, first.before, names).join(', ') || 'unclassified');
  for (const e of sorted) {
    const change = describeChange(e.before, e.after, names);
    steps.push(`${month(e.at)} ${change.join(', ') || 'unchanged'}`);
  }
  return steps.join(' → ');
}

const SOURCE_WORDS: Record<HistorySource, string> = {
  file: 'from the registry file',
  import: 'registry import',
  edit: 'registry edit',
  slack: 'in Slack',
};

/** One line per entry: when, who, before → after, the reason. */
export function historyDetail(entries: readonly HistoryEntry[], names: DisplayNames): string[] {
  return [...entries].sort(byTime).map((e) => {
    const was = e.before ? describeChange(null, e.before, names).join(', ') || 'unclassified' : '(not recorded)';
    const now = describeChange(null, e.after, names).join(', ');
    const who = e.actor ? ` by ${e.actor}` : '';
    const why = e.reason ? `; reason: ${e.reason}` : '';
    return `${e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}  ${SOURCE_WORDS[e.source]}${who}: ${was} → ${now}${why}`;
  });
}
