// The audit log's pure rules: anchors and the published head, acknowledgements, and replaying the
// log to the state it says each request reached (issue 9, items 0 and 7).
import { describe, expect, it } from 'vitest';
import {
  acknowledge,
  acknowledgementsIn,
  asReadBack,
  headAnnouncement,
  parseAnchor,
  planHeadPublication,
  sortProblems,
  stateDifferences,
  wellFormed,
  type AuditProblem,
  type LogEntry,
} from '../../src/domain/audit.ts';
import { decideStage, fileRequest, sweepRequest, type RequestDraft } from '../../src/domain/exceptions.ts';

const t0 = new Date('2026-11-01T09:00:00Z');
const HASH = 'ab'.repeat(32);

const draft: RequestDraft = {
  toolId: 'claude-code',
  requester: 'U0BOB',
  region: 'global',
  department: null,
  justification: 'Needed for the open-source SDK work, nothing confidential.',
  usage: 'github.com/acme/sdk',
  dataClass: 'internal',
  durationDays: 30,
  renewalOf: null,
};

/** A request filed and then denied at its first stage, with the log entries that says so. */
function deniedRequest() {
  const filed = fileRequest(1, draft, ['security', 'legal'], t0);
  const denied = decideStage(
    filed.request,
    { actor: 'U0SEC1', position: 0, decision: 'deny', note: 'No need for it.', actorGroups: new Set(['security']) },
    t0,
  );
  if (!denied.ok) throw new Error('not denied');
  const log: LogEntry[] = [...filed.audit, ...denied.transition.audit].map((e, i) => ({
    ...e,
    id: i + 1,
    at: t0.toISOString(),
    // As the store keeps them: JSON, read back.
    after: JSON.parse(JSON.stringify(e.after)) as unknown,
  }));
  return { request: denied.transition.request, log };
}

describe('text as it is stored', () => {
  it('wellFormed replaces lone surrogates and keeps pairs; asReadBack is what the driver gives back', () => {
    expect(wellFormed('x\uD83D')).toBe('x\uFFFD');
    expect(wellFormed('\uDE00y')).toBe('\uFFFDy');
    expect(wellFormed('ok 😀')).toBe('ok 😀');
    expect(asReadBack('x\uD83D')).toBe('x\uFFFD\uFFFD\uFFFD');
    expect(asReadBack('ok 😀')).toBe('ok 😀');
  });
});

describe('anchors', () => {
  it('reads N:HASH and the text of a published head, formatting and all', () => {
    const text = headAnnouncement({ entry: 812, hash: HASH, at: '2026-12-01T09:00:12.345Z' });
    expect(text).toBe(`toolgate audit head 812:${HASH} at 2026-12-01T09:00Z`);
    for (const t of [`812:${HASH}`, ` 812:${HASH}\n`, text, `:lock: *toolgate audit head* \`812:${HASH}\` at …`])
      expect(parseAnchor(t), t).toEqual({ entry: 812, hash: HASH });
  });
  it('refuses anything else', () => {
    for (const t of ['nonsense', `812:${HASH.slice(1)}`, `812:${HASH}0`, `head 812:${HASH}`, `x812:${HASH}`])
      expect(parseAnchor(t), t).toBeNull();
  });
});

