// The audit log's use cases: verify it (every problem in the chain and its head, anchors recorded
// elsewhere, the state the log says each request reached), acknowledge a known-bad entry, and
// publish the head outside the database.
import {
  acknowledge,
  acknowledgementsIn,
  parseAnchor,
  planHeadPublication,
  sortProblems,
  stateDifferences,
  type AcknowledgeRefusal,
  type Acknowledgement,
  type Anchor,
  type AuditKeying,
  type AuditProblem,
  type HeadPublication,
  type StateDifference,
} from '../domain/audit.ts';
import type { ServiceContext } from './ports.ts';

export { parseAnchor, type Anchor };

export interface AuditReport {
  /** Nothing failing: every problem acknowledged, every anchor matched, every request as the log says. */
  ok: boolean;
  entries: number;
  /** The last entry as `N:HASH`: what to record elsewhere (or what the daily publication posts). */
  head: string | null;
  keying: AuditKeying;
  /** Problems nobody acknowledged, anchors that no longer match: in entry order. */
  failing: AuditProblem[];
  /** Problems an admin acknowledged (`toolgate audit acknowledge`), still listed. */
  acknowledged: Array<{ problem: AuditProblem; ack: Acknowledgement }>;
  anchors: number;
  /** How many requests were replayed against the log, and where the database differs from it. */
  requests: number;
  differences: StateDifference[];
}

/**
 * The chain shows an edited, renumbered or removed row, and with the key a forged one; an anchor (a
 * head recorded elsewhere) shows a rewrite even by someone who has the key. Every problem is reported,
 * and every anchor checked, whatever else is wrong.
 */
export async function verifyAudit(
  ctx: Pick<ServiceContext, 'store'>,
  anchors: readonly Anchor[] = [],
): Promise<AuditReport> {
  const snap = await ctx.store.auditSnapshot();
  const v = snap.verification;
  const { failing, acknowledged } = sortProblems(v.ok ? [] : v.problems, acknowledgementsIn(snap.entries));
  const hashes = new Map(snap.entries.map((e) => [e.id, e.hash]));
  for (const a of anchors) {
    if (hashes.get(a.entry) !== a.hash)
      failing.push({
        entry: a.entry,
        kind: 'anchor',
        digest: null,
        message: `entry #${a.entry} no longer has the hash recorded for it (${a.hash.slice(0, 12)}…): the log was rewritten`,
      });
  }
  failing.sort((a, b) => a.entry - b.entry);
  const differences = stateDifferences(snap.entries, snap.requests);
  const last = snap.entries.at(-1);
  return {
    ok: failing.length === 0 && differences.length === 0,
    entries: v.entries,
    head: last ? `${last.id}:${last.hash}` : null,
    keying: snap.keying,
    failing,
    acknowledged,
    anchors: anchors.length,
    requests: snap.requests.length,
    differences,
  };
}

export type AcknowledgeResult = { ok: true; entry: number } | { ok: false; refusal: AcknowledgeRefusal };

/** Records, as an audit entry, that an admin knows entry N is bad and why: verify then lists it as acknowledged. */
export async function acknowledgeAuditEntry(
  ctx: ServiceContext,
  entry: number,
  reason: string,
  actor: string,
): Promise<AcknowledgeResult> {
  const snap = await ctx.store.auditSnapshot();
  if (!snap.entries.some((e) => e.id === entry)) return { ok: false, refusal: { kind: 'not_found' } };
  const v = snap.verification;
  const result = acknowledge(entry, v.ok ? [] : v.problems, acknowledgementsIn(snap.entries), actor, reason);
  if (!result.ok) return result;
  await ctx.store.recordEvent({ audit: [result.audit], notices: [] }, ctx.clock.now());
  return { ok: true, entry };
}

/**
 * Publishes the head if the last publication is older than `intervalMs` and something was written
 * since: an audit entry, and a post to the registry's audit channel if it names one.
 */
export async function publishAuditHead(ctx: ServiceContext, intervalMs: number): Promise<HeadPublication | null> {
  const channel = await ctx.store.auditChannel();
  const now = ctx.clock.now();
  return ctx.store.publishAuditHead((state) => planHeadPublication(state, { now, intervalMs, channel }), now);
}

/** The log line every publication gets, posted or not. */
export const headPublicationLine = (p: HeadPublication): string =>
  `${p.text}${p.channel ? ` (posted to channel ${p.channel})` : ' (no audit_channel in the registry: this line is the only copy outside the database)'}`;
