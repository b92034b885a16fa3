/**
 * The example company's Slack directory, for the playground and tests: custom profile fields as
 * an identity provider fills them (Office, Department), profiles for the people of
 * data/registry.yml, people the registry does not list (whose region only their profile tells),
 * a second Enterprise Grid workspace in mainland China, and user groups for the approver groups.
 *
 * The profiles are made for the example rules:
 *   - { field: Office, in: [Hangzhou, Beijing, Shanghai, Shenzhen], region: cn }
 *   - { tz: Asia/Shanghai, region: cn }
 *   - { email_domain: example.cn, region: cn }
 *   - { team: T0CHINA, region: cn, department_field: Department }
 */
import type { ProfileFieldSettings, SlackStandIn, UserSettings } from './types.ts';
import { STAND_IN_WORKSPACE } from './workspace.ts';

/** The Grid org the example workspace belongs to, with its mainland China workspace. */
export const EXAMPLE_ENTERPRISE = {
  id: 'E0TOOLGATE',
  name: 'Example Corp',
  chinaTeamId: 'T0CHINA',
  teams: [STAND_IN_WORKSPACE.teamId, 'T0CHINA'],
} as const;

export const EXAMPLE_PROFILE_FIELDS: readonly ProfileFieldSettings[] = [
  {
    id: 'Xf0OFFICE',
    label: 'Office',
    hint: 'Where you work from (from the HR system)',
    possibleValues: ['Hangzhou', 'Beijing', 'Shanghai', 'Shenzhen', 'Berlin', 'London', 'New York', 'Singapore'],
    scim: true,
  },
  { id: 'Xf0DEPT', label: 'Department', hint: 'Your department (from the HR system)', scim: true },
];

export interface ExamplePerson extends UserSettings {
  id: string;
  name: string;
  /** In data/registry.yml's `people`, or only in Slack. */
  inRegistry: boolean;
  /** The region the example rules give them (what their profile says), for the playground's picker and tests. */
  profileRegion: 'cn' | 'global';
  /** Which fact decides it: for tests that pick a person by how their region is found. */
  decidedBy: 'Office' | 'tz' | 'email_domain' | 'team' | 'nothing';
}

const chinaGrid = { id: EXAMPLE_ENTERPRISE.id, name: EXAMPLE_ENTERPRISE.name, teams: [...EXAMPLE_ENTERPRISE.teams] };

