// The registry the bench measures at scale: the shipped tools plus generated ones, to `count` tools,
// each with a name of two or three made-up words and a number, one or two aliases, and region rules
// on a share of them. Deterministic, so every run measures the same registry.
import type { Registry, RegionOverride, Tool } from '../src/domain/types.ts';

const SYLLABLES = ['ka', 'zu', 'mi', 'ro', 'te', 'na', 'shi', 'lo', 'vex', 'dra'];
const MORE = ['quin', 'bel', 'tor', 'pha', 'gen', 'ix', 'or', 'um', 'sol', 'tri'];

export function generatedRegistry(base: Registry, count: number): Registry {
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const syllables = [...SYLLABLES, ...MORE];
  const word = () => Array.from({ length: 2 + rand(3) }, () => syllables[rand(syllables.length)]).join('');
  const cap = (s: string) => `${s[0]?.toUpperCase() ?? ''}${s.slice(1)}`;
  const shipped = base.tools.map((t) => t.id);
  const tools: Tool[] = [...base.tools];
  for (let i = 0; tools.length < count; i++) {
    const template = base.tools[i % base.tools.length] as Tool;
    const words = [cap(word()), cap(word()), ...(i % 3 === 0 ? [cap(word())] : [])];
    const name = `${words.join(' ')} ${i}`;
    const regions: Record<string, RegionOverride> = {};
    // A quarter are ruled on for mainland China, a tenth carry conditions of their own there.
    if (i % 4 === 0)
      regions.cn = {
        status: 'prohibited',
        reason: `Not cleared for mainland China offices (generated rule ${i}).`,
        alternatives: [shipped[i % shipped.length] as string],
      };
    else if (i % 10 === 1) regions.cn = { conditions: `Only with the regional account (generated rule ${i}).` };
    tools.push({
      // A fresh copy of the template's facts: a shared object would be written to YAML as an alias.
      ...structuredClone(template),
      id: `${words.join('-').toLowerCase()}-${i}`,
      name,
      aliases: i % 2 === 0 ? [`${word()} ${i}`] : [`${word()} ${i}`, `${words[0] ?? ''}${i}x`],
      alternatives: i % 5 === 0 ? [shipped[(i * 7) % shipped.length] as string] : [],
      approvers: null,
      regions,
    });
  }
  return { ...base, tools };
}

/** Queries of one kind against a registry, the i-th of them. */
export function queryMaker(
  registry: Registry,
): Record<'exact' | 'alias' | 'typo' | 'unknown' | 'list', (i: number) => string> {
  const tools = registry.tools;
  const pick = (i: number) => tools[(i * 7919) % tools.length] as Tool;
  return {
    exact: (i) => pick(i).name,
    alias: (i) => {
      const t = pick(i);
      return t.aliases[i % Math.max(1, t.aliases.length)] ?? t.name;
    },
    typo: (i) => {
      const n = pick(i).name;
      const at = 1 + (i % (n.length - 2));
      return n.slice(0, at) + n.slice(at + 1);
    },
    unknown: (i) => `nonexistent ${['vexdra', 'quinbel', 'torpha', 'solum'][i % 4]} tool ${i}`,
    list: () => 'list',
  };
}
