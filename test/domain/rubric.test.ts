import { describe, expect, it } from 'vitest';
import {
  assessmentLine,
  assessTool,
  classFor,
  DEFAULT_RUBRIC,
  riskGap,
  rubricSettings,
} from '../../src/domain/rubric.ts';
import { RISK_LABELS } from '../../src/domain/types.ts';

const cloudAgent = {
  vendorCountry: 'US',
  sendsCodeExternally: true,
  trainsOnInputs: false,
  dataLocation: 'US',
  selfHostable: false,
  certifications: ['SOC 2 Type II', 'ISO 27001'],
};

describe('the assessment rubric', () => {
  it('a cloud coding agent that sends code out: medium by default, with the factors that drove it', () => {
    const a = assessTool(cloudAgent);
    expect(a).toEqual({
      suggested: 'medium',
      score: 3,
      factors: [
        { factor: 'sends_code_externally', points: 3, why: 'sends code or prompts outside the company' },
        { factor: 'not_self_hostable', points: 1, why: 'cannot be self-hosted' },
        { factor: 'certified', points: -1, why: 'certified: SOC 2 Type II, ISO 27001' },
      ],
      unknown: [],
    });
  });

  it('home countries make a foreign vendor and foreign data location count', () => {
    const a = assessTool(cloudAgent, { ...DEFAULT_RUBRIC, homeCountries: ['CN'] });
    expect(a.factors.map((f) => f.factor)).toEqual([
      'sends_code_externally',
      'data_outside_home',
      'not_self_hostable',
      'foreign_vendor',
      'certified',
    ]);
    expect(a).toMatchObject({ score: 5, suggested: 'high' });
  });

  it('training on inputs and an export-control listing make it critical', () => {
    const a = assessTool({ ...cloudAgent, trainsOnInputs: true, exportControlled: true, certifications: [] });
    expect(a.score).toBe(3 + 3 + 1 + 4 + 1);
    expect(a.suggested).toBe('critical');
    expect(a.factors[0]).toMatchObject({ factor: 'export_controlled', points: 4 });
  });

  it('self-hosted open weights lower the score; nothing sent out is low', () => {
    const a = assessTool({
      vendorCountry: 'CN',
      sendsCodeExternally: false,
      trainsOnInputs: false,
      dataLocation: 'on-premises',
      selfHostable: true,
      openWeights: true,
      certifications: [],
    });
    expect(a).toMatchObject({ suggested: 'low', score: -2 + -1 + 1 });
  });

  it('unknown facts add nothing and are listed, so a person sees the gaps', () => {
    const a = assessTool({ vendorCountry: 'US' });
    expect(a.score).toBe(0);
    expect(a.unknown).toEqual([
      'whether it sends code or prompts outside the company',
      'whether it trains on inputs by default',
      'where data is stored and processed',
      'whether it can be self-hosted',
      'its certifications',
    ]);
    expect(assessmentLine(a, (r) => RISK_LABELS[r])).toBe(
      'Suggested: Low (score 0). Not known: whether it sends code or prompts outside the company; whether it trains on inputs by default; where data is stored and processed; whether it can be self-hosted; its certifications.',
    );
  });

  it('weights and thresholds are settings', () => {
    const strict = {
      ...DEFAULT_RUBRIC,
      weights: { ...DEFAULT_RUBRIC.weights, cn_filing: 2 },
      thresholds: { medium: 1, high: 3, critical: 6 },
    };
    const a = assessTool({ ...cloudAgent, cnFiling: false }, strict);
    expect(a.factors.map((f) => f.factor)).toContain('cn_filing');
    expect(a).toMatchObject({ score: 5, suggested: 'high' });
    expect(assessmentLine(a, (r) => RISK_LABELS[r])).toMatch(
      /^Suggested: High \(score 5\): sends code or prompts outside the company \(\+3\); .*certified: SOC 2 Type II, ISO 27001 \(-1\)\.$/,
    );
  });

  it('a registry’s settings change only what they name', () => {
    expect(rubricSettings(null)).toBe(DEFAULT_RUBRIC);
    const r = rubricSettings({ weights: { foreign_vendor: 2 }, thresholds: { high: 4 }, homeCountries: ['CN'] });
    expect(r.weights).toEqual({ ...DEFAULT_RUBRIC.weights, foreign_vendor: 2 });
    expect(r.thresholds).toEqual({ medium: 2, high: 4, critical: 8 });
    expect(r.homeCountries).toEqual(['CN']);
  });

  it('classes by threshold, and the gap to the registry’s class', () => {
    expect([0, 2, 5, 8].map((s) => classFor(s, DEFAULT_RUBRIC.thresholds))).toEqual([
      'low',
      'medium',
      'high',
      'critical',
    ]);
    expect(riskGap('low', 'high')).toBe(2);
    expect(riskGap('critical', 'medium')).toBe(-2);
  });
});