/** Everyone's profile. Registry people's profiles agree with the registry, but Frank's (listed in cn) says Berlin. */
export const EXAMPLE_PEOPLE: readonly ExamplePerson[] = [
  // ---- listed in data/registry.yml
  {
    id: 'U0ADMIN1',
    name: 'Priya Raman',
    inRegistry: true,
    profileRegion: 'global',
    decidedBy: 'nothing',
    tz: 'Europe/London',
    email: 'priya.raman@example.com',
    title: 'IT lead',
    fields: { Office: 'London', Department: 'IT' },
  },
  {
    id: 'U0SEC1',
    name: 'Marcus Webb',
    inRegistry: true,
    profileRegion: 'global',
    decidedBy: 'nothing',
    tz: 'America/New_York',
    email: 'marcus.webb@example.com',
    title: 'Security engineer',
    fields: { Office: 'New York', Department: 'Security' },
  },
  {
    id: 'U0SEC2',
    name: 'Wang Lei',
    inRegistry: true,
    profileRegion: 'cn',
    decidedBy: 'Office',
    tz: 'Asia/Shanghai',
    email: 'wang.lei@example.cn',
    title: 'Security engineer',
    fields: { Office: 'Shanghai', Department: 'Security' },
  },
  {
    id: 'U0LEGAL1',
    name: 'Sofia Rossi',
    inRegistry: true,
    profileRegion: 'global',
    decidedBy: 'nothing',
    tz: 'Europe/Berlin',
    email: 'sofia.rossi@example.com',
    title: 'Counsel',
    fields: { Office: 'Berlin', Department: 'Legal' },
  },
  {
    id: 'U0LEGAL2',
    name: 'Zhang Min',
    inRegistry: true,
    profileRegion: 'cn',
    decidedBy: 'Office',
    tz: 'Asia/Shanghai',
    email: 'zhang.min@example.cn',
    title: 'Counsel',
    fields: { Office: 'Beijing', Department: 'Legal' },
  },
  {
    id: 'U0PRIV1',
    name: 'Hannah Vogel',
    inRegistry: true,
    profileRegion: 'global',
    decidedBy: 'nothing',
    tz: 'Europe/Berlin',
    email: 'hannah.vogel@example.com',
    title: 'Privacy officer',
    fields: { Office: 'Berlin', Department: 'Privacy' },
  },
  {
    id: 'U0ALICE',
    name: 'Alice Chen',
    inRegistry: true,
    profileRegion: 'cn',
    decidedBy: 'Office',
    tz: 'Asia/Shanghai',
    email: 'alice.chen@example.cn',
    title: 'Software engineer',
    fields: { Office: 'Hangzhou', Department: 'Engineering' },
  },
  {
    id: 'U0BOB',
    name: 'Bob Martinez',
    inRegistry: true,
    profileRegion: 'global',
    decidedBy: 'nothing',
    tz: 'America/New_York',
    email: 'bob.martinez@example.com',
    title: 'Software engineer',
    fields: { Office: 'New York', Department: 'Engineering' },
  },
  {
    id: 'U0CAROL',
    name: 'Carol Johnson',
    inRegistry: true,
    profileRegion: 'global',
    decidedBy: 'nothing',
    tz: 'Europe/London',
    email: 'carol.johnson@example.com',
    title: 'Marketing manager',
    fields: { Office: 'London', Department: 'Marketing' },
  },
  {
    id: 'U0DAVID',
    name: 'David Liu',
    inRegistry: true,
    profileRegion: 'cn',
    decidedBy: 'Office',
    tz: 'Asia/Shanghai',
    email: 'david.liu@example.cn',
    title: 'Controller',
    fields: { Office: 'Shenzhen', Department: 'Finance' },
  },
  {
    id: 'U0ERIN',
    name: 'Erin Park',
    inRegistry: true,
    profileRegion: 'global',
    decidedBy: 'nothing',
    tz: 'Asia/Singapore',
    email: 'erin.park@example.com',
    title: 'Data scientist',
    fields: { Office: 'Singapore', Department: 'Data science' },
  },
  {
    // Listed in the registry as cn; moved to Berlin, and his profile says so: the registry entry still wins.
    id: 'U0FRANK',
    name: 'Frank Zhou',
    inRegistry: true,
    profileRegion: 'global',
    decidedBy: 'nothing',
    tz: 'Europe/Berlin',
    email: 'frank.zhou@example.com',
    title: 'Software engineer',
    fields: { Office: 'Berlin', Department: 'Engineering' },
  },
  {
    id: 'U0GRACE',
    name: 'Grace Okafor',
    inRegistry: true,
    profileRegion: 'global',
    decidedBy: 'nothing',
    tz: 'Europe/London',
    email: 'grace.okafor@example.com',
    title: 'HR partner',
    fields: { Office: 'London', Department: 'HR' },
  },
  // ---- only in Slack: their region comes from their profile
  {
    id: 'U0MEI',
    name: 'Chen Mei',
    inRegistry: false,
    profileRegion: 'cn',
    decidedBy: 'Office',
    tz: 'Asia/Shanghai',
    email: 'chen.mei@example.cn',
    title: 'Product manager',
    fields: { Office: 'Hangzhou', Department: 'Product' },
  },
  {
    // No Office in the profile; her time zone says mainland China.
    id: 'U0JUN',
    name: 'Liu Jun',
    inRegistry: false,
    profileRegion: 'cn',
    decidedBy: 'tz',
    tz: 'Asia/Shanghai',
    email: 'liu.jun@example.com',
    title: 'Sales',
  },
  {
    // Travelling (time zone Europe/Paris), no Office: the email domain tells.
    id: 'U0LINYUE',
    name: 'Lin Yue',
    inRegistry: false,
    profileRegion: 'cn',
    decidedBy: 'email_domain',
    tz: 'Europe/Paris',
    email: 'lin.yue@example.cn',
    title: 'Buyer',
  },
  {
    // In the mainland China Grid workspace; the department comes from the Department field.
    id: 'W0XIAO',
    name: 'Xiao Hong',
    inRegistry: false,
    profileRegion: 'cn',
    decidedBy: 'team',
    tz: 'Europe/Berlin',
    email: 'xiao.hong@example.com',
    title: 'Field engineer',
    teamId: EXAMPLE_ENTERPRISE.chinaTeamId,
    enterprise: chinaGrid,
    fields: { Department: 'Field service' },
  },
  {
    id: 'U0TOM',
    name: 'Tom Becker',
    inRegistry: false,
    profileRegion: 'global',
    decidedBy: 'nothing',
    tz: 'Europe/Berlin',
    email: 'tom.becker@example.com',
    title: 'Designer',
    fields: { Office: 'Berlin', Department: 'Design' },
  },
  {
    id: 'U0AMARA',
    name: 'Amara Nwosu',
    inRegistry: false,
    profileRegion: 'global',
    decidedBy: 'nothing',
    tz: 'Europe/London',
    email: 'amara.nwosu@example.com',
    title: 'Support engineer',
    fields: { Office: 'London', Department: 'Support' },
  },
  {
    // The security team's backup, in no registry group.
    id: 'U0JONAS',
    name: 'Jonas Weber',
    inRegistry: false,
    profileRegion: 'global',
    decidedBy: 'nothing',
    tz: 'Europe/Berlin',
    email: 'jonas.weber@example.com',
    title: 'Security analyst',
    fields: { Office: 'Berlin', Department: 'Security' },
  },
];

