import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { problemKind, registryToDocument, summarizeProblems } from '../../src/domain/registrySchema.ts';
import { RegistryFileError } from '../../src/errors.ts';
import { parseRegistryYaml, readRegistryFile } from '../../src/service/registryFile.ts';
import { REGISTRY_PATH, tempDir } from '../helpers/tmp.ts';

const minimal = (tools: string) => `
regions: [global, cn]
approver_groups:
  - { id: security, name: Security review, channel: C0SECURITY, members: [U0SEC1] }
approval_chains: { low: [], medium: [security], high: [security], critical: [security] }
tools:
${tools}`;

const tool = (over = '') => `
  - id: cursor
    name: Cursor
    vendor: Anysphere
    vendor_country: US
    category: ai-coding-assistant
    risk: high
    status: exception_required
    reason: Sends code to the vendor.${over}`;

describe('registry file validation', () => {
  it('accepts the shipped registry', () => {
    const r = parseRegistryYaml(readFileSync(REGISTRY_PATH, 'utf8'));
    expect(r.ok ? r.registry.tools.length : r.errors).toBeGreaterThanOrEqual(25);
  });

  it('accepts a minimal tool and fills defaults', () => {
    const r = parseRegistryYaml(minimal(tool()));
    expect(r).toMatchObject({
      ok: true,
      registry: { tools: [{ id: 'cursor', aliases: [], alternatives: [], conditions: null, regions: {} }] },
    });
  });

  it('names the path of each bad field and the allowed values', () => {
    const r = parseRegistryYaml(
      minimal(
        `${tool()}\n${tool().replace('id: cursor', 'id: other').replace('risk: high', 'risk: extreme').replace('name: Cursor', 'name: Other')}`,
      ),
    );
    expect(r).toEqual({ ok: false, errors: ['tools[1].risk: expected one of low|medium|high|critical'] });
  });

  it('reports every problem at once, including unknown fields and broken references', () => {
    const r = parseRegistryYaml(
      minimal(tool('\n    reson: typo\n    alternatives: [nothing-here]\n    regions: { mars: { status: approved } }')),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.join('\n')).toMatch(/tools\[0\]: .*reson/);
    const refs = parseRegistryYaml(
      minimal(tool('\n    alternatives: [nothing-here]\n    regions: { mars: { status: approved } }')),
    );
    expect(refs.ok ? [] : refs.errors).toEqual([
      'tools[0].alternatives[0]: unknown tool id "nothing-here"',
      'tools[0].regions.mars: unknown region (regions: global, cn)',
    ]);
  });

  it('rejects two tools answering to the same name', () => {
    const r = parseRegistryYaml(
      minimal(`${tool()}\n${tool().replace('id: cursor', 'id: cursor-2').replace('name: Cursor', 'name: CURSOR')}`),
    );
    expect(r.ok ? [] : r.errors).toEqual(['tools[1].name: "CURSOR" is also a name of tool "cursor"']);
  });

  it('rejects a chain naming an unknown group and bad dates', () => {
    const r = parseRegistryYaml(
      minimal(tool('\n    reviewed: 2025-02-30')).replace('high: [security]', 'high: [legal]'),
    );
    expect(r.ok ? [] : r.errors).toEqual(['tools[0].reviewed: not a real date']);
    const chain = parseRegistryYaml(minimal(tool()).replace('high: [security]', 'high: [legal]'));
    expect(chain.ok ? [] : chain.errors).toEqual(['approval_chains.high[0]: unknown approver group "legal"']);
  });

  it('an audit channel (issue 9): a Slack channel id, optional, read back by an export', () => {
    const r = parseRegistryYaml(`audit_channel: C0AUDIT\n${minimal(tool())}`);
    expect(r).toMatchObject({ ok: true, registry: { auditChannel: 'C0AUDIT', reviewChannel: null } });
    if (r.ok) expect(registryToDocument(r.registry).audit_channel).toBe('C0AUDIT');
    expect(parseRegistryYaml(minimal(tool()))).toMatchObject({ ok: true, registry: { auditChannel: null } });
    expect(parseRegistryYaml(`audit_channel: '#audit'\n${minimal(tool())}`)).toEqual({
      ok: false,
      errors: ['audit_channel: expected a Slack channel id such as C012ABCDEF'],
    });
  });

  it('regions and categories may carry display names, and an export keeps them', () => {
    const doc = minimal(tool())
      .replace('regions: [global, cn]', 'regions: [global, { id: cn, name: China mainland }]')
      .replace('tools:', 'categories:\n  - { id: ai-coding-assistant, name: AI coding assistant }\ntools:');
    const r = parseRegistryYaml(doc);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.registry.regions).toEqual(['global', 'cn']);
    expect(r.registry.names).toEqual({
      regions: { cn: 'China mainland' },
      categories: { 'ai-coding-assistant': 'AI coding assistant' },
    });
    const exported = registryToDocument(r.registry);
    expect(exported.regions).toEqual(['global', { id: 'cn', name: 'China mainland' }]);
    expect(exported.categories).toEqual([{ id: 'ai-coding-assistant', name: 'AI coding assistant' }]);
  });

  it('with a categories list, every tool must use one of them; duplicates are named', () => {
    const doc = minimal(tool())
      .replace('regions: [global, cn]', 'regions: [global, cn, { id: cn, name: China }]')
      .replace('tools:', 'categories:\n  - { id: ai-chat, name: AI chat }\n  - { id: ai-chat, name: Chat }\ntools:');
    const r = parseRegistryYaml(doc);
    expect(r.ok ? [] : r.errors).toEqual([
      'regions[2]: duplicate region "cn"',
      'categories[1].id: duplicate category "ai-chat"',
      'tools[0].category: "ai-coding-assistant" is not under categories (add it there, or use one of: ai-chat)',
    ]);
    const bad = parseRegistryYaml(minimal(tool()).replace('regions: [global, cn]', 'regions: [global, { id: cn }]'));
    expect(bad.ok ? [] : bad.errors).toEqual([
      'regions[1]: expected an id such as cn, or {id: cn, name: China mainland}',
    ]);
  });

  it('tools may carry the rubric’s facts, and the registry its rubric settings; an export keeps both', () => {
    const doc = minimal(
      tool(`
    operating_entity: Spring (SG) Pte. Ltd., Singapore
    open_weights: false
    certifications: [ISO 27001, SOC 2 Type II]
    cn_filing: true
    export_controlled: false
    facts_checked: 2026-11-20
    sources: [https://www.trae.ai/privacy-policy]`),
    ).replace('tools:', 'rubric:\n  weights: { foreign_vendor: 2 }\n  home_countries: [CN]\ntools:');
    const r = parseRegistryYaml(doc);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.registry.tools[0]?.facts).toEqual({
      operatingEntity: 'Spring (SG) Pte. Ltd., Singapore',
      openWeights: false,
      certifications: ['ISO 27001', 'SOC 2 Type II'],
      cnFiling: true,
      exportControlled: false,
      factsChecked: '2026-11-20',
      sources: ['https://www.trae.ai/privacy-policy'],
    });
    expect(r.registry.rubric).toEqual({ weights: { foreign_vendor: 2 }, homeCountries: ['CN'] });
    const again = parseRegistryYaml(JSON.stringify(registryToDocument(r.registry)));
    expect(again.ok && again.registry).toEqual(r.registry);
  });

  it('bad facts and rubric settings are named by path', () => {
    const doc = minimal(tool(`\n    facts_checked: 2026-13-01\n    sources: [ftp://x]`)).replace(
      'tools:',
      'rubric:\n  weights: { vibes: 3 }\n  home_countries: [china]\ntools:',
    );
    const r = parseRegistryYaml(doc);
    expect(r.ok ? [] : r.errors).toEqual([
      'rubric.weights: Unrecognized key: "vibes" (vibes)',
      'rubric.home_countries[0]: expected two-letter country codes such as CN',
      'tools[0].facts_checked: not a real date',
      'tools[0].sources[0]: expected an http(s) URL',
    ]);
  });

  it('rejects YAML that does not parse', () => {
    const r = parseRegistryYaml('tools: [unclosed');
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.errors[0]).toMatch(/^YAML: /);
  });
});

