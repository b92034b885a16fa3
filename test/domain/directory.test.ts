import { describe, expect, it } from 'vitest';
import {
  checkRegionRules,
  explainRegion,
  resolveRegion,
  type DirectoryFacts,
  type RegionInput,
} from '../../src/domain/directory.ts';
import type { Person, RegionRule, RegionRuleMatch } from '../../src/domain/types.ts';

const rule = (match: RegionRuleMatch, region: string, more: Partial<RegionRule> = {}): RegionRule => ({
  match,
  region,
  department: null,
  departmentField: null,
  ...more,
});

/** The example rules. */
const RULES: RegionRule[] = [
  rule({ kind: 'field', field: 'Office', values: ['Hangzhou', 'Beijing', 'Shanghai', 'Shenzhen'] }, 'cn'),
  rule({ kind: 'tz', zones: ['Asia/Shanghai'] }, 'cn'),
  rule({ kind: 'email_domain', domains: ['example.cn'] }, 'cn'),
  rule({ kind: 'team', teams: ['T0CHINA'] }, 'cn', { departmentField: 'Department' }),
];

const LABELS = { Xf0OFFICE: 'Office', Xf0DEPT: 'Department' };

const facts = (over: {
  teamId?: string | null;
  tz?: string | null;
  email?: string | null;
  standard?: Record<string, string>;
  fields?: Record<string, string> | null;
  user?: null;
}): DirectoryFacts => ({
  teamId: over.teamId === undefined ? 'T0TOOLGATE' : over.teamId,
  user:
    over.user === null
      ? null
      : { tz: over.tz ?? 'Europe/Berlin', email: over.email ?? null, standard: over.standard ?? {} },
  fields: over.fields === null ? null : { values: over.fields ?? {}, labels: LABELS },
});

const resolve = (f: DirectoryFacts, more: Partial<RegionInput> = {}) =>
  resolveRegion({ rules: RULES, person: null, facts: f, defaultRegion: 'global', ...more });

