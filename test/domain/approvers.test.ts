// Who may decide a stage: effective membership, delegation while away, four eyes across a
// delegation, and the sweep's escalation when a whole group is away (issue 13).
import { describe, expect, it } from 'vitest';
import {
  checkAbsence,
  effectiveMembers,
  groupAvailability,
  isAway,
  standsInFor,
  type Absence,
  type GroupNow,
} from '../../src/domain/approvers.ts';
import {
  auditView,
  decideStage,
  decisionAuthority,
  fileRequest,
  sweepRequest,
  type DecisionCommand,
  type ExceptionRequest,
  type RequestDraft,
} from '../../src/domain/exceptions.ts';

const now = new Date('2026-12-02T09:00:00Z');
const away = (user: string, delegate: string, startsOn = '2026-12-01', endsOn = '2026-12-04'): Absence => ({
  user,
  startsOn,
  endsOn,
  delegate,
});
const absences = (...list: Absence[]) => new Map(list.map((a) => [a.user, a]));

const security: GroupNow = {
  id: 'security',
  name: 'Security review',
  members: ['U0SEC1', 'U0SEC2'],
  backup: { id: 'security-backup', name: 'Security backup', members: ['U0JONAS'] },
};
const legal: GroupNow = {
  id: 'legal',
  name: 'Legal',
  members: ['U0LEGAL1', 'U0LEGAL2'],
  backup: { id: 'security', name: 'Security review', members: ['U0SEC1', 'U0SEC2'] },
};

describe('membership and absence', () => {
  it('a group’s members are its listed members and its user group’s, once each', () => {
    expect(effectiveMembers(['U0B', 'U0A'], ['U0A', 'U0C'])).toEqual(['U0A', 'U0B', 'U0C']);
    expect(effectiveMembers([], ['U0C'])).toEqual(['U0C']);
  });

  it('an absence covers its first and last day, whole UTC days', () => {
    const a = away('U0SEC1', 'U0JONAS', '2026-12-02', '2026-12-02');
    expect(isAway(a, new Date('2026-12-02T00:00:00Z'))).toBe(true);
    expect(isAway(a, new Date('2026-12-02T23:59:59Z'))).toBe(true);
    expect(isAway(a, new Date('2026-12-01T23:59:59Z'))).toBe(false);
    expect(isAway(a, new Date('2026-12-03T00:00:00Z'))).toBe(false);
    expect(isAway(null, now)).toBe(false);
  });

  it('a delegate stands in for away members who named them, while in the group or its backup', () => {
    const list = absences(away('U0SEC1', 'U0JONAS'), away('U0SEC2', 'U0JONAS', '2026-12-10', '2026-12-12'));
    expect(standsInFor('U0JONAS', security, list, now)).toEqual(['U0SEC1']); // U0SEC2 is not away yet
    // Once out of the backup group, Jonas stands in for nobody, whatever the absence says.
    expect(
      standsInFor(
        'U0JONAS',
        { ...security, backup: { id: 'security-backup', name: 'Security backup', members: [] } },
        list,
        now,
      ),
    ).toEqual([]);
    expect(standsInFor('U0CAROL', security, absences(away('U0SEC1', 'U0CAROL')), now)).toEqual([]);
  });

  it('a group everyone of which is away is said so, with the delegates who may still stand in', () => {
    const one = groupAvailability(security, absences(away('U0SEC1', 'U0JONAS')), now);
    expect(one).toEqual({ everyoneAway: false, delegates: [{ user: 'U0JONAS', onBehalfOf: 'U0SEC1' }] });
    const all = groupAvailability(security, absences(away('U0SEC1', 'U0JONAS'), away('U0SEC2', 'U0CAROL')), now);
    // Carol may not stand in (not in the group or its backup): not a delegate to remind.
    expect(all).toEqual({ everyoneAway: true, delegates: [{ user: 'U0JONAS', onBehalfOf: 'U0SEC1' }] });
    expect(groupAvailability({ ...security, members: [] }, new Map(), now).everyoneAway).toBe(false);
  });
});