describe('publishing the head', () => {
  const state = { head: { entry: 5, hash: HASH }, lastAction: 'request.filed', lastPublishedAt: null };
  const day = 86_400_000;
  it('publishes to the channel, with its audit entry, when due', () => {
    const plan = planHeadPublication(state, { now: t0, intervalMs: day, channel: 'C0AUDIT' });
    expect(plan?.publication).toMatchObject({ entry: 5, hash: HASH, channel: 'C0AUDIT' });
    expect(plan?.publication.text).toBe(`toolgate audit head 5:${HASH} at 2026-11-01T09:00Z`);
    expect(plan?.notices).toEqual([
      { kind: 'audit_head', channel: 'C0AUDIT', entry: 5, hash: HASH, at: t0.toISOString() },
    ]);
    expect(plan?.audit).toEqual([
      expect.objectContaining({ action: 'audit.head_published', after: { entry: 5, hash: HASH, channel: 'C0AUDIT' } }),
    ]);
    // No channel: the audit entry only (the caller logs the line).
    expect(planHeadPublication(state, { now: t0, intervalMs: day, channel: null })?.notices).toEqual([]);
  });
  it('not before the interval, not with nothing new, not for an empty log', () => {
    const published = { ...state, lastPublishedAt: new Date(t0.getTime() - day + 1000).toISOString() };
    expect(planHeadPublication(published, { now: t0, intervalMs: day, channel: null })).toBeNull();
    expect(
      planHeadPublication(published, { now: new Date(t0.getTime() + 1000), intervalMs: day, channel: null }),
    ).not.toBeNull();
    expect(
      planHeadPublication({ ...state, lastAction: 'audit.head_published' }, { now: t0, intervalMs: 0, channel: null }),
    ).toBeNull();
    expect(planHeadPublication({ ...state, head: null }, { now: t0, intervalMs: 0, channel: null })).toBeNull();
  });
});

describe('acknowledging a known-bad entry', () => {
  const altered: AuditProblem = { entry: 10, kind: 'altered', message: 'entry 10 was altered', digest: 'd10' };
  const other: AuditProblem = { entry: 12, kind: 'altered', message: 'entry 12 was altered', digest: 'd12' };
  const ackEntry = (by: number, entry: AuditProblem, over: Record<string, unknown> = {}): LogEntry => {
    const a = acknowledge(entry.entry, [entry], [], 'cli:ops', 'Half an emoji, cut by an old release.');
    if (!a.ok) throw new Error(a.refusal.kind);
    return { id: by, at: t0.toISOString(), ...a.audit, after: { ...(a.audit.after as object), ...over } };
  };

  it('covers that entry as stored, and nothing else', () => {
    const acks = acknowledgementsIn([ackEntry(11, altered)]);
    expect(acks).toEqual([expect.objectContaining({ by: 11, entry: 10, kinds: ['altered'], digest: 'd10' })]);
    const sorted = sortProblems([altered, other], acks);
    expect(sorted.acknowledged.map((a) => a.problem.entry)).toEqual([10]);
    expect(sorted.failing).toEqual([other]);
    // Entry 10 edited again: another digest, failing again.
    expect(sortProblems([{ ...altered, digest: 'd10-again' }], acks).failing).toHaveLength(1);
    // A new kind of problem on it is not covered either.
    expect(sortProblems([altered, { ...altered, kind: 'unlinked' }], acks).failing).toHaveLength(2);
  });

  it('an acknowledgement that is itself bad, or older than the entry, counts for nothing', () => {
    const acks = acknowledgementsIn([ackEntry(11, altered)]);
    expect(sortProblems([altered, { ...other, entry: 11 }], acks).failing).toHaveLength(2);
    expect(sortProblems([altered], acknowledgementsIn([ackEntry(9, altered)])).failing).toHaveLength(1);
  });

  it('refuses a short reason, an entry that verifies, a missing key or removed tail, and a second time', () => {
    expect(acknowledge(10, [altered], [], 'cli:ops', 'meh')).toMatchObject({ refusal: { kind: 'reason_required' } });
    expect(acknowledge(11, [altered], [], 'cli:ops', 'A good reason.')).toMatchObject({
      refusal: { kind: 'nothing_wrong' },
    });
    const unverifiable: AuditProblem = { ...altered, kind: 'unverifiable' };
    expect(acknowledge(10, [unverifiable], [], 'cli:ops', 'A good reason.')).toMatchObject({
      refusal: { kind: 'not_acknowledgeable' },
    });
    const tail: AuditProblem = { entry: 10, kind: 'truncated', message: 'removed', digest: null };
    expect(acknowledge(10, [tail], [], 'cli:ops', 'A good reason.')).toMatchObject({
      refusal: { kind: 'not_acknowledgeable' },
    });
    const acks = acknowledgementsIn([ackEntry(11, altered)]);
    expect(acknowledge(10, [altered], acks, 'cli:ops', 'A good reason.')).toMatchObject({
      refusal: { kind: 'already', ack: { by: 11 } },
    });
  });
});

