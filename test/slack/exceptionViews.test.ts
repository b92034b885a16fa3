import { describe, expect, it } from 'vitest';
import { fileRequest } from '../../src/domain/exceptions.ts';
import type { Tool } from '../../src/domain/types.ts';
import { approvalMessage } from '../../src/slack/render/approval.ts';
import { directMessage } from '../../src/slack/render/dm.ts';
import { homeView } from '../../src/slack/render/home.ts';
import { visibleText } from '../helpers/harness.ts';

const tool: Tool = {
  id: 'trae',
  name: 'Trae <b>',
  vendor: 'ByteDance & Co',
  vendorCountry: 'SG',
  category: 'ai-coding-assistant',
  aliases: [],
  risk: 'high',
  status: 'exception_required',
  reason: 'Cloud IDE.',
  conditions: null,
  alternatives: [],
  maxExceptionDays: null,
  approvers: null,
  data: {},
  facts: {},
  policyUrl: null,
  reviewed: null,
  regions: { cn: { conditions: 'Only with Privacy Mode on.' } },
};
const t0 = new Date('2026-11-01T09:00:00Z');
const draft = {
  toolId: 'trae',
  requester: 'U0ALICE',
  region: 'cn',
  department: 'engineering',
  justification: 'Prototype <!channel> & friends',
  usage: 'proto-repo',
  dataClass: 'public' as const,
  durationDays: 10,
  renewalOf: null,
};
const groups = new Map([
  [
    'security',
    { id: 'security', name: 'Security', channel: 'C0SECURITY', members: ['U0SEC1'], usergroup: null, backup: null },
  ],
]);

describe('exception views', () => {
  it('show the conditions of the requester’s region', () => {
    const granted = fileRequest(1, draft, [], t0).request;
    expect(visibleText(directMessage('approved', granted, tool, groups).blocks)).toContain(
      '*Conditions:* Only with Privacy Mode on.',
    );
    const home = homeView(
      { user: 'U0ALICE', active: [{ request: granted, tool }], open: [], queue: [], isApprover: false },
      groups,
    );
    expect(visibleText(home.blocks)).toContain('Only with Privacy Mode on.');
    const global = fileRequest(2, { ...draft, region: 'global' }, [], t0).request;
    expect(visibleText(directMessage('approved', global, tool, groups).blocks)).not.toContain('Conditions');
  });
  it('escape everything users and the registry wrote', () => {
    const pending = fileRequest(1, draft, ['security'], t0).request;
    const view = approvalMessage(pending, tool, 0, groups, { regions: { cn: 'China mainland' }, categories: {} });
    const shown = visibleText(view.blocks);
    expect(shown).toContain('Prototype &lt;!channel&gt; &amp; friends');
    expect(shown).toContain('Trae &lt;b&gt;');
    expect(shown).toContain('ByteDance &amp; Co');
    expect(shown).toContain('<@U0ALICE>, China mainland, engineering'); // the region by its name (issue 10)
    // The requester is a mention, as in the blocks; nothing else may be markup.
    expect(view.text.replace(`<@${pending.requester}>`, '')).not.toMatch(/[<>]/);
  });
});