describe('the absence form', () => {
  const input = { user: 'U0SEC1', startsOn: '2026-12-02', endsOn: '2026-12-05', delegate: 'U0JONAS' };

  it('takes a delegate of the group or its backup, and says where they stand in', () => {
    expect(checkAbsence(input, [security, legal], now)).toEqual({
      ok: true,
      absence: { user: 'U0SEC1', startsOn: '2026-12-02', endsOn: '2026-12-05', delegate: 'U0JONAS' },
      covers: ['Security review'],
    });
    expect(checkAbsence({ ...input, user: 'U0LEGAL1', delegate: 'U0SEC2' }, [security, legal], now)).toMatchObject({
      ok: true,
      covers: ['Legal'],
    });
  });

  it('names the field and the fix for each mistake', () => {
    const errors = (over: Partial<typeof input>, groups = [security]) => {
      const r = checkAbsence({ ...input, ...over }, groups, now);
      return r.ok ? {} : r.errors;
    };
    expect(errors({ delegate: 'U0CAROL' }).delegate).toBe(
      'They must be a member of your approver group or of its backup group (Security review or its backup Security backup).',
    );
    expect(errors({ delegate: 'U0SEC1' }).delegate).toContain('cannot stand in for yourself');
    expect(errors({ delegate: '' }).delegate).toBe('Pick who decides in your place.');
    expect(errors({ user: 'U0CAROL', delegate: 'U0SEC1' }).delegate).toContain('not in any approver group');
    expect(errors({ startsOn: '' }).startsOn).toBe('Pick the first day you are away.');
    expect(errors({ startsOn: '2026-02-30' }).startsOn).toContain('Pick a date');
    expect(errors({ endsOn: '2026-12-01', startsOn: '2026-11-20' }).endsOn).toContain('in the past');
    expect(errors({ startsOn: '2026-12-08', endsOn: '2026-12-06' }).endsOn).toBe(
      'The last day must be on or after the first day.',
    );
    expect(errors({ endsOn: '2028-01-01' }).endsOn).toContain('At most 366 days');
  });
});

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
const filed = (requester = 'U0BOB'): ExceptionRequest =>
  fileRequest(1, { ...draft, requester }, ['security', 'legal'], now).request;
const cmd = (
  actor: string,
  position: number,
  groups: string[],
  standsIn: Record<string, string[]> = {},
): DecisionCommand => ({
  actor,
  position,
  decision: 'approve',
  note: null,
  actorGroups: new Set(groups),
  standsInFor: new Map(Object.entries(standsIn)),
});

