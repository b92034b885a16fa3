import { describe, expect, it } from 'vitest';
import {
  cancelRequest,
  consequencesOfGrant,
  consequencesOfRevocation,
  decideStage,
  fileRequest,
  refusalFor,
  revokeException,
  sweepRequest,
  withdrawRenewal,
  type ExceptionRequest,
  type RequestDraft,
} from '../../src/domain/exceptions.ts';

const t0 = new Date('2026-11-01T09:00:00Z');
const hours = (h: number) => new Date(t0.getTime() + h * 3_600_000);
const days = (d: number) => hours(d * 24);

const draft: RequestDraft = {
  toolId: 'claude-code',
  requester: 'U0BOB',
  region: 'global',
  department: 'engineering',
  justification: 'Needed for the open-source SDK refactoring.',
  usage: 'github.com/acme/sdk',
  dataClass: 'internal',
  durationDays: 30,
  renewalOf: null,
};

const filed = (): ExceptionRequest => fileRequest(1, draft, ['security', 'legal'], t0).request;
const security = new Set(['security']);
const legal = new Set(['legal']);

function approve(r: ExceptionRequest, actor: string, groups: Set<string>, position: number, at = t0): ExceptionRequest {
  const result = decideStage(r, { actor, position, decision: 'approve', note: null, actorGroups: groups }, at);
  if (!result.ok) throw new Error(`refused: ${result.refusal.kind}`);
  return result.transition.request;
}

describe('filing', () => {
  it('starts at the first stage and asks for the approval message and a DM', () => {
    const t = fileRequest(1, draft, ['security', 'legal'], t0);
    expect(t.request).toMatchObject({
      status: 'pending',
      stages: [
        { status: 'pending', startedAt: t0.toISOString() },
        { status: 'waiting', startedAt: null },
      ],
    });
    expect(t.notices).toEqual([
      { kind: 'stage_message', requestId: 1, position: 0 },
      { kind: 'dm', user: 'U0BOB', requestId: 1, event: 'filed' },
    ]);
    expect(t.audit.map((a) => a.action)).toEqual(['request.filed']);
  });
  it('filed from an answer, it asks to replace that answer while its response URL lasts (issue 10)', () => {
    const url = 'https://hooks.slack.com/actions/T0/1/x';
    const t = fileRequest(1, draft, ['security'], t0, { url, until: hours(0.5) });
    expect(t.notices).toContainEqual({
      kind: 'answer_refresh',
      requestId: 1,
      user: 'U0BOB',
      url,
      until: hours(0.5).toISOString(),
    });
    expect(fileRequest(1, draft, ['security'], t0, { url, until: t0 }).notices.map((n) => n.kind)).not.toContain(
      'answer_refresh',
    );
  });
  it('with no approval stages, the exception is granted at once', () => {
    const t = fileRequest(1, draft, [], t0);
    expect(t.request).toMatchObject({ status: 'active', expiresAt: days(30).toISOString() });
  });
});

