// Issue 12: one tool entry checked as the import checks it (for Classify and Edit), the registry's
// review_group, the review form, and the tool form read back from a submitted view.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkReviewForm } from '../../src/domain/review.ts';
import { parseToolEntry, registryToDocument } from '../../src/domain/registrySchema.ts';
import type { Registry } from '../../src/domain/types.ts';
import { parseRegistryYaml } from '../../src/service/registryFile.ts';
import { toolBlockId, toolEntryFromState, toolFieldErrors, toolFormModal } from '../../src/slack/render/toolForm.ts';
import { REGISTRY_PATH } from '../helpers/tmp.ts';

const shipped = (): Registry => {
  const r = parseRegistryYaml(readFileSync(REGISTRY_PATH, 'utf8'));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.registry;
};

const entry = {
  id: 'opencode',
  name: 'OpenCode',
  vendor: 'Anomaly',
  vendor_country: 'US',
  category: 'ai-coding-assistant',
  risk: 'high',
  status: 'exception_required',
  reason: 'Sends code to whichever model provider it is set up with.',
  alternatives: ['github-copilot'],
  regions: { cn: { status: 'prohibited', reason: 'Not cleared in mainland China.' } },
};

describe('parseToolEntry', () => {
  it('takes a tool the import would take, in the registry shape', () => {
    const r = parseToolEntry(entry, shipped());
    expect(r).toMatchObject({
      ok: true,
      tool: { id: 'opencode', vendorCountry: 'US', aliases: [], regions: { cn: { status: 'prohibited' } } },
    });
  });

  it('names each problem by its field, as the import does, against the rest of the registry', () => {
    const r = parseToolEntry(
      {
        ...entry,
        id: 'cursor',
        aliases: ['claude code'],
        vendor_country: 'usa',
        alternatives: ['no-such-tool'],
        approvers: ['nobody'],
        regions: { mars: { status: 'prohibited' } },
      },
      shipped(),
    );
    // As in an import, a bad shape is reported first; the references are checked once the shape is right.
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
    expect(problems).toEqual(expect.arrayContaining(['vendor_country: expected a two-letter country code such as US']));
    const fixed = parseToolEntry(
      {
        ...entry,
        id: 'cursor',
        aliases: ['claude code'],
        alternatives: ['no-such-tool'],
        approvers: ['nobody'],
        regions: { mars: { status: 'prohibited' } },
      },
      shipped(),
    );
    const refs = fixed.ok ? [] : fixed.errors.map((e) => `${e.path}: ${e.message}`);
    expect(refs).toEqual([
      'id: "cursor" is the id of a tool already in the registry; choose another',
      'alternatives[0]: unknown tool id "no-such-tool"',
      'approvers[0]: unknown approver group "nobody"',
      'regions.mars: unknown region (regions: global, cn)',
      'aliases[0]: "claude code" is also a name of tool "claude-code"',
    ]);
  });

  it('replacing a stored tool, its own names are no clash', () => {
    const registry = shipped();
    const cursor = registryToDocument(registry).tools.find((t) => t.id === 'cursor');
    expect(parseToolEntry({ ...cursor, reason: 'Changed.' }, registry, 'cursor')).toMatchObject({
      ok: true,
      tool: { id: 'cursor', reason: 'Changed.' },
    });
  });
});

describe('review_group', () => {
  const file = (group: string) =>
    readFileSync(REGISTRY_PATH, 'utf8').replace(/^review_group: .*$/m, `review_group: ${group}`);
  it('is an approver group, read back by an export', () => {
    const r = parseRegistryYaml(file('security'));
    expect(r.ok && r.registry.reviewGroup).toBe('security');
    expect(r.ok && registryToDocument(r.registry).review_group).toBe('security');
  });
  it('an unknown group is named with the groups there are', () => {
    const r = parseRegistryYaml(file('tool-review'));
    expect(r.ok ? [] : r.errors).toContain(
      'review_group: unknown approver group "tool-review" (groups: security, legal, privacy); add it under approver_groups',
    );
  });
});

describe('checkReviewForm', () => {
  it('each missing or bad field under its own name', () => {
    expect(checkReviewForm({ name: ' -- ', vendor: '', usage: ' ', dataClass: 'secret' })).toEqual({
      ok: false,
      errors: {
        name: expect.stringContaining('name'),
        vendor: expect.stringContaining('web address'),
        usage: expect.stringContaining('use it for'),
        dataClass: 'Choose one of: public, internal, confidential, restricted.',
      },
    });
  });
  it('spaces collapsed in the name and vendor', () => {
    expect(
      checkReviewForm({ name: ' Open   Code ', vendor: 'x.ai', usage: 'Refactoring', dataClass: 'internal' }),
    ).toEqual({
      ok: true,
      values: { name: 'Open Code', vendor: 'x.ai', usage: 'Refactoring', dataClass: 'internal' },
    });
  });
});