describe('resolveRegion: the people entry, then the first rule that matches, then the default', () => {
  it('a custom profile field, by its label, case and spaces aside', () => {
    const r = resolve(facts({ fields: { Xf0OFFICE: '  hangzhou ' } }));
    expect(r).toEqual({
      region: 'cn',
      department: null,
      source: { kind: 'rule', rule: 0, fact: { kind: 'field', label: 'Office', value: 'hangzhou' } },
    });
    expect(explainRegion(r.source)).toBe('from your Slack profile (Office: hangzhou)');
  });

  it('a field named by its id, and a standard field by its key', () => {
    const byId = [rule({ kind: 'field', field: 'Xf0OFFICE', values: ['Beijing'] }, 'cn')];
    expect(resolve(facts({ fields: { Xf0OFFICE: 'Beijing' } }), { rules: byId }).region).toBe('cn');
    const title = [rule({ kind: 'field', field: 'Title', values: ['China sales'] }, 'cn')];
    const r = resolve(facts({ standard: { title: 'China Sales' } }), { rules: title });
    expect(r.source).toEqual({ kind: 'rule', rule: 0, fact: { kind: 'field', label: 'Title', value: 'China Sales' } });
  });

  it('the time zone, the email domain (and its subdomains) and the workspace', () => {
    expect(resolve(facts({ tz: 'Asia/Shanghai' })).source).toEqual({
      kind: 'rule',
      rule: 1,
      fact: { kind: 'tz', tz: 'Asia/Shanghai' },
    });
    const mail = resolve(facts({ email: 'li@SH.Example.cn' }));
    expect(mail.source).toEqual({ kind: 'rule', rule: 2, fact: { kind: 'email_domain', domain: 'sh.example.cn' } });
    expect(explainRegion(mail.source)).toBe('from your email address (@sh.example.cn)');
    expect(resolve(facts({ email: 'li@notexample.cn' })).region).toBe('global');
    const grid = resolve(facts({ teamId: 'T0CHINA', fields: { Xf0DEPT: 'Finance' } }));
    expect(grid).toEqual({
      region: 'cn',
      department: 'Finance',
      source: { kind: 'rule', rule: 3, fact: { kind: 'team', team: 'T0CHINA' } },
    });
    expect(explainRegion(grid.source)).toBe('from the Slack workspace you asked from (T0CHINA)');
  });

  it('first match wins: an earlier rule decides even when a later one matches too', () => {
    const rules = [
      rule({ kind: 'field', field: 'Office', values: ['Berlin'] }, 'global', { department: 'sales' }),
      rule({ kind: 'tz', zones: ['Asia/Shanghai'] }, 'cn'),
    ];
    const r = resolve(facts({ tz: 'Asia/Shanghai', fields: { Xf0OFFICE: 'Berlin' } }), { rules });
    expect(r).toMatchObject({ region: 'global', department: 'sales', source: { kind: 'rule', rule: 0 } });
  });

  it('a people entry wins over every rule', () => {
    const person: Person = { user: 'U0FRANK', name: 'Frank', region: 'cn', department: 'engineering' };
    const r = resolve(facts({ fields: { Xf0OFFICE: 'Berlin' } }), { person });
    expect(r).toEqual({ region: 'cn', department: 'engineering', source: { kind: 'registry' } });
    expect(explainRegion(r.source)).toBe('because you are listed in the registry');
    expect(explainRegion(r.source, 'they')).toBe('because they are listed in the registry');
  });

  it('the default, saying why: no rule matched, or there are no rules', () => {
    const none = resolve(facts({ fields: { Xf0OFFICE: 'Berlin' }, email: 'a@example.com' }));
    expect(none).toEqual({ region: 'global', department: null, source: { kind: 'default', reason: 'no_match' } });
    expect(explainRegion(none.source)).toBe('the default, because nothing in your profile matched');
    expect(explainRegion(none.source, 'they')).toBe('the default, because nothing in their profile matched');
    const noRules = resolve(facts({}), { rules: [] });
    expect(noRules.source).toEqual({ kind: 'default', reason: 'no_rules' });
    expect(explainRegion(noRules.source)).toBe('the default, because you are not listed in the registry');
  });

  it('Slack did not answer: the default, unless every rule before a match could be decided without it', () => {
    const down = resolve(facts({ user: null, fields: null, teamId: 'T0CHINA' }));
    expect(down.source).toEqual({ kind: 'default', reason: 'profile_unavailable' });
    expect(explainRegion(down.source)).toBe('the default, because Slack did not answer in time with your profile');
    // A workspace rule first needs nothing from Slack.
    const teamFirst = [RULES[3] as RegionRule, ...RULES.slice(0, 3)];
    expect(resolve(facts({ user: null, fields: null, teamId: 'T0CHINA' }), { rules: teamFirst }).region).toBe('cn');
    // users.info answered but users.profile.get did not: the time zone rule still waits for the Office rule.
    expect(resolve(facts({ tz: 'Asia/Shanghai', fields: null })).source).toEqual({
      kind: 'default',
      reason: 'profile_unavailable',
    });
    // ...but a standard field needs only users.info.
    const title = [rule({ kind: 'field', field: 'title', values: ['x'] }, 'cn'), RULES[1] as RegionRule];
    expect(resolve(facts({ tz: 'Asia/Shanghai', fields: null }), { rules: title }).region).toBe('cn');
  });

  it('an empty field, an unknown field and a missing email never match', () => {
    const rules = [
      rule({ kind: 'field', field: 'Office', values: ['Hangzhou'] }, 'cn'),
      rule({ kind: 'field', field: 'Floor', values: ['3'] }, 'cn'),
      rule({ kind: 'email_domain', domains: ['example.cn'] }, 'cn'),
    ];
    expect(resolve(facts({ fields: { Xf0OFFICE: '   ' } }), { rules }).source).toEqual({
      kind: 'default',
      reason: 'no_match',
    });
  });

  it('department_field reads the department from the profile; empty means none', () => {
    const rules = [rule({ kind: 'tz', zones: ['Asia/Shanghai'] }, 'cn', { departmentField: 'department' })];
    expect(resolve(facts({ tz: 'Asia/Shanghai', fields: { Xf0DEPT: ' Legal ' } }), { rules }).department).toBe('Legal');
    expect(resolve(facts({ tz: 'Asia/Shanghai', fields: {} }), { rules }).department).toBeNull();
  });
});