describe('deciding as a delegate', () => {
  it('the delegate decides in place of the away member; the stage and its audit name both', () => {
    const result = decideStage(filed(), cmd('U0JONAS', 0, [], { security: ['U0SEC1'] }), now);
    if (!result.ok) throw new Error(result.refusal.kind);
    const stage = result.transition.request.stages[0];
    expect(stage).toMatchObject({ status: 'approved', decidedBy: 'U0JONAS', onBehalfOf: 'U0SEC1' });
    expect(result.transition.audit[0]).toMatchObject({ actor: 'U0JONAS', action: 'stage.approved' });
    expect(auditView(result.transition.request).stages[0]).toEqual({
      group: 'security',
      status: 'approved',
      by: 'U0JONAS',
      for: 'U0SEC1',
      note: null,
    });
  });

  it('a member decides as themselves, even when they also stand in for someone', () => {
    const authority = decisionAuthority(filed(), cmd('U0SEC2', 0, ['security'], { security: ['U0SEC1'] }));
    expect(authority).toEqual({ ok: true, onBehalfOf: null });
  });

  it('nobody standing in for anyone of the group, and not in it, is no approver', () => {
    expect(decisionAuthority(filed(), cmd('U0JONAS', 0, [], { legal: ['U0LEGAL1'] }))).toEqual({
      ok: false,
      refusal: { kind: 'not_approver', groupId: 'security' },
    });
  });

  it('four eyes: not for the requester, in person or by delegate', () => {
    expect(decisionAuthority(filed('U0SEC1'), cmd('U0JONAS', 0, [], { security: ['U0SEC1'] }))).toEqual({
      ok: false,
      refusal: { kind: 'principal_own_request', principal: 'U0SEC1' },
    });
    expect(decisionAuthority(filed('U0JONAS'), cmd('U0JONAS', 0, [], { security: ['U0SEC1'] }))).toEqual({
      ok: false,
      refusal: { kind: 'own_request' },
    });
  });

  it('four eyes: nobody takes part in two stages, as decider or as the one stood in for', () => {
    const first = decideStage(filed(), cmd('U0SEC2', 0, ['security']), now);
    if (!first.ok) throw new Error(first.refusal.kind);
    const r = first.transition.request;
    // U0SEC2 decided stage 1; standing in for U0LEGAL1 at stage 2 is still a second stage.
    expect(decisionAuthority(r, cmd('U0SEC2', 1, [], { legal: ['U0LEGAL1'] }))).toEqual({
      ok: false,
      refusal: { kind: 'decided_other_stage', position: 0 },
    });
    // Stage 1 decided by Jonas for U0SEC1: at stage 2 nobody may stand in for U0SEC1, nor Jonas decide himself.
    const forSec1 = decideStage(filed(), cmd('U0JONAS', 0, [], { security: ['U0SEC1'] }), now);
    if (!forSec1.ok) throw new Error(forSec1.refusal.kind);
    const r2 = forSec1.transition.request;
    expect(decisionAuthority(r2, cmd('U0LEGAL2', 1, [], { legal: ['U0SEC1'] }))).toEqual({
      ok: false,
      refusal: { kind: 'principal_decided_other_stage', principal: 'U0SEC1', position: 0 },
    });
    expect(decisionAuthority(r2, cmd('U0JONAS', 1, ['legal']))).toEqual({
      ok: false,
      refusal: { kind: 'decided_other_stage', position: 0 },
    });
    // Of several it stands in for, the first who may is taken.
    expect(decisionAuthority(r2, cmd('U0LEGAL2', 1, [], { legal: ['U0SEC1', 'U0LEGAL1'] }))).toEqual({
      ok: true,
      onBehalfOf: 'U0LEGAL1',
    });
  });
});

describe('the sweep and absences', () => {
  const admins = ['U0ADMIN1', 'U0ADMIN2'];

  it('a stage whose whole group is away escalates at once, once, and keeps its reminder for later', () => {
    const step = sweepRequest(filed(), now, admins, { everyoneAway: true, delegates: [] });
    expect(step?.events).toEqual(['escalated']);
    expect(step?.transition.notices).toEqual(
      admins.map((admin) => ({ kind: 'escalation', requestId: 1, position: 0, admin, everyoneAway: true })),
    );
    expect(step?.transition.audit[0]?.after).toMatchObject({ reason: 'everyone_away' });
    const escalated = step?.transition.request as ExceptionRequest;
    expect(escalated.stages[0]).toMatchObject({ remindedAt: null, escalatedAt: now.toISOString() });
    expect(sweepRequest(escalated, now, admins, { everyoneAway: true, delegates: [] })).toBeNull();
    // 48 hours on, the group's channel is reminded as usual.
    const later = new Date(now.getTime() + 49 * 3_600_000);
    expect(sweepRequest(escalated, later, admins, { everyoneAway: true, delegates: [] })?.events).toEqual([
      'stage_reminded',
    ]);
  });

  it('reminders go to the delegates of away members too, by DM', () => {
    const later = new Date(now.getTime() + 49 * 3_600_000);
    const step = sweepRequest(filed(), later, admins, {
      everyoneAway: false,
      delegates: [{ user: 'U0JONAS', onBehalfOf: 'U0SEC1' }],
    });
    expect(step?.transition.notices).toEqual([
      { kind: 'stage_reminder', requestId: 1, position: 0 },
      { kind: 'stage_reminder', requestId: 1, position: 0, user: 'U0JONAS', onBehalfOf: 'U0SEC1' },
    ]);
  });

  it('with nobody away, nothing is escalated before its days', () => {
    expect(sweepRequest(filed(), now, admins)).toBeNull();
  });
});
