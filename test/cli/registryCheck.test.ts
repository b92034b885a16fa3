// `toolgate registry check` (issue 12): the rubric's disagreements and stale tools, from a file with known facts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { checkTools } from '../../src/domain/registryCheck.ts';
import { DEFAULT_RUBRIC } from '../../src/domain/rubric.ts';
import { parseRegistryYaml } from '../../src/service/registryFile.ts';
import { tempDbPath, tempDir } from '../helpers/tmp.ts';

const REGISTRY = `
regions: [global]
tools:
  - id: leaky
    name: Leaky
    vendor: Leaky Inc
    vendor_country: US
    category: ai-chat
    risk: low
    status: approved
    reason: Sends everything out and trains on it.
    data: { sends_code_externally: true, trains_on_inputs: true, data_location: US, self_hostable: false }
    certifications: []
    reviewed: 2026-11-01
  - id: local
    name: Local
    vendor: Local Co
    vendor_country: DE
    category: ai-chat
    risk: low
    status: approved
    reason: Runs on our machines.
    data: { sends_code_externally: false, trains_on_inputs: false, data_location: on-premises, self_hostable: true }
    certifications: [ISO 27001]
    reviewed: 2024-01-15
    facts_checked: 2025-06-01
  - id: unknown-facts
    name: Unknown Facts
    vendor: Someone
    vendor_country: US
    category: ai-chat
    risk: low
    status: approved
    reason: Nobody checked.
`;

const NOW = '2026-12-01T00:00:00Z';

describe('registry check', () => {
  it('finds the rubric disagreements and the stale tools (pure)', () => {
    const parsed = parseRegistryYaml(REGISTRY);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const findings = checkTools(parsed.registry.tools, { now: new Date(NOW), maxAgeDays: 365, rubric: DEFAULT_RUBRIC });
    expect(findings.map((f) => [f.kind, f.toolId])).toEqual([
      ['rubric', 'leaky'],
      ['stale', 'unknown-facts'],
      ['stale', 'local'],
    ]);
    expect(findings[0]).toMatchObject({ registry: 'low', assessment: { suggested: 'critical', score: 8 } });
    expect(findings[2]).toMatchObject({ lastChecked: '2025-06-01', ageDays: 548 });
  });

  it('prints them, with the count on stderr, and exit 0', async () => {
    const dir = tempDir();
    const file = join(dir, 'registry.yml');
    writeFileSync(file, REGISTRY);
    const db = tempDbPath();
    const env = { DATABASE_PATH: db, REGISTRY_PATH: file };
    const io = () => {
      const out: string[] = [];
      const err: string[] = [];
      return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
    };
    const a = io();
    expect(await runCli(['registry', 'import'], env, a.io)).toBe(0);
    const b = io();
    expect(await runCli(['registry', 'check', '--max-age-days', '3650'], env, b.io)).toBe(0);
    expect(b.out.join('\n')).toContain('leaky                        Low in the registry. Suggested: ');
    expect(b.out.join('\n')).toContain('unknown-facts                never reviewed or checked');
    expect(b.out.join('\n')).not.toContain('local  ');
    expect(b.err).toEqual(['2 findings']);
    const c = io();
    expect(await runCli(['registry', 'check', '--max-age-days', 'soon'], env, c.io)).toBe(2);
    expect(c.err[0]).toBe('toolgate: --max-age-days must be a positive whole number, not "soon"');
  });
});
