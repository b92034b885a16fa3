// A registry file is read with its tools sequence cut into pieces (issue 11: bounded memory on a
// large first start). Whatever the file, the result must be the one reading it whole gives: the
// same registry, or the same messages. Each case is read both ways and compared.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedRegistry } from '../../bench/generate.ts';
import { parseRegistryYaml, readRegistryFile, registryToYaml } from '../../src/service/registryFile.ts';
import { REGISTRY_PATH, tempDir } from '../helpers/tmp.ts';

const shipped = readFileSync(REGISTRY_PATH, 'utf8');
// Enough tools for several pieces, with region rules and non-ASCII names among them.
const large = registryToYaml(generatedRegistry(readRegistryFile(REGISTRY_PATH), 1300));
const toolsAt = shipped.indexOf('\ntools:\n') + 1;
const head = shipped.slice(0, toolsAt);
const toolsPart = shipped.slice(toolsAt);

/** What reading the file gives, as a value to compare: the registry, or the messages. */
function readBoth(text: string): { pieces: unknown; whole: unknown } {
  const path = join(tempDir(), 'registry.yml');
  writeFileSync(path, text);
  let pieces: unknown;
  try {
    pieces = { ok: true, registry: readRegistryFile(path) };
  } catch (e) {
    pieces = { ok: false, errors: (e as { problems?: unknown }).problems };
  }
  const whole = parseRegistryYaml(text);
  return { pieces, whole: whole.ok ? whole : { ok: false, errors: whole.errors } };
}

const cases: Record<string, string> = {
  'the shipped file': shipped,
  'a generated file of 1,300 tools': large,
  'CRLF line ends': large.replace(/\n/g, '\r\n'),
  'a byte order mark': `\ufeff${shipped}`,
  'tools first, the settings after them': `${toolsPart}${head}`,
  'a comment before everything': `# the registry\n${shipped}`,
  'a comment after tools:': shipped.replace('\ntools:\n', '\ntools: # every tool\n'),
  'the entries at column 0': `${head}tools:\n${toolsPart.slice('tools:\n'.length).replace(/^ {2}/gm, '')}`,
  'a key again after the tools': `${shipped}\nregions: [global]\n`,
  'a second document': `${shipped}\n---\nregions: [global]\n`,
  'tools twice': `${shipped}\ntools:\n  - id: another\n`,
  'a line between entries at their indentation that is not an entry': shipped.replace(
    '\n  - id: github-copilot',
    '\n  people: []\n  - id: github-copilot',
  ),
  'an unknown key after the tools': `${shipped}\nextra: 1\n`,
  'a misspelt field in a tool of a later piece': large.replace(/\n {4}vendor: /g, (m, at: number) =>
    at > large.length / 2 && at < large.length / 2 + 2000 ? '\n    vendr: ' : m,
  ),
  'an unknown alternative': shipped.replace(/alternatives: \[[^\]]*\]/, 'alternatives: [no-such-tool]'),
  'a quote left open across entries': shipped.replace(/\n {4}vendor: ([^\n]*)/, '\n    vendor: "$1\n  - id: x\n    y"'),
  'a quoted value over two lines, indented as it must be': shipped.replace(
    /\n {4}vendor: ([^\n]*)/,
    '\n    vendor: "$1\n      Incorporated"',
  ),
  'a tab after an entry dash': shipped.replace('\n  - id: github-copilot', '\n  -\tid: github-copilot'),
  'an anchor and an alias': shipped
    .replace(/\n {4}vendor: ([^\n]*)/, '\n    vendor: &v $1')
    .replace(/(\n {4}vendor: )(?!&)[^\n]*/, '$1*v'),
  'no tools at all after tools:': `${head}tools:\n`,
  'tools: followed by a flow sequence': `${head}tools:\n  [${'{id: x}'}]\n`,
};

describe('reading a registry file in pieces', () => {
  it.each(Object.entries(cases))('gives what reading it whole gives: %s', (_, text) => {
    const { pieces, whole } = readBoth(text);
    expect(pieces).toEqual(whole);
  });

  it('reads the large file, and refuses the broken ones', () => {
    expect((readBoth(large).pieces as { ok: boolean }).ok).toBe(true);
    const twoLines = readBoth(cases['a quoted value over two lines, indented as it must be'] as string).pieces;
    expect((twoLines as { registry: { tools: Array<{ vendor: string }> } }).registry.tools[0]?.vendor).toMatch(
      / Incorporated$/,
    );
    for (const broken of ['a quote left open across entries', 'a misspelt field in a tool of a later piece'])
      expect((readBoth(cases[broken] as string).pieces as { ok: boolean }).ok).toBe(false);
  });
});