describe('checkRegionRules: rules that can never match', () => {
  const regions = ['global', 'cn'];

  it('the issue example is clean', () => {
    expect(checkRegionRules(RULES, regions)).toEqual([]);
  });

  it('names an unknown region', () => {
    const problems = checkRegionRules([rule({ kind: 'tz', zones: ['Asia/Tokyo'] }, 'jp')], regions);
    expect(problems).toEqual([
      {
        rule: 0,
        kind: 'unknown_region',
        by: [],
        message: 'region_rules[0].region: unknown region "jp" (regions: global, cn)',
      },
    ]);
  });

  it('a duplicate, and the same match sending people elsewhere', () => {
    const tz = rule({ kind: 'tz', zones: ['Asia/Shanghai'] }, 'cn');
    const problems = checkRegionRules([tz, tz, rule({ kind: 'tz', zones: ['asia/shanghai'] }, 'global')], regions);
    expect(problems.map((p) => [p.rule, p.kind, p.by])).toEqual([
      [1, 'duplicate', [0]],
      [2, 'never_matches', [0]],
    ]);
    expect(problems[0]?.message).toBe('region_rules[1]: the same rule as region_rules[0]; delete one');
  });

  it('a rule whose values earlier rules all take first, together', () => {
    const problems = checkRegionRules(
      [
        rule({ kind: 'field', field: 'Office', values: ['Hangzhou'] }, 'cn'),
        rule({ kind: 'field', field: 'office', values: ['Beijing'] }, 'cn'),
        rule({ kind: 'field', field: 'Office', values: ['beijing', 'HANGZHOU'] }, 'global'),
      ],
      regions,
    );
    expect(problems).toEqual([
      {
        rule: 2,
        kind: 'never_matches',
        by: [0, 1],
        message:
          'region_rules[2]: never matches, region_rules[0], region_rules[1] match everyone it would first; delete it, or move it above',
      },
    ]);
  });

  it('a rule partly hidden names the values that never match', () => {
    const problems = checkRegionRules(
      [
        rule({ kind: 'email_domain', domains: ['example.cn'] }, 'cn'),
        rule({ kind: 'email_domain', domains: ['hk.example.cn', 'example.hk'] }, 'global'),
      ],
      regions,
    );
    expect(problems).toEqual([
      {
        rule: 1,
        kind: 'partly_shadowed',
        by: [0],
        message:
          'region_rules[1]: hk.example.cn is matched first by region_rules[0]; remove it here, or move this rule above',
      },
    ]);
  });

  it('rules of different kinds, or of different fields, never hide each other', () => {
    const problems = checkRegionRules(
      [
        rule({ kind: 'field', field: 'Office', values: ['Shanghai'] }, 'cn'),
        rule({ kind: 'field', field: 'City', values: ['Shanghai'] }, 'cn'),
        rule({ kind: 'tz', zones: ['Asia/Shanghai'] }, 'cn'),
        rule({ kind: 'team', teams: ['T0CHINA'] }, 'cn'),
        rule({ kind: 'team', teams: ['T0CHINA2'] }, 'cn'),
      ],
      regions,
    );
    expect(problems).toEqual([]);
  });

  it("with the workspace's field labels: a label and an id are one field, and a missing field is named", () => {
    const problems = checkRegionRules(
      [
        rule({ kind: 'field', field: 'Office', values: ['Shanghai'] }, 'cn'),
        rule({ kind: 'field', field: 'Xf0OFFICE', values: ['Shanghai'] }, 'global'),
        rule({ kind: 'field', field: 'Ofice', values: ['Beijing'] }, 'cn'),
        rule({ kind: 'field', field: 'Title', values: ['Sales'] }, 'cn'),
      ],
      regions,
      { fieldLabels: LABELS },
    );
    expect(problems.map((p) => [p.rule, p.kind])).toEqual([
      [1, 'never_matches'],
      [2, 'unknown_field'],
    ]);
    expect(problems[1]?.message).toBe(
      'region_rules[2].field: the Slack workspace has no profile field "Ofice" (fields: Office, Department); it never matches',
    );
  });
});
