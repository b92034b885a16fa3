// Demand and turnaround (issue 12): recording each /can-i-use question, the report over a window,
// and the sweep's share of it (pruning the query log, the weekly stale digest).
import { normalizeKey } from '../domain/match.ts';
import {
  buildReport,
  EXPIRING_DAYS,
  planStaleDigest,
  staleTools,
  type DemandReport,
  type QueryLogEntry,
} from '../domain/report.ts';
import { cleanQuery, type Answer, type Asker } from './answer.ts';
import type { ServiceContext } from './ports.ts';

const DAY = 86_400_000;
export const DEFAULT_QUERY_LOG_DAYS = 90;
export const DEFAULT_REVIEW_MAX_AGE_DAYS = 365;
export const STALE_DIGEST = 'stale_tools';

/** The query log's entry for one question and the answer it got. */
export function queryLogEntry(
  rawQuery: string,
  result: Answer,
  who: { user: string; region: string },
  now: Date,
): QueryLogEntry {
  const query = 'query' in result ? result.query : cleanQuery(rawQuery);
  const found = result.kind === 'found';
  return {
    at: now.toISOString(),
    user: who.user,
    query,
    queryKey: normalizeKey(query),
    outcome: result.kind,
    toolId: found ? result.tool.id : null,
    status: found ? result.verdict.status : null,
    region: found ? result.verdict.region : result.kind === 'list' ? result.region : who.region,
  };
}

/**
 * Records a /can-i-use question. Called once the answer is on its way: it reads the registry in
 * memory for the asker's region and hands the entry to the store's buffer, never waiting on the database.
 */
export async function recordQuestion(
  ctx: Pick<ServiceContext, 'store' | 'clock' | 'defaultRegion'>,
  rawQuery: string,
  asker: Asker & { user: string },
  result: Answer,
): Promise<void> {
  // A found tool and a list carry the region they were answered for (queryLogEntry); only the rest look.
  const region =
    asker.region ??
    (result.kind === 'found' || result.kind === 'list'
      ? ctx.defaultRegion
      : ((await ctx.store.registrySnapshot()).person(asker.user)?.region ?? ctx.defaultRegion));
  ctx.store.logQuery(queryLogEntry(rawQuery, result, { user: asker.user, region }, ctx.clock.now()));
}

/** The report over the `days` before `now`: computed in the domain from the rows the store returns. */
export async function demandReport(
  ctx: Pick<ServiceContext, 'store' | 'reviewMaxAgeDays'>,
  options: { days: number; now: Date; maxAgeDays?: number },
): Promise<DemandReport> {
  const { now, days } = options;
  const rows = await ctx.store.reportRows(
    new Date(now.getTime() - days * DAY),
    now,
    new Date(now.getTime() + EXPIRING_DAYS * DAY),
  );
  const { registry } = await ctx.store.registrySnapshot();
  return buildReport(rows, registry, {
    now,
    days,
    maxAgeDays: options.maxAgeDays ?? ctx.reviewMaxAgeDays ?? DEFAULT_REVIEW_MAX_AGE_DAYS,
  });
}

export interface DemandSweep {
  queryLogPruned: number;
  /** Tools listed in the stale digest this sweep sent, or null when none was due. */
  staleDigest: number | null;
}

/**
 * The sweep's share of demand: questions older than QUERY_LOG_DAYS deleted (counted from the clock,
 * as the outbox's pruning is), and the weekly stale digest if a week has passed since the last one
 * (as of `now`, so `toolgate sweep --now` can rehearse the weeks).
 */
export async function demandSweep(ctx: ServiceContext, now: Date): Promise<DemandSweep> {
  const keepDays = ctx.queryLogDays ?? DEFAULT_QUERY_LOG_DAYS;
  const queryLogPruned = await ctx.store.pruneQueryLog(new Date(ctx.clock.now().getTime() - keepDays * DAY));
  const { registry } = await ctx.store.registrySnapshot();
  const maxAgeDays = ctx.reviewMaxAgeDays ?? DEFAULT_REVIEW_MAX_AGE_DAYS;
  const stale = staleTools(registry.tools, now, maxAgeDays);
  const sent = await ctx.store.sendDigest(
    STALE_DIGEST,
    (lastSentAt) => planStaleDigest(lastSentAt, now, stale, registry.reviewChannel, maxAgeDays),
    'system',
    now,
  );
  return { queryLogPruned, staleDigest: sent ? stale.length : null };
}
