import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_SCHEMA, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { problemKind, registryToDocument, summarizeProblems } from '../../src/domain/registrySchema.ts';
import { RegistryFileError } from '../../src/errors.ts';
import { parseRegistryYaml, readRegistryFile, registryToYaml } from '../../src/service/registryFile.ts';
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

  it('region_rules (issue 13): each kind as the issue spells it, in order, read back by an export', () => {
    const doc = minimal(tool()).replace(
      'tools:',
      `region_rules:
  - { field: Office, in: [Hangzhou, Beijing, Shanghai, Shenzhen], region: cn }
  - { tz: Asia/Shanghai, region: cn }
  - { email_domain: Example.CN, region: cn, department: sales }
  - { team: T0CHINA, region: cn, department_field: Department }
  - { tz: [Asia/Urumqi, Asia/Harbin], region: cn }
tools:`,
    );
    const r = parseRegistryYaml(doc);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.registry.regionRules).toEqual([
      {
        match: { kind: 'field', field: 'Office', values: ['Hangzhou', 'Beijing', 'Shanghai', 'Shenzhen'] },
        region: 'cn',
        department: null,
        departmentField: null,
      },
      { match: { kind: 'tz', zones: ['Asia/Shanghai'] }, region: 'cn', department: null, departmentField: null },
      {
        match: { kind: 'email_domain', domains: ['example.cn'] },
        region: 'cn',
        department: 'sales',
        departmentField: null,
      },
      { match: { kind: 'team', teams: ['T0CHINA'] }, region: 'cn', department: null, departmentField: 'Department' },
      {
        match: { kind: 'tz', zones: ['Asia/Urumqi', 'Asia/Harbin'] },
        region: 'cn',
        department: null,
        departmentField: null,
      },
    ]);
    const exported = registryToDocument(r.registry);
    expect(exported.region_rules?.[1]).toEqual({ tz: 'Asia/Shanghai', region: 'cn' });
    expect(parseRegistryYaml(registryToYaml(r.registry))).toEqual(r);
    // Without rules the file has no region_rules, and the registry an empty list.
    const plain = parseRegistryYaml(minimal(tool()));
    expect(plain).toMatchObject({ ok: true, registry: { regionRules: [] } });
    if (plain.ok) expect(registryToDocument(plain.registry)).not.toHaveProperty('region_rules');
  });

  it('a bad region rule is named by its path, with the fix', () => {
    const withRules = (rules: string) => minimal(tool()).replace('tools:', `region_rules:\n${rules}\ntools:`);
    const r = parseRegistryYaml(
      withRules(`  - { region: cn }
  - { tz: Asia/Shanghai, team: T0CHINA, region: cn }
  - { tz: Asia/Shangai, region: cn }
  - { email_domain: "@example.cn", region: cn }
  - { team: china, region: cn }
  - { field: Office, in: [], region: cn }
  - { field: Office, in: [Hangzhou], region: mars }
  - { tz: UTC, region: cn, department: it, department_field: Department }
  - { tz: UTC, region: cn, regoin: cn }
  - just a string`),
    );
    expect(r.ok ? [] : r.errors).toEqual([
      'region_rules[0]: a rule needs one of field, tz, email_domain, team (what it matches), e.g. { tz: Asia/Shanghai, region: cn }',
      'region_rules[1]: a rule matches one thing: keep one of tz, team and make the others rules of their own',
      'region_rules[2].tz: expected an IANA time zone such as Asia/Shanghai',
      'region_rules[3].email_domain: expected an email domain such as example.cn (no @, no spaces)',
      'region_rules[4].team: expected a Slack workspace (team) id such as T012ABCDEF',
      'region_rules[5].in: list the values that match, e.g. in: [Hangzhou, Beijing]',
      'region_rules[7].department_field: give department or department_field, not both',
      'region_rules[8]: unknown field "regoin" (a tz rule has: tz, region, department, department_field)',
      'region_rules[9]: expected a rule such as { tz: Asia/Shanghai, region: cn }',
    ]);
    const region = parseRegistryYaml(withRules('  - { field: Office, in: [Hangzhou], region: mars }'));
    expect(region.ok ? [] : region.errors).toEqual([
      'region_rules[0].region: unknown region "mars" (regions: global, cn)',
    ]);
  });

  it('approver groups (issue 13): a user group by id or @handle, members optional with it, a backup group', () => {
    const doc = minimal(tool()).replace(
      '  - { id: security, name: Security review, channel: C0SECURITY, members: [U0SEC1] }',
      `  - { id: security, name: Security review, channel: C0SEC, usergroup: S0SECGRP, backup: security-backup }
  - { id: legal, name: Legal, channel: C0LEGAL, usergroup: "@legal-review", members: [U0LEGAL1] }
  - { id: security-backup, name: Security backup, channel: C0SECBAK, usergroup: S0BAKGRP }
  - { id: privacy, name: Privacy, channel: C0PRIV, members: [U0PRIV1] }`,
    );
    const r = parseRegistryYaml(doc);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.registry.approverGroups).toEqual([
      {
        id: 'security',
        name: 'Security review',
        channel: 'C0SEC',
        members: [],
        usergroup: 'S0SECGRP',
        backup: 'security-backup',
      },
      {
        id: 'legal',
        name: 'Legal',
        channel: 'C0LEGAL',
        members: ['U0LEGAL1'],
        usergroup: '@legal-review',
        backup: null,
      },
      {
        id: 'security-backup',
        name: 'Security backup',
        channel: 'C0SECBAK',
        members: [],
        usergroup: 'S0BAKGRP',
        backup: null,
      },
      { id: 'privacy', name: 'Privacy', channel: 'C0PRIV', members: ['U0PRIV1'], usergroup: null, backup: null },
    ]);
    const exported = registryToDocument(r.registry);
    expect(exported.approver_groups?.[0]).toEqual({
      id: 'security',
      name: 'Security review',
      channel: 'C0SEC',
      usergroup: 'S0SECGRP',
      backup: 'security-backup',
    });
    expect(parseRegistryYaml(registryToYaml(r.registry))).toEqual(r);
  });

  it('a bad approver group: neither members nor usergroup, a bad usergroup, an unknown or self backup', () => {
    const groups = (lines: string) =>
      minimal(tool()).replace(
        '  - { id: security, name: Security review, channel: C0SECURITY, members: [U0SEC1] }',
        `  - { id: security, name: Security review, channel: C0SECURITY, members: [U0SEC1] }\n${lines}`,
      );
    const shape = parseRegistryYaml(
      groups(`  - { id: a, name: A, channel: C0A }
  - { id: b, name: B, channel: C0B, members: [] }
  - { id: c, name: C, channel: C0C, usergroup: security-review }
  - { id: d, name: D, channel: C0D, usergroup: "@Security Review" }`),
    );
    expect(shape.ok ? [] : shape.errors).toEqual([
      'approver_groups[1].members: a group needs members (Slack user ids) or a usergroup (a Slack user group), or both',
      'approver_groups[2].members: a group needs members (Slack user ids) or a usergroup (a Slack user group), or both',
      'approver_groups[3].usergroup: expected a Slack user group id such as S012ABCDEF, or its handle in quotes such as "@security-review"',
      'approver_groups[4].usergroup: expected a Slack user group id such as S012ABCDEF, or its handle in quotes such as "@security-review"',
    ]);
    const refs = parseRegistryYaml(
      groups(`  - { id: a, name: A, channel: C0A, members: [U0A], backup: a }
  - { id: b, name: B, channel: C0B, members: [U0B], backup: nobody }`),
    );
    expect(refs.ok ? [] : refs.errors).toEqual([
      'approver_groups[1].backup: a group cannot be its own backup; name another group',
      'approver_groups[2].backup: unknown approver group "nobody" (groups: security, a, b)',
    ]);
  });

  it('an unquoted @handle is a YAML error that says to quote it', () => {
    const r = parseRegistryYaml(
      minimal(tool()).replace(
        'members: [U0SEC1] }',
        'members: [U0SEC1] }\n  - { id: b, name: B, channel: C0B, usergroup: @b }',
      ),
    );
    expect(r.ok ? [] : r.errors).toEqual([
      'YAML: Plain value cannot start with reserved character @ at line 5, column 48; a value starting with @ must be in quotes, e.g. usergroup: "@security-review"',
    ]);
  });

  it('rejects YAML that does not parse', () => {
    const r = parseRegistryYaml('tools: [unclosed');
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.errors[0]).toMatch(/^YAML: /);
  });
});