describe('deciding', () => {
  it('moves stage by stage and activates on the last approval', () => {
    const first = decideStage(
      filed(),
      { actor: 'U0SEC1', position: 0, decision: 'approve', note: 'ok', actorGroups: security },
      hours(1),
    );
    expect(first).toMatchObject({ ok: true, outcome: 'advanced' });
    const r = first.ok ? first.transition.request : filed();
    expect(r.stages[1]).toMatchObject({ status: 'pending', startedAt: hours(1).toISOString() });
    const last = decideStage(
      r,
      { actor: 'U0LEGAL1', position: 1, decision: 'approve', note: null, actorGroups: legal },
      hours(2),
    );
    expect(last).toMatchObject({
      ok: true,
      outcome: 'activated',
      transition: {
        request: { status: 'active', expiresAt: new Date(hours(2).getTime() + 30 * 86_400_000).toISOString() },
      },
    });
  });
  it('only the current stage’s group decides', () => {
    expect(
      decideStage(filed(), { actor: 'U0LEGAL1', position: 0, decision: 'approve', note: null, actorGroups: legal }, t0),
    ).toMatchObject({ ok: false, refusal: { kind: 'not_approver', groupId: 'security' } });
  });
  it('nobody decides their own request, and nobody decides two stages', () => {
    const own = fileRequest(1, { ...draft, requester: 'U0SEC1' }, ['security'], t0).request;
    expect(
      decideStage(own, { actor: 'U0SEC1', position: 0, decision: 'approve', note: null, actorGroups: security }, t0),
    ).toMatchObject({ ok: false, refusal: { kind: 'own_request' } });
    const both = new Set(['security', 'legal']);
    const r = approve(filed(), 'U0BOTH', both, 0);
    expect(
      decideStage(r, { actor: 'U0BOTH', position: 1, decision: 'approve', note: null, actorGroups: both }, t0),
    ).toMatchObject({ ok: false, refusal: { kind: 'decided_other_stage', position: 0 } });
  });
  it('a decided stage stays decided: later clicks are told who decided', () => {
    const r = approve(filed(), 'U0SEC1', security, 0, hours(1));
    expect(
      decideStage(
        r,
        { actor: 'U0SEC2', position: 0, decision: 'deny', note: 'no way', actorGroups: security },
        hours(2),
      ),
    ).toMatchObject({
      ok: false,
      refusal: { kind: 'stale_stage', decidedBy: 'U0SEC1', decision: 'approved' },
    });
    const denied = decideStage(
      r,
      { actor: 'U0LEGAL1', position: 1, decision: 'deny', note: 'Contract not signed.', actorGroups: legal },
      hours(3),
    );
    const done = denied.ok ? denied.transition.request : r;
    expect(done.status).toBe('denied');
    expect(
      decideStage(
        done,
        { actor: 'U0LEGAL2', position: 1, decision: 'approve', note: null, actorGroups: legal },
        hours(4),
      ),
    ).toMatchObject({
      ok: false,
      refusal: { kind: 'not_pending', status: 'denied', decidedBy: 'U0LEGAL1' },
    });
  });
  it('a stage that has not started cannot be decided yet', () => {
    expect(
      decideStage(filed(), { actor: 'U0LEGAL1', position: 1, decision: 'approve', note: null, actorGroups: legal }, t0),
    ).toMatchObject({ ok: false, refusal: { kind: 'not_started', groupId: 'legal' } });
  });
  it('notes and reasons have a limit on the server too', () => {
    expect(
      decideStage(
        filed(),
        { actor: 'U0SEC1', position: 0, decision: 'approve', note: 'x'.repeat(1001), actorGroups: security },
        t0,
      ),
    ).toMatchObject({ ok: false, refusal: { kind: 'note_too_long', max: 1000 } });
  });
  it('denying needs a reason', () => {
    expect(
      decideStage(filed(), { actor: 'U0SEC1', position: 0, decision: 'deny', note: ' ', actorGroups: security }, t0),
    ).toMatchObject({ ok: false, refusal: { kind: 'reason_required' } });
  });
});

describe('who may ask', () => {
  const verdict = { status: 'exception_required' as const, label: 'Exception required' };
  it('refuses prohibited and approved tools', () => {
    expect(refusalFor({ status: 'prohibited', label: 'Prohibited' }, [], null, 'x', t0)).toEqual({
      kind: 'prohibited',
    });
    expect(refusalFor({ status: 'approved', label: 'Approved' }, [], null, 'x', t0)).toEqual({
      kind: 'not_needed',
      label: 'Approved',
    });
  });
  it('one open request per tool, five in all', () => {
    expect(refusalFor(verdict, [{ id: 3, toolId: 'x' }], null, 'x', t0)).toEqual({
      kind: 'open_for_tool',
      requestId: 3,
    });
    const five = [1, 2, 3, 4, 5].map((id) => ({ id, toolId: `t${id}` }));
    expect(refusalFor(verdict, five, null, 'x', t0)).toEqual({ kind: 'too_many_open', open: 5 });
    expect(refusalFor(verdict, five.slice(1), null, 'x', t0)).toBeNull();
  });
  it('a holder may renew only near the end', () => {
    expect(refusalFor(verdict, [], { id: 9, expiresAt: days(30).toISOString() }, 'x', t0)).toMatchObject({
      kind: 'already_active',
      requestId: 9,
    });
    expect(refusalFor(verdict, [], { id: 9, expiresAt: days(10).toISOString() }, 'x', t0)).toBeNull();
  });
});

