import { describe, expect, it } from 'vitest';
import type { Tool } from '../../src/domain/types.ts';
import { clearedAlternatives, needsAlternative, verdictFor } from '../../src/domain/verdict.ts';

const tool: Tool = {
  id: 'claude-code',
  name: 'Claude Code',
  vendor: 'Anthropic',
  vendorCountry: 'US',
  category: 'ai-coding-assistant',
  aliases: [],
  risk: 'high',
  status: 'exception_required',
  reason: 'Sends code abroad.',
  conditions: 'Open source only.',
  alternatives: ['qwen-code'],
  maxExceptionDays: 90,
  approvers: null,
  data: {},
  facts: {},
  policyUrl: null,
  reviewed: null,
  regions: { cn: { status: 'prohibited', reason: 'Not cleared in China.' } },
};

describe('verdictFor', () => {
  it('uses the global entry outside overridden regions', () => {
    expect(verdictFor(tool, 'global')).toMatchObject({
      status: 'exception_required',
      label: 'Exception required',
      reason: 'Sends code abroad.',
      regionOverride: false,
      canRequestException: true,
    });
  });
  it('applies the region override field by field', () => {
    expect(verdictFor(tool, 'cn')).toMatchObject({
      status: 'prohibited',
      label: 'Prohibited',
      reason: 'Not cleared in China.',
      conditions: null,
      alternatives: ['qwen-code'],
      regionOverride: true,
      canRequestException: false,
    });
  });
  it("shows the global entry's conditions only where the region keeps the global status", () => {
    const regions: Tool['regions'] = {
      approvedHere: { status: 'approved' },
      conditionalHere: { status: 'conditional' },
      ownConditions: { status: 'conditional', conditions: 'Team seats only.' },
      sameStatus: { reason: 'Same rule, other words.' },
      prohibitedWithText: { status: 'prohibited', conditions: 'Never mind.' },
    };
    const t: Tool = { ...tool, regions };
    expect(verdictFor(t, 'global').conditions).toBe('Open source only.');
    expect(verdictFor(t, 'sameStatus').conditions).toBe('Open source only.');
    expect(verdictFor(t, 'approvedHere').conditions).toBeNull();
    expect(verdictFor(t, 'conditionalHere').conditions).toBeNull();
    expect(verdictFor(t, 'ownConditions').conditions).toBe('Team seats only.');
    expect(verdictFor(t, 'prohibitedWithText').conditions).toBeNull();
    expect(verdictFor({ ...tool, status: 'prohibited' }, 'global').conditions).toBeNull();
  });
  it('an active exception allows the tool for its holder', () => {
    const v = verdictFor(tool, 'global', { requestId: 7, expiresAt: '2026-12-01T00:00:00.000Z' });
    expect(v).toMatchObject({
      label: 'Allowed under exception #7',
      canRequestException: false,
      exception: { requestId: 7 },
    });
  });
  it('an exception does not lift a regional prohibition', () => {
    expect(verdictFor(tool, 'cn', { requestId: 7, expiresAt: '2026-12-01T00:00:00.000Z' })).toMatchObject({
      label: 'Prohibited',
      exception: null,
    });
  });
});

describe('clearedAlternatives (issue 12: region-aware alternatives)', () => {
  const alt = (id: string, status: Tool['status'], regions: Tool['regions'] = {}): Tool => ({
    ...tool,
    id,
    name: id,
    status,
    regions,
  });
  const tools = new Map<string, Tool>([
    ['approved-everywhere', alt('approved-everywhere', 'approved')],
    ['conditional-here', alt('conditional-here', 'prohibited', { cn: { status: 'conditional' } })],
    ['banned-in-cn', alt('banned-in-cn', 'approved', { cn: { status: 'prohibited' } })],
    ['needs-exception', alt('needs-exception', 'exception_required')],
  ]);
  const toolOf = (id: string) => tools.get(id) ?? null;
  const all = ['banned-in-cn', 'needs-exception', 'approved-everywhere', 'gone', 'conditional-here'];

  it('keeps only Approved and Approved-with-conditions in the region, in the registry’s order', () => {
    expect(clearedAlternatives(all, 'global', toolOf)).toEqual(['banned-in-cn', 'approved-everywhere']);
    expect(clearedAlternatives(all, 'cn', toolOf)).toEqual(['approved-everywhere', 'conditional-here']);
  });
  it('drops an alternative that is not in the registry, and keeps none of none', () => {
    expect(clearedAlternatives(['gone'], 'global', toolOf)).toEqual([]);
    expect(clearedAlternatives([], 'cn', toolOf)).toEqual([]);
  });
  it('an alternative is needed where the tool cannot be used as it is, and not under an exception', () => {
    expect(needsAlternative(verdictFor(tool, 'global'))).toBe(true);
    expect(needsAlternative(verdictFor(tool, 'cn'))).toBe(true);
    expect(needsAlternative(verdictFor(tool, 'global', { requestId: 3, expiresAt: '2027-01-01T00:00:00Z' }))).toBe(
      false,
    );
    expect(needsAlternative(verdictFor({ ...tool, status: 'conditional', regions: {} }, 'global'))).toBe(false);
  });
});
