// The assessment rubric: a suggested risk class from the facts the registry holds about a tool,
// with the factors that drove it. It informs a person's decision and never makes it; its weights
// and thresholds are registry settings, so a company can tune it without a release.
import { RISK_CLASSES, type RiskClass, type RubricOverrides, type Tool } from './types.ts';

/** What the rubric looks at. `undefined` is "not known", which adds nothing but is reported. */
export interface AssessedFacts {
  vendorCountry: string;
  sendsCodeExternally?: boolean | undefined;
  trainsOnInputs?: boolean | undefined;
  /** Where data is stored and processed, as the registry says it (e.g. "US", "EU", "on-premises"). */
  dataLocation?: string | undefined;
  selfHostable?: boolean | undefined;
  openWeights?: boolean | undefined;
  /** Listed under export controls or sanctions. */
  exportControlled?: boolean | undefined;
  /** e.g. "ISO 27001", "ISO 42001", "SOC 2". */
  certifications?: readonly string[] | undefined;
  /** Filed under China's generative-AI rules. */
  cnFiling?: boolean | undefined;
  /** Who operates the service, when it is not the vendor itself (e.g. "Spring (SG) Pte. Ltd."). */
  operatingEntity?: string | undefined;
}

export const RUBRIC_FACTORS = [
  'sends_code_externally',
  'trains_on_inputs',
  'data_outside_home',
  'not_self_hostable',
  'self_hostable',
  'open_weights',
  'foreign_vendor',
  'export_controlled',
  'certified',
  'no_certifications',
  'cn_filing',
] as const;
export type RubricFactor = (typeof RUBRIC_FACTORS)[number];

export interface RubricSettings {
  /** Points per factor; negative points lower the risk (self-hosting, certifications). */
  weights: Record<RubricFactor, number>;
  /** The least score for each class above low. */
  thresholds: { medium: number; high: number; critical: number };
  /** Vendor countries and data locations that count as "home" (no foreign_vendor, no data_outside_home). */
  homeCountries: readonly string[];
}

export const DEFAULT_RUBRIC: RubricSettings = {
  weights: {
    sends_code_externally: 3,
    trains_on_inputs: 3,
    data_outside_home: 1,
    not_self_hostable: 1,
    self_hostable: -2,
    open_weights: -1,
    foreign_vendor: 1,
    export_controlled: 4,
    certified: -1,
    no_certifications: 1,
    cn_filing: 0,
  },
  thresholds: { medium: 2, high: 5, critical: 8 },
  homeCountries: [],
};

/** Certifications the rubric credits, matched without case or punctuation ("SOC 2 Type II" is SOC 2). */
const CREDITED_CERTIFICATIONS = ['iso27001', 'iso42001', 'soc2'];
const certKey = (c: string): string => c.toLowerCase().replace(/[^a-z0-9]/g, '');
const credited = (certs: readonly string[]): string[] =>
  certs.filter((c) => CREDITED_CERTIFICATIONS.some((k) => certKey(c).startsWith(k)));

/** The rubric a registry uses: the defaults with the registry's changes applied. */
export function rubricSettings(overrides: RubricOverrides | null): RubricSettings {
  if (!overrides) return DEFAULT_RUBRIC;
  const weights = { ...DEFAULT_RUBRIC.weights };
  for (const factor of RUBRIC_FACTORS) {
    const w = overrides.weights?.[factor];
    if (w !== undefined) weights[factor] = w;
  }
  return {
    weights,
    thresholds: {
      medium: overrides.thresholds?.medium ?? DEFAULT_RUBRIC.thresholds.medium,
      high: overrides.thresholds?.high ?? DEFAULT_RUBRIC.thresholds.high,
      critical: overrides.thresholds?.critical ?? DEFAULT_RUBRIC.thresholds.critical,
    },
    homeCountries: overrides.homeCountries ?? DEFAULT_RUBRIC.homeCountries,
  };
}

/** The rubric's view of a registry tool. */
export const factsOf = (tool: Tool): AssessedFacts => ({
  vendorCountry: tool.vendorCountry,
  sendsCodeExternally: tool.data.sends_code_externally,
  trainsOnInputs: tool.data.trains_on_inputs,
  dataLocation: tool.data.data_location,
  selfHostable: tool.data.self_hostable,
  openWeights: tool.facts.openWeights,
  exportControlled: tool.facts.exportControlled,
  certifications: tool.facts.certifications,
  cnFiling: tool.facts.cnFiling,
  operatingEntity: tool.facts.operatingEntity,
});

