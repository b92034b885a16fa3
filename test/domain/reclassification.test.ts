// Reclassification's rules (issue 12): what a change to a tool does to its exceptions and requests.
import { describe, expect, it } from 'vitest';
import { fileRequest, type ExceptionRequest } from '../../src/domain/exceptions.ts';
import {
  consequencesOfChange,
  impactOfChange,
  impactSummary,
  mayEditRegistry,
} from '../../src/domain/reclassification.ts';
import { fileHistoryEntries, historyLine } from '../../src/domain/toolHistory.ts';
import type { DisplayNames, Tool } from '../../src/domain/types.ts';

const t0 = new Date('2026-11-01T09:00:00Z');
const now = new Date('2026-11-10T09:00:00Z');
const names: DisplayNames = { regions: { global: 'Global', cn: 'China mainland' }, categories: {} };
const chains = {
  low: [],
  medium: ['security'],
  high: ['security', 'legal'],
  critical: ['security', 'legal', 'privacy'],
};

const tool: Tool = {
  id: 'claude-code',
  name: 'Claude Code',
  vendor: 'Anthropic',
  vendorCountry: 'US',
  category: 'ai-coding-assistant',
  aliases: [],
  risk: 'high',
  status: 'exception_required',
  reason: 'Sends code to the vendor.',
  conditions: 'Open-source repositories only.',
  alternatives: ['continue'],
  maxExceptionDays: null,
  approvers: null,
  data: {},
  facts: {},
  policyUrl: null,
  reviewed: null,
  regions: { cn: { status: 'prohibited', reason: 'Not cleared in mainland China.' } },
};

function request(id: number, requester: string, region: string, status: 'active' | 'pending'): ExceptionRequest {
  const draft = {
    toolId: tool.id,
    requester,
    region,
    department: null,
    justification: 'x'.repeat(30),
    usage: 'repo',
    dataClass: 'internal' as const,
    durationDays: 30,
    renewalOf: null,
  };
  const r = fileRequest(id, draft, chains.high, t0).request;
  return status === 'active' ? { ...r, status: 'active', expiresAt: '2026-12-01T09:00:00.000Z' } : r;
}

const bobActive = request(1, 'U0BOB', 'global', 'active');
const carolPending = request(2, 'U0CAROL', 'global', 'pending');
const open = [bobActive, carolPending];
const both = { before: chains, after: chains };

describe('the impact of a reclassification', () => {
  it('prohibited globally: the exception is revoked and the pending request closed, each told why', () => {
    const after: Tool = { ...tool, status: 'prohibited' };
    const impact = impactOfChange(tool, after, open, both, names);
    expect(impact.change).toEqual(['prohibited']);
    expect(impact.items.map((i) => [i.requestId, i.outcome])).toEqual([
      [1, 'revoke'],
      [2, 'close_prohibited'],
    ]);
    const ts = consequencesOfChange(impact, after, open, { actor: 'U0SEC1', reason: 'Banned in 2025.', now, names });
    expect(ts.map((t) => [t.request.id, t.request.status, t.audit[0]?.action])).toEqual([
      [1, 'revoked', 'request.revoked'],
      [2, 'cancelled', 'request.closed'],
    ]);
    expect(ts[0]?.request.endReason).toBe('Claude Code is now Prohibited in Global: Banned in 2025.');
    expect(ts[1]?.request.stages.map((s) => s.status)).toEqual(['cancelled', 'cancelled']);
    expect(ts.flatMap((t) => t.notices.filter((n) => n.kind === 'dm'))).toEqual([
      { kind: 'dm', user: 'U0BOB', requestId: 1, event: 'reclassified' },
      { kind: 'dm', user: 'U0CAROL', requestId: 2, event: 'reclassified' },
    ]);
  });

  it('prohibited in one region only touches what was asked from there', () => {
    const after: Tool = { ...tool, regions: { ...tool.regions, global: { status: 'prohibited' } } };
    const cnPending = request(3, 'U0ALICE', 'cn', 'pending');
    const impact = impactOfChange(tool, after, [...open, cnPending], both, names);
    expect(impact.change).toEqual(['prohibited in Global']);
    // Alice's region (cn) was prohibited already: the change is not hers.
    expect(impact.items.map((i) => i.requestId)).toEqual([1, 2]);
  });

  it('approved: pending requests close as no longer needed, exceptions held stay', () => {
    const after: Tool = { ...tool, status: 'approved' };
    const impact = impactOfChange(tool, after, open, both, names);
    expect(impact.items).toEqual([
      { requestId: 2, requester: 'U0CAROL', region: 'global', state: 'pending', outcome: 'close_not_needed' },
    ]);
    const [t] = consequencesOfChange(impact, after, open, { actor: 'cli:ops', reason: 'Cleared.', now, names });
    expect(t?.request.endReason).toBe('Claude Code is now Approved in Global, so no exception is needed: Cleared.');
  });

  it('a new chain: pending requests keep the one they were filed under, nothing is done to them', () => {
    const after: Tool = { ...tool, risk: 'medium' };
    const impact = impactOfChange(tool, after, open, both, names);
    expect(impact.change).toEqual(['medium risk']);
    expect(impact.items.map((i) => [i.requestId, i.outcome])).toEqual([[2, 'keeps_chain']]);
    expect(consequencesOfChange(impact, after, open, { actor: 'x', reason: null, now, names })).toEqual([]);
    expect(impactSummary([impact], names)).toEqual([
      'Claude Code (claude-code): medium risk',
      '  1 pending requests keep the approval chain they were filed under: #2 U0CAROL (Global)',
    ]);
  });

  it('a pending renewal of a revoked exception is withdrawn with it', () => {
    const renewal = { ...request(4, 'U0BOB', 'global', 'pending'), renewalOf: 1 };
    const after: Tool = { ...tool, regions: { cn: { status: 'prohibited' }, global: { status: 'prohibited' } } };
    // The renewal is of this tool, so it is closed as prohibited itself, once.
    const impact = impactOfChange(tool, after, [bobActive, renewal], both, names);
    const ts = consequencesOfChange(impact, after, [bobActive, renewal], { actor: 'x', reason: null, now, names });
    expect(ts.map((t) => [t.request.id, t.request.status])).toEqual([
      [1, 'revoked'],
      [4, 'cancelled'],
    ]);
  });
});

describe('who may edit', () => {
  const registry = {
    admins: ['U0ADMIN1'],
    reviewChannel: 'C0SECURITY',
    approverGroups: [
      { id: 'security', name: 'Security', channel: 'C0SECURITY', members: ['U0SEC1'], usergroup: null, backup: null },
      { id: 'legal', name: 'Legal', channel: 'C0LEGAL', members: ['U0LEGAL1'], usergroup: null, backup: null },
    ],
  };
  it('admins and the review group, nobody else', () => {
    expect(['U0ADMIN1', 'U0SEC1', 'U0LEGAL1', 'U0BOB'].map((u) => mayEditRegistry(registry, u))).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('history', () => {
  it('the file’s past entries, in date order, as one line', () => {
    const entries = fileHistoryEntries([
      { date: '2025-03', status: 'prohibited', region: 'cn', risk: 'high' },
      { date: '2023-05', status: 'prohibited' },
      { date: '2024-06', status: 'conditional' },
    ]);
    expect(historyLine(entries, { regions: {}, categories: {} })).toBe(
      '2023-05 prohibited → 2024-06 approved with conditions → 2025-03 high risk, prohibited in cn',
    );
    expect(entries[2]?.after).toEqual({
      status: 'conditional',
      risk: 'high',
      regions: { cn: 'prohibited' },
      approvers: null,
    });
  });
});