/** The approver groups' Slack user groups; their members are the registry groups' members (security-backup: Jonas). */
export interface ExampleUsergroup {
  id: string;
  /** The registry approver group it stands for. */
  approverGroup: string;
  handle: string;
  name: string;
  users: string[];
}

export const EXAMPLE_USERGROUPS: readonly ExampleUsergroup[] = [
  {
    id: 'S0SECGRP',
    approverGroup: 'security',
    handle: 'security-review',
    name: 'Security review',
    users: ['U0SEC1', 'U0SEC2'],
  },
  {
    id: 'S0LEGALGRP',
    approverGroup: 'legal',
    handle: 'legal-review',
    name: 'Legal review',
    users: ['U0LEGAL1', 'U0LEGAL2'],
  },
  { id: 'S0PRIVGRP', approverGroup: 'privacy', handle: 'privacy-office', name: 'Privacy office', users: ['U0PRIV1'] },
  {
    id: 'S0BAKGRP',
    approverGroup: 'security-backup',
    handle: 'security-backup',
    name: 'Security backup',
    users: ['U0JONAS'],
  },
];

/** A Slack handle from a name, as the workspace would have it ("Chen Mei" → chen.mei). */
export const handleOf = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.|\.$/g, '');

/** Sets the example directory up in the stand-in (no events: it was always so). */
export function seedExampleDirectory(standIn: SlackStandIn): void {
  standIn.setProfileFields(EXAMPLE_PROFILE_FIELDS);
  for (const person of EXAMPLE_PEOPLE) {
    const { id, name, tz, email, title, teamId, enterprise, fields } = person;
    const [first = '', ...rest] = name.split(' ');
    standIn.setUser(id, {
      name: handleOf(name),
      realName: name,
      displayName: name,
      firstName: first,
      lastName: rest.join(' '),
      ...(tz !== undefined && { tz }),
      ...(email !== undefined && { email }),
      ...(title !== undefined && { title }),
      ...(teamId !== undefined && { teamId }),
      ...(enterprise !== undefined && { enterprise }),
      ...(fields !== undefined && { fields }),
    });
  }
  for (const { id, handle, name, users } of EXAMPLE_USERGROUPS) standIn.setUsergroup(id, { handle, name, users });
}