describe('reading YAML: the fast reader and the thorough one agree', () => {
  // parseRegistryYaml reads with js-yaml first and falls back to `yaml` for anything js-yaml refuses.
  const both = (text: string): unknown[] => [
    load(text, { schema: CORE_SCHEMA }),
    parseDocument(text).toJS() as unknown,
  ];

  it('gives the same values for the shipped registry and for scalars the two could read differently', () => {
    const [fast, thorough] = both(readFileSync(REGISTRY_PATH, 'utf8'));
    expect(fast).toEqual(thorough);
    const scalars = `a: 2026-12-02\nb: yes\nc: on\nd: 0x1F\ne: 0o17\nf: 1e3\ng: .inf\nh: ~\ni: "007"\nj: 1_000\nk: True\nl: NULL\nm: |\n  two\n  lines\n`;
    const [a, b] = both(scalars);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ a: '2026-12-02', b: 'yes', c: 'on', d: 31, h: null, i: '007', k: true });
  });

  it("an alias bomb and a duplicate key are refused with the thorough reader's message", () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from({ length: 12 }, (_, i) => {
        const prev = i === 0 ? 'a' : `b${i - 1}`;
        return `b${i}: &b${i} [${Array(10).fill(`*${prev}`).join(', ')}]`;
      }),
    ].join('\n');
    const r = parseRegistryYaml(bomb);
    expect(r.ok ? [] : r.errors).toEqual([expect.stringMatching(/^YAML: .*alias/i)]);
    const dup = parseRegistryYaml(`${minimal(tool())}\nregions: [global]`);
    expect(dup.ok ? [] : dup.errors).toEqual([expect.stringMatching(/^YAML: Map keys must be unique at line \d+/)]);
  });

  it('reads as the thorough reader does where js-yaml 4 alone would not: numbers, and quoted values over lines', () => {
    const vendorOf = (doc: string) => {
      const r = parseRegistryYaml(doc);
      return r.ok ? r.registry.tools[0]?.vendor : r.errors;
    };
    // js-yaml 4 makes numbers of these; YAML 1.2's core schema (and `yaml`) keeps them text.
    for (const text of ['0b101', '-0x1F', '+0o17'])
      expect(vendorOf(minimal(tool().replace('vendor: Anysphere', `vendor: ${text}`)))).toBe(text);
    expect(parseRegistryYaml(minimal(tool('\n    max_exception_days: 0b11'))).ok).toBe(false);
    // And the other way round: a number for the core schema, text for js-yaml 4.
    const days = parseRegistryYaml(minimal(tool('\n    max_exception_days: +.5e2')));
    expect(days.ok ? days.registry.tools[0]?.maxExceptionDays : days.errors).toBe(50);
    expect(vendorOf(minimal(tool().replace('vendor: Anysphere', 'vendor: -.5')))).toEqual([
      expect.stringMatching(/vendor/),
    ]);
    // A quote left open, its value on the next line or behind a tag: refused, as `yaml` refuses it.
    for (const opening of ['\n      "Anysphere', '\t"Anysphere', ' !!str "Anysphere'])
      expect(
        parseRegistryYaml(minimal(tool().replace('vendor: Anysphere', `vendor:${opening}\n  - id: x\n    y"`))).ok,
      ).toBe(false);
  });

  it('anchors and aliases that stay within the limit still read (through the thorough reader)', () => {
    const doc =
      minimal(tool('\n    conditions: &c Only with the company account.')) +
      `${tool('\n    conditions: *c').replace('id: cursor', 'id: cursor-2').replace('name: Cursor', 'name: Cursor Two')}`;
    const r = parseRegistryYaml(doc);
    expect(r.ok ? r.registry.tools.map((t) => t.conditions) : r.errors).toEqual([
      'Only with the company account.',
      'Only with the company account.',
    ]);
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