describe('cancel and revoke', () => {
  it('only the requester cancels, only while pending', () => {
    expect(cancelRequest(filed(), 'U0CAROL', t0)).toMatchObject({ ok: false, refusal: { kind: 'not_requester' } });
    const c = cancelRequest(filed(), 'U0BOB', t0);
    expect(c).toMatchObject({
      ok: true,
      transition: { request: { status: 'cancelled', stages: [{ status: 'cancelled' }, { status: 'cancelled' }] } },
    });
  });
  it('only admins revoke, with a reason, only active exceptions', () => {
    const active = approve(approve(filed(), 'U0SEC1', security, 0), 'U0LEGAL1', legal, 1);
    expect(revokeException(active, 'U0BOB', false, 'because', t0)).toMatchObject({
      ok: false,
      refusal: { kind: 'not_admin' },
    });
    expect(revokeException(active, 'U0ADMIN1', true, '', t0)).toMatchObject({
      ok: false,
      refusal: { kind: 'reason_required' },
    });
    expect(revokeException(filed(), 'U0ADMIN1', true, 'Vendor breach', t0)).toMatchObject({
      ok: false,
      refusal: { kind: 'wrong_status', status: 'pending' },
    });
    expect(revokeException(active, 'U0ADMIN1', true, 'Vendor breach', t0)).toMatchObject({
      ok: true,
      transition: { request: { status: 'revoked', endReason: 'Vendor breach' } },
    });
  });
});

describe('refreshing every posted message', () => {
  it('a denial at stage 2 updates the stage-1 message too', () => {
    const r = approve(filed(), 'U0SEC1', security, 0);
    const denied = decideStage(
      r,
      { actor: 'U0LEGAL1', position: 1, decision: 'deny', note: 'Contract not signed.', actorGroups: legal },
      t0,
    );
    expect(
      denied.ok &&
        denied.transition.notices
          .filter((n) => n.kind === 'stage_message')
          .map((n) => n.kind === 'stage_message' && n.position),
    ).toEqual([0, 1]);
  });
  it('revoking withdraws a pending renewal of the revoked exception', () => {
    const active = approve(approve(filed(), 'U0SEC1', security, 0), 'U0LEGAL1', legal, 1);
    const revoked = revokeException(active, 'U0ADMIN1', true, 'Vendor breach', t0);
    const renewal = fileRequest(2, { ...draft, renewalOf: 1 }, ['security', 'legal'], t0).request;
    const w = revoked.ok ? withdrawRenewal(renewal, revoked.transition.request, t0) : null;
    expect(w?.request).toMatchObject({
      status: 'cancelled',
      endedBy: 'U0ADMIN1',
      endReason: 'exception #1, which it renews, was revoked',
    });
    expect(w?.notices).toContainEqual({ kind: 'dm', user: 'U0BOB', requestId: 2, event: 'cancelled' });
    expect(
      withdrawRenewal(
        fileRequest(3, draft, ['security'], t0).request,
        revoked.ok ? revoked.transition.request : active,
        t0,
      ),
    ).toBeNull();
    const consequences = revoked.ok
      ? consequencesOfRevocation(
          revoked.transition.request,
          [renewal, fileRequest(3, draft, ['security'], t0).request],
          t0,
        )
      : [];
    expect(consequences.map((c) => [c.request.id, c.request.status])).toEqual([[2, 'cancelled']]);
    expect(consequencesOfRevocation(active, [renewal], t0)).toEqual([]);
  });
  it('a granted renewal supersedes the active exception it renews, and nothing else', () => {
    const active = approve(approve(filed(), 'U0SEC1', security, 0), 'U0LEGAL1', legal, 1);
    const renewal = approve(
      approve(fileRequest(2, { ...draft, renewalOf: 1 }, ['security', 'legal'], t0).request, 'U0SEC1', security, 0),
      'U0LEGAL1',
      legal,
      1,
    );
    const [superseded, ...rest] = consequencesOfGrant(renewal, active, days(20));
    expect(rest).toEqual([]);
    expect(superseded?.request).toMatchObject({ id: 1, status: 'superseded', endReason: 'renewed by #2' });
    expect(superseded?.audit.map((a) => a.action)).toEqual(['request.superseded']);
    expect(consequencesOfGrant(renewal, { ...active, status: 'expired' }, days(20))).toEqual([]);
    expect(consequencesOfGrant(active, null, days(20))).toEqual([]);
    expect(consequencesOfGrant(filed(), active, days(20))).toEqual([]);
  });
});

