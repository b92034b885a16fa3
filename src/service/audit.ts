// Checking the audit log: its hash chain, and heads recorded somewhere the database's owner cannot reach.
import type { AuditRecord, AuditVerification, ServiceContext } from './ports.ts';

/** An anchor as `audit verify` prints it: `ENTRY:HASH`. */
export const ANCHOR_PATTERN = /^(\d+):([0-9a-f]{64})$/;

export type AuditCheck =
  | { ok: true; entries: number; head: string | null; anchors: number }
  | { ok: false; problem: string; firstBad: number };

/**
 * The chain shows an edited or removed row; it proves nothing against someone who rewrites all of
 * it. An anchor (a head recorded elsewhere) does: the entry it names must still carry its hash.
 * Anchors must be well-formed (`ANCHOR_PATTERN`); callers check that, as it is the caller's input.
 */
export async function verifyAudit(
  ctx: Pick<ServiceContext, 'store'>,
  anchors: readonly string[] = [],
): Promise<AuditCheck> {
  const v: AuditVerification = await ctx.store.verifyAudit();
  if (!v.ok) return { ok: false, problem: v.problem, firstBad: v.firstBad };
  if (anchors.length) {
    const byId = new Map((await ctx.store.auditEntries(null)).map((e: AuditRecord) => [e.id, e.hash]));
    for (const anchor of anchors) {
      const [, id, hash] = ANCHOR_PATTERN.exec(anchor) ?? [];
      if (byId.get(Number(id)) !== hash) {
        return {
          ok: false,
          firstBad: Number(id),
          problem: `entry #${id} no longer has the hash recorded for it (${hash?.slice(0, 12)}…): the log was rewritten`,
        };
      }
    }
  }
  return { ok: true, entries: v.entries, head: v.head, anchors: anchors.length };
}
