// Issue 13: the profile cache's freshness, the facts the rules see from it, and a transfer's
// effect on exceptions granted in another region.
import { describe, expect, it } from 'vitest';
import {
  factsOf,
  isDefinite,
  profileIsFresh,
  regionChangeReason,
  type CachedProfile,
} from '../../src/domain/directory.ts';
import {
  decideStage,
  endOnRegionChange,
  fileRequest,
  type ExceptionRequest,
  type RequestDraft,
} from '../../src/domain/exceptions.ts';

const t0 = new Date('2026-11-01T09:00:00Z');
const hours = (h: number) => new Date(t0.getTime() + h * 3_600_000);

const profile: CachedProfile = {
  user: 'U0MEI',
  teamId: 'T0TOOLGATE',
  userFacts: { tz: 'Asia/Shanghai', email: null, standard: {} },
  fieldValues: { Xf0OFFICE: 'Hangzhou' },
  fetchedAt: t0.toISOString(),
};

describe('the profile cache', () => {
  it('is fresh for PROFILE_TTL_HOURS after it was read, and not after', () => {
    expect(profileIsFresh(profile, hours(23.9), 24)).toBe(true);
    expect(profileIsFresh(profile, hours(24), 24)).toBe(false);
    expect(profileIsFresh(profile, hours(2), 1)).toBe(false);
  });

  it('a read time in the future (a clock that jumped back) or one that cannot be read is not fresh', () => {
    expect(profileIsFresh({ fetchedAt: hours(5).toISOString() }, t0, 24)).toBe(false);
    expect(profileIsFresh({ fetchedAt: 'yesterday' }, t0, 24)).toBe(false);
  });

  it('the facts: the request’s workspace wins over the one remembered; fields only when their values and labels came', () => {
    const labels = { Xf0OFFICE: 'Office' };
    expect(factsOf(profile, labels, 'T0CHINA')).toEqual({
      teamId: 'T0CHINA',
      user: profile.userFacts,
      fields: { values: { Xf0OFFICE: 'Hangzhou' }, labels },
    });
    expect(factsOf(profile, labels, null).teamId).toBe('T0TOOLGATE');
    // Without the labels, `Office` cannot be found among the values: the fields count as not known.
    expect(factsOf(profile, null, null).fields).toBeNull();
    expect(factsOf({ ...profile, fieldValues: null }, labels, null).fields).toBeNull();
    expect(factsOf(null, labels, null)).toEqual({ teamId: null, user: null, fields: null });
  });

  it('a default for want of a profile is not acted on; every other resolution is', () => {
    expect(isDefinite({ kind: 'default', reason: 'profile_unavailable' })).toBe(false);
    expect(isDefinite({ kind: 'default', reason: 'no_match' })).toBe(true);
    expect(isDefinite({ kind: 'registry' })).toBe(true);
  });
});

const draft: RequestDraft = {
  toolId: 'claude-code',
  requester: 'U0TOM',
  region: 'global',
  department: null,
  justification: 'I maintain our open-source SDK and need agentic refactoring.',
  usage: 'github.com/acme/sdk',
  dataClass: 'internal',
  durationDays: 30,
  renewalOf: null,
};

function granted(): ExceptionRequest {
  const r = fileRequest(1, draft, ['security'], t0).request;
  const result = decideStage(
    r,
    { actor: 'U0SEC1', position: 0, decision: 'approve', note: null, actorGroups: new Set(['security']) },
    t0,
  );
  if (!result.ok) throw new Error('approval refused');
  return result.transition.request;
}

describe('a transfer', () => {
  const reason = regionChangeReason(
    'Claude Code',
    'China mainland',
    { kind: 'rule', rule: 0, fact: { kind: 'field', label: 'Office', value: 'Hangzhou' } },
    'Prohibited',
  );

  it('says why in plain words', () => {
    expect(reason).toBe(
      'your region is now China mainland, from your Slack profile (Office: Hangzhou); there Claude Code is Prohibited, so no exception applies',
    );
  });

  it('ends an exception granted elsewhere where the new region takes none: by system, audited, with a DM', () => {
    const r = granted();
    expect(r.status).toBe('active');
    const t = endOnRegionChange(r, { region: 'cn', status: 'prohibited', reason }, hours(1));
    expect(t?.request).toMatchObject({ status: 'revoked', endedBy: 'system', endReason: reason });
    expect(t?.request.endedAt).toBe(hours(1).toISOString());
    expect(t?.audit).toEqual([
      expect.objectContaining({ actor: 'system', action: 'request.ended_by_region_change', subjectId: '1' }),
    ]);
    expect(t?.notices).toContainEqual({ kind: 'dm', user: 'U0TOM', requestId: 1, event: 'region_changed' });
    // The approval message loses its Revoke button.
    expect(t?.notices).toContainEqual({ kind: 'stage_message', requestId: 1, position: 0 });
  });

  it('an approved or conditional tool in the new region ends it too: there it takes no exception', () => {
    expect(endOnRegionChange(granted(), { region: 'cn', status: 'approved', reason }, hours(1))).not.toBeNull();
    expect(endOnRegionChange(granted(), { region: 'cn', status: 'conditional', reason }, hours(1))).not.toBeNull();
  });

  it('keeps it where the new region still allows an exception, in the same region, and when it is not active', () => {
    const r = granted();
    expect(endOnRegionChange(r, { region: 'cn', status: 'exception_required', reason }, hours(1))).toBeNull();
    expect(endOnRegionChange(r, { region: 'global', status: 'prohibited', reason }, hours(1))).toBeNull();
    const pending = fileRequest(2, draft, ['security'], t0).request;
    expect(endOnRegionChange(pending, { region: 'cn', status: 'prohibited', reason }, hours(1))).toBeNull();
  });
});