describe('sweeping', () => {
  it('reminds approvers after 48 hours and escalates after 5 days, each once', () => {
    expect(sweepRequest(filed(), hours(47), ['U0ADMIN1'])).toBeNull();
    const reminded = sweepRequest(filed(), hours(48), ['U0ADMIN1']);
    expect(reminded?.transition.notices).toEqual([{ kind: 'stage_reminder', requestId: 1, position: 0 }]);
    expect(reminded?.events).toEqual(['stage_reminded']);
    const r = reminded?.transition.request as ExceptionRequest;
    expect(sweepRequest(r, hours(100), ['U0ADMIN1'])).toBeNull();
    const escalated = sweepRequest(r, days(5), ['U0ADMIN1', 'U0ADMIN2']);
    expect(escalated?.transition.notices).toEqual([
      { kind: 'escalation', requestId: 1, position: 0, admin: 'U0ADMIN1' },
      { kind: 'escalation', requestId: 1, position: 0, admin: 'U0ADMIN2' },
    ]);
    expect(escalated?.events).toEqual(['escalated']);
    expect(sweepRequest(escalated?.transition.request as ExceptionRequest, days(9), ['U0ADMIN1'])).toBeNull();
  });
  it('a stage never reminded is reminded and escalated in one step', () => {
    const step = sweepRequest(filed(), days(6), ['U0ADMIN1']);
    expect(step?.events).toEqual(['stage_reminded', 'escalated']);
    expect(step?.transition.notices).toEqual([
      { kind: 'stage_reminder', requestId: 1, position: 0 },
      { kind: 'escalation', requestId: 1, position: 0, admin: 'U0ADMIN1' },
    ]);
  });
  it('reminds a holder 7 days before the end, then expires it', () => {
    const active = approve(approve(filed(), 'U0SEC1', security, 0), 'U0LEGAL1', legal, 1); // until day 30
    expect(sweepRequest(active, days(22), [])).toBeNull();
    const reminded = sweepRequest(active, days(23), []);
    expect(reminded?.transition.notices).toEqual([{ kind: 'dm', user: 'U0BOB', requestId: 1, event: 'expiring' }]);
    expect(reminded?.events).toEqual(['expiry_reminded']);
    expect(sweepRequest(reminded?.transition.request as ExceptionRequest, days(25), [])).toBeNull();
    const expired = sweepRequest(reminded?.transition.request as ExceptionRequest, days(30), []);
    expect(expired?.transition.request.status).toBe('expired');
    expect(expired?.events).toEqual(['expired']);
    expect(expired?.transition.notices).toContainEqual({ kind: 'dm', user: 'U0BOB', requestId: 1, event: 'expired' });
    // The reminder's Renew button no longer applies: that DM is refreshed (issue 10).
    expect(expired?.transition.notices).toContainEqual({ kind: 'dm_refresh', requestId: 1, event: 'expiring' });
    expect(sweepRequest(expired?.transition.request as ExceptionRequest, days(31), [])).toBeNull();
  });
});
