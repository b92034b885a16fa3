// The report's arithmetic (issue 12), over rows with known numbers.
import { describe, expect, it } from 'vitest';
import {
  buildReport,
  percentile,
  planStaleDigest,
  staleTools,
  type ReportRows,
  type StaleTool,
} from '../../src/domain/report.ts';
import type { ApproverGroup, Tool } from '../../src/domain/types.ts';

const tool = (id: string, reviewed: string | null, factsChecked?: string): Tool => ({
  id,
  name: id.toUpperCase(),
  vendor: 'V',
  vendorCountry: 'US',
  category: 'ai-chat',
  aliases: [],
  risk: 'medium',
  status: 'approved',
  reason: 'r',
  conditions: null,
  alternatives: [],
  maxExceptionDays: null,
  approvers: null,
  data: {},
  facts: factsChecked ? { factsChecked } : {},
  policyUrl: null,
  reviewed,
  regions: {},
});

const groups: ApproverGroup[] = [
  { id: 'security', name: 'Security review', channel: 'C1', members: [], usergroup: null, backup: null },
];
const NOW = new Date('2026-12-01T00:00:00Z');
const h = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * 3_600_000).toISOString();

describe('percentile', () => {
  it('interpolates between neighbours', () => {
    expect(percentile([1, 2, 3, 10], 0.5)).toBe(2.5);
    expect(percentile([1, 2, 10], 0.9)).toBeCloseTo(8.4);
    expect(percentile([7], 0.9)).toBe(7);
    expect(percentile([], 0.5)).toBe(0);
  });
});

describe('staleTools', () => {
  it('flags a tool whose later date is older than the limit, or which has none; oldest first', () => {
    const tools = [
      tool('fresh', '2026-06-01'),
      tool('old-review-new-facts', '2020-01-01', '2026-11-01'),
      tool('old', '2025-01-01'),
      tool('never', null),
      tool('exactly', '2025-12-01'),
    ];
    expect(staleTools(tools, NOW, 365)).toEqual<StaleTool[]>([
      { toolId: 'never', name: 'NEVER', lastChecked: null, ageDays: null },
      { toolId: 'old', name: 'OLD', lastChecked: '2025-01-01', ageDays: 699 },
    ]);
  });
});