export interface AssessedFactor {
  factor: RubricFactor;
  points: number;
  /** In words, for the person deciding. */
  why: string;
}

export interface Assessment {
  suggested: RiskClass;
  score: number;
  /** The factors that counted, largest first. */
  factors: AssessedFactor[];
  /** Facts the registry does not have, so the suggestion may be too low or too high. */
  unknown: string[];
}

export function classFor(score: number, t: RubricSettings['thresholds']): RiskClass {
  if (score >= t.critical) return 'critical';
  if (score >= t.high) return 'high';
  if (score >= t.medium) return 'medium';
  return 'low';
}

/** The suggested risk class for a tool, and why. Pure: the same facts and settings give the same answer. */
export function assessTool(facts: AssessedFacts, settings: RubricSettings = DEFAULT_RUBRIC): Assessment {
  const factors: AssessedFactor[] = [];
  const unknown: string[] = [];
  const home = new Set(settings.homeCountries.map((c) => c.toUpperCase()));
  const count = (factor: RubricFactor, why: string) => {
    const points = settings.weights[factor];
    if (points !== 0) factors.push({ factor, points, why });
  };

  if (facts.sendsCodeExternally === undefined) unknown.push('whether it sends code or prompts outside the company');
  else if (facts.sendsCodeExternally) count('sends_code_externally', 'sends code or prompts outside the company');

  if (facts.trainsOnInputs === undefined) unknown.push('whether it trains on inputs by default');
  else if (facts.trainsOnInputs) count('trains_on_inputs', 'trains on what you send it by default');

  if (facts.dataLocation === undefined) unknown.push('where data is stored and processed');
  else if (home.size > 0 && !home.has(facts.dataLocation.toUpperCase()) && facts.sendsCodeExternally !== false)
    count('data_outside_home', `data is stored and processed in ${facts.dataLocation}`);

  if (facts.selfHostable === undefined) unknown.push('whether it can be self-hosted');
  else if (facts.selfHostable) count('self_hostable', 'can be self-hosted, so data can stay inside the company');
  else count('not_self_hostable', 'cannot be self-hosted');

  if (facts.openWeights) count('open_weights', 'its model weights are open');

  if (home.size > 0 && !home.has(facts.vendorCountry.toUpperCase()))
    count(
      'foreign_vendor',
      `the vendor is in ${facts.vendorCountry}${facts.operatingEntity ? ` (operated by ${facts.operatingEntity})` : ''}`,
    );

  if (facts.exportControlled) count('export_controlled', 'listed under export controls or sanctions');

  if (facts.certifications === undefined) unknown.push('its certifications');
  else {
    const held = credited(facts.certifications);
    if (held.length) count('certified', `certified: ${held.join(', ')}`);
    else count('no_certifications', 'no ISO 27001, ISO 42001 or SOC 2 certification on record');
  }

  if (facts.cnFiling !== undefined && !facts.cnFiling)
    count('cn_filing', "not filed under China's generative-AI rules");

  const score = factors.reduce((sum, f) => sum + f.points, 0);
  factors.sort((a, b) => Math.abs(b.points) - Math.abs(a.points));
  return { suggested: classFor(score, settings.thresholds), score, factors, unknown };
}

/** One line for a person: "Suggested: High (score 6): sends code or prompts outside the company (+3), ..." */
export function assessmentLine(a: Assessment, riskLabel: (r: RiskClass) => string): string {
  const why = a.factors.map((f) => `${f.why} (${f.points > 0 ? '+' : ''}${f.points})`).join('; ');
  const gaps = a.unknown.length ? ` Not known: ${a.unknown.join('; ')}.` : '';
  return `Suggested: ${riskLabel(a.suggested)} (score ${a.score})${why ? `: ${why}` : ''}.${gaps}`;
}

/** Whether the rubric and the registry disagree, by how many classes (positive: the registry is lower). */
export const riskGap = (registry: RiskClass, suggested: RiskClass): number =>
  RISK_CLASSES.indexOf(suggested) - RISK_CLASSES.indexOf(registry);