describe('the tool form', () => {
  it('fits in one modal, and a submitted view reads back as a file entry the import takes', () => {
    const registry = shipped();
    const modal = toolFormModal(registry, entry as never, {
      callbackId: 'x',
      title: 'Classify a tool',
      submit: 'Add',
      meta: null,
      intro: [],
    });
    expect(modal.blocks.length).toBeLessThanOrEqual(100);
    const ids = new Set(modal.blocks.flatMap((b) => (b.type === 'input' && b.block_id ? [b.block_id] : [])));
    for (const field of [
      'id',
      'name',
      'aliases',
      'vendor',
      'vendor_country',
      'operating_entity',
      'category',
      'risk',
      'status',
      'reason',
      'conditions',
      'alternatives',
      'data.sends_code_externally',
      'data.data_location',
      'open_weights',
      'certifications',
      'cn_filing',
      'export_controlled',
      'facts_checked',
      'sources',
      'max_exception_days',
      'approvers',
      'regions.cn.status',
      'regions.cn.reason',
      'regions.cn.alternatives',
    ])
      expect(ids, field).toContain(toolBlockId(field));

    const v = (value: string) => ({ value: { type: 'plain_text_input', value } });
    const sel = (value: string) => ({ value: { type: 'static_select', selected_option: { value } } });
    const multi = (...values: string[]) => ({
      value: { type: 'multi_static_select', selected_options: values.map((value) => ({ value })) },
    });
    const state: Record<string, Record<string, unknown>> = {
      [toolBlockId('id')]: v('opencode'),
      [toolBlockId('name')]: v(' OpenCode '),
      [toolBlockId('aliases')]: v('open code, opencode cli'),
      [toolBlockId('vendor')]: v('Anomaly'),
      [toolBlockId('vendor_country')]: v('us'),
      [toolBlockId('category')]: sel('ai-coding-assistant'),
      [toolBlockId('risk')]: sel('high'),
      [toolBlockId('status')]: sel('exception_required'),
      [toolBlockId('reason')]: v('Sends code out.'),
      [toolBlockId('conditions')]: v(''),
      [toolBlockId('alternatives')]: multi('github-copilot'),
      [toolBlockId('data.sends_code_externally')]: sel('yes'),
      [toolBlockId('open_weights')]: sel('no'),
      [toolBlockId('certifications')]: v('SOC 2 Type II, ISO 27001'),
      [toolBlockId('sources')]: v('https://opencode.ai/docs\nhttps://github.com/sst/opencode'),
      [toolBlockId('facts_checked')]: { value: { type: 'datepicker', selected_date: '2026-12-01' } },
      [toolBlockId('max_exception_days')]: { value: { type: 'number_input', value: '30' } },
      [toolBlockId('regions.cn.status')]: sel('prohibited'),
      [toolBlockId('regions.cn.reason')]: v('Not cleared.'),
      [toolBlockId('regions.cn.alternatives')]: multi(),
    };
    const read = toolEntryFromState(state, registry.regions);
    expect(read).toEqual({
      id: 'opencode',
      name: 'OpenCode',
      aliases: ['open code', 'opencode cli'],
      vendor: 'Anomaly',
      vendor_country: 'US',
      category: 'ai-coding-assistant',
      risk: 'high',
      status: 'exception_required',
      reason: 'Sends code out.',
      alternatives: ['github-copilot'],
      max_exception_days: 30,
      data: { sends_code_externally: true },
      open_weights: false,
      certifications: ['SOC 2 Type II', 'ISO 27001'],
      facts_checked: '2026-12-01',
      sources: ['https://opencode.ai/docs', 'https://github.com/sst/opencode'],
      regions: { cn: { status: 'prohibited', reason: 'Not cleared.' } },
    });
    expect(parseToolEntry(read, registry).ok).toBe(true);
  });

  it('puts each problem under the input block it concerns', () => {
    const ids = new Set([
      toolBlockId('name'),
      toolBlockId('alternatives'),
      toolBlockId('regions.cn.alternatives'),
      toolBlockId('data.data_location'),
    ]);
    expect(
      toolFieldErrors(
        [
          { path: 'alternatives[1]', message: 'unknown tool id "x"' },
          { path: 'regions.cn.alternatives[0]', message: 'unknown tool id "y"' },
          { path: 'data.data_location', message: 'at most 100 characters' },
          { path: 'nowhere', message: 'odd' },
        ],
        ids,
      ),
    ).toEqual({
      [toolBlockId('alternatives')]: 'alternatives[1]: unknown tool id "x"',
      [toolBlockId('regions.cn.alternatives')]: 'regions.cn.alternatives[0]: unknown tool id "y"',
      [toolBlockId('data.data_location')]: 'at most 100 characters',
      [toolBlockId('name')]: 'odd',
    });
  });
});