describe('buildReport', () => {
  const rows: ReportRows = {
    questions: 12,
    toolQueries: [
      { toolId: 'b', count: 3, askers: 2 },
      { toolId: 'a', count: 3, askers: 1 },
      { toolId: 'removed', count: 5, askers: 5 },
    ],
    unknownQueries: [{ key: 'codex', example: 'Codex', count: 4, askers: 3 }],
    requests: [
      { id: 1, toolId: 'a', status: 'active' },
      { id: 2, toolId: 'a', status: 'expired' },
      { id: 3, toolId: 'a', status: 'revoked' },
      { id: 4, toolId: 'a', status: 'denied' },
      { id: 5, toolId: 'b', status: 'cancelled' },
      { id: 6, toolId: 'b', status: 'pending' },
      { id: 7, toolId: 'a', status: 'superseded' },
    ],
    stages: [
      {
        groupId: 'security',
        status: 'approved',
        startedAt: '2026-11-10T00:00:00Z',
        decidedAt: h('2026-11-10T00:00:00Z', 1),
      },
      {
        groupId: 'security',
        status: 'denied',
        startedAt: '2026-11-11T00:00:00Z',
        decidedAt: h('2026-11-11T00:00:00Z', 2),
      },
      {
        groupId: 'security',
        status: 'approved',
        startedAt: '2026-11-12T00:00:00Z',
        decidedAt: h('2026-11-12T00:00:00Z', 3),
      },
      {
        groupId: 'security',
        status: 'approved',
        startedAt: '2026-11-13T00:00:00Z',
        decidedAt: h('2026-11-13T00:00:00Z', 10),
      },
      {
        groupId: 'gone-group',
        status: 'approved',
        startedAt: '2026-11-13T00:00:00Z',
        decidedAt: h('2026-11-13T00:00:00Z', 0.5),
      },
    ],
    expiring: [
      { id: 9, toolId: 'b', requester: 'U2', expiresAt: '2026-12-10T00:00:00.000Z' },
      { id: 8, toolId: 'a', requester: 'U1', expiresAt: '2026-12-05T00:00:00.000Z' },
    ],
  };
  const report = buildReport(
    rows,
    { tools: [tool('a', '2026-11-01'), tool('b', null)], approverGroups: groups },
    { now: NOW, days: 30, maxAgeDays: 365 },
  );

  it('ranks questions by count, then name; a removed tool keeps its id as its name', () => {
    expect(report.questions).toBe(12);
    expect(report.mostAsked.map((t) => [t.name, t.count])).toEqual([
      ['removed', 5],
      ['A', 3],
      ['B', 3],
    ]);
    expect(report.unknownNames).toEqual([{ name: 'Codex', count: 4, askers: 3 }]);
  });
  it('counts a request granted once as approved, whatever ended it since', () => {
    expect(report.requestsByTool).toEqual([
      { toolId: 'a', name: 'A', total: 5, pending: 0, approved: 4, denied: 1, cancelled: 0 },
      { toolId: 'b', name: 'B', total: 2, pending: 1, approved: 0, denied: 0, cancelled: 1 },
    ]);
    expect(report.denialRate).toEqual({ decided: 5, denied: 1, rate: 0.2 });
  });
  it('gives each group its median and 90th percentile in hours', () => {
    expect(report.turnaround).toEqual([
      { groupId: 'gone-group', groupName: 'gone-group', decisions: 1, medianHours: 0.5, p90Hours: 0.5 },
      { groupId: 'security', groupName: 'Security review', decisions: 4, medianHours: 2.5, p90Hours: 7.9 },
    ]);
  });
  it('lists stale tools and expiring exceptions, soonest first', () => {
    expect(report.staleTools.map((t) => t.toolId)).toEqual(['b']);
    expect(report.expiring.map((e) => [e.requestId, e.name])).toEqual([
      [8, 'A'],
      [9, 'B'],
    ]);
    expect(report.since).toBe('2026-11-01T00:00:00.000Z');
  });
  it('has no denial rate when nothing was decided', () => {
    const empty = buildReport(
      { ...rows, requests: [{ id: 1, toolId: 'a', status: 'pending' }] },
      { tools: [], approverGroups: [] },
      { now: NOW, days: 7, maxAgeDays: 365 },
    );
    expect(empty.denialRate).toEqual({ decided: 0, denied: 0, rate: null });
  });
});

describe('planStaleDigest', () => {
  const stale: StaleTool[] = [{ toolId: 'old', name: 'Old', lastChecked: '2024-01-01', ageDays: 1000 }];
  it('is due when never sent, or a week or more after the last one', () => {
    expect(planStaleDigest(null, NOW, stale, 'C0REVIEW', 365)?.notices).toEqual([
      {
        kind: 'stale_digest',
        channel: 'C0REVIEW',
        at: NOW.toISOString(),
        maxAgeDays: 365,
        tools: [{ id: 'old', name: 'Old', lastChecked: '2024-01-01', ageDays: 1000 }],
      },
    ]);
    expect(planStaleDigest('2026-11-24T00:00:01Z', NOW, stale, 'C0REVIEW', 365)).toBeNull();
    expect(planStaleDigest('2026-11-24T00:00:00Z', NOW, stale, 'C0REVIEW', 365)?.notices).toHaveLength(1);
  });
  it('records a due week with nothing stale without posting; posts nothing where there is no review channel', () => {
    expect(planStaleDigest(null, NOW, [], 'C0REVIEW', 365)).toEqual({ notices: [] });
    expect(planStaleDigest(null, NOW, stale, null, 365)).toBeNull();
  });
});