describe('replaying the log against the requests', () => {
  it('a request as the log says: no difference', () => {
    const { request, log } = deniedRequest();
    expect(stateDifferences(log, [request])).toEqual([]);
  });

  it('a denied request set to active beside the log is a difference, naming the entry that says otherwise', () => {
    const { request, log } = deniedRequest();
    const forged = { ...request, status: 'active' as const, expiresAt: '2027-01-01T00:00:00.000Z' };
    expect(stateDifferences(log, [forged]).map((d) => d.message)).toEqual([
      'request #1: status is "active" in the database, but the log says "denied" (entry 2)',
      'request #1: expiresAt is "2027-01-01T00:00:00.000Z" in the database, but the log says null (entry 2)',
    ]);
  });

  it('the form, a stage’s decision and the reminders are compared too', () => {
    const { request, log } = deniedRequest();
    const stages = request.stages.map((s, i) => (i === 0 ? { ...s, decidedBy: 'U0MALLORY', note: null } : s));
    const edited = { ...request, requester: 'U0CAROL', stages, expiryRemindedAt: t0.toISOString() };
    expect(stateDifferences(log, [edited]).map((d) => d.message)).toEqual([
      'request #1: requester is "U0CAROL" in the database, but the log says "U0BOB" (entry 1)',
      'request #1: stage 1 (security) by is "U0MALLORY" in the database, but the log says "U0SEC1" (entry 2)',
      'request #1: stage 1 (security) note is null in the database, but the log says "No need for it." (entry 2)',
      `request #1: expiryRemindedAt is "${t0.toISOString()}" in the database, but the log says null`,
    ]);
  });

  it('reminders and escalations the sweep logged are expected', () => {
    const filed = fileRequest(1, draft, ['security'], t0);
    const later = new Date(t0.getTime() + 6 * 86_400_000);
    const step = sweepRequest(filed.request, later, ['U0ADMIN1']);
    if (!step) throw new Error('nothing to sweep');
    const log: LogEntry[] = [...filed.audit, ...step.transition.audit].map((e, i) => ({
      ...e,
      id: i + 1,
      at: t0.toISOString(),
      after: JSON.parse(JSON.stringify(e.after)) as unknown,
    }));
    expect(stateDifferences(log, [step.transition.request])).toEqual([]);
    expect(stateDifferences(log.slice(0, 1), [step.transition.request]).map((d) => d.message)).toEqual([
      `request #1: stage 1 (security) remindedAt is "${later.toISOString()}" in the database, but the log says null`,
      `request #1: stage 1 (security) escalatedAt is "${later.toISOString()}" in the database, but the log says null`,
    ]);
  });

  it('a request the log never filed, and one it filed that is gone', () => {
    const { request, log } = deniedRequest();
    expect(stateDifferences([], [request]).map((d) => d.message)).toEqual([
      'request #1 (denied, claude-code for U0BOB) is in the database, but the log never filed it',
    ]);
    expect(stateDifferences(log, []).map((d) => d.message)).toEqual([
      'request #1 was filed (entry 1), but is not in the database',
    ]);
  });

  it('text the driver stored with a lone surrogate compares as it reads back', () => {
    const { request, log } = deniedRequest();
    const cut = { ...log[0], after: { ...(log[0]?.after as object), justification: `${'x'.repeat(25)}\uD83D` } };
    const stored = { ...request, justification: `${'x'.repeat(25)}\uFFFD\uFFFD\uFFFD` };
    expect(stateDifferences([cut as LogEntry, ...log.slice(1)], [stored])).toEqual([]);
  });
});