/** A generated registry of `n` tools, each missing its vendor. */
const vendorlessRegistry = (n: number): string =>
  minimal(
    Array.from({ length: n }, (_, i) =>
      tool()
        .replace('id: cursor', `id: tool-${i}`)
        .replace('name: Cursor', `name: Tool ${i}`)
        .replace('\n    vendor: Anysphere', ''),
    ).join('\n'),
  );

describe('a registry file with thousands of problems', () => {
  it('lists the first 20, then counts the rest of the same kind in one line', () => {
    const file = join(tempDir(), 'generated.yml');
    writeFileSync(file, vendorlessRegistry(3000));
    let error: unknown;
    try {
      readRegistryFile(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RegistryFileError);
    const { message, problems } = error as RegistryFileError;
    expect(problems).toHaveLength(3000); // every one is still there for a caller that wants them
    const lines = message.split('\n');
    expect(lines[0]).toBe(`${file} is not a valid registry; nothing was changed:`);
    expect(lines.slice(1, 21)).toEqual(
      Array.from({ length: 20 }, (_, i) => `  - tools[${i}].vendor: ${problems[0]?.split(': ').slice(1).join(': ')}`),
    );
    expect(lines.slice(21)).toEqual([
      `  - ... and 2980 more of the same kind (tools[*].vendor: ${problems[0]?.split(': ').slice(1).join(': ')})`,
    ]);
  });

  it('names every other kind once, with its own count', () => {
    const problems = [
      ...Array.from({ length: 25 }, (_, i) => `tools[${i}].vendor: must not be empty`),
      'tools[30].alternatives[0]: unknown tool id "a"',
      'tools[31].alternatives[2]: unknown tool id "b"',
      'regions: list at least one region, e.g. [global]',
    ];
    expect(summarizeProblems(problems)).toEqual([
      ...problems.slice(0, 20),
      '... and 5 more of the same kind (tools[*].vendor: must not be empty)',
      'tools[30].alternatives[0]: unknown tool id "a"',
      '... and 1 more of the same kind (tools[*].alternatives[*]: unknown tool id "…")',
      'regions: list at least one region, e.g. [global]',
    ]);
    expect(summarizeProblems(problems.slice(0, 20))).toEqual(problems.slice(0, 20));
    expect(problemKind('tools[12].regions.cn.alternatives[3]: unknown tool id "x"')).toBe(
      'tools[*].regions.cn.alternatives[*]: unknown tool id "…"',
    );
  });

  it('past 20 other kinds, counts what is left in one line', () => {
    const problems = Array.from({ length: 60 }, (_, i) => `field${i}: wrong`);
    const lines = summarizeProblems(problems);
    expect(lines).toHaveLength(41);
    expect(lines.at(-1)).toBe('... and 20 more problems of 20 other kinds');
  });
});
