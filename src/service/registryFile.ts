// Reading and writing the registry as code (YAML).
import { readFileSync } from 'node:fs';
import { CORE_SCHEMA, load } from 'js-yaml';
import { parseDocument, stringify } from 'yaml';
import { RegistryFileError } from '../errors.ts';
import { parseRegistry, registryToDocument, summarizeProblems, type RegistryParse } from '../domain/registrySchema.ts';
import type { Registry } from '../domain/types.ts';
import type { ImportOptions, ImportSummary, RegistryStore } from './ports.ts';

export function parseRegistryYaml(text: string): RegistryParse {
  const fast = loadPlainYaml(text);
  if (fast.ok) return parseRegistry(fast.value);
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length)
    return { ok: false, errors: doc.errors.map((e) => yamlProblem(e.message.split('\n')[0] ?? '')) };
  let value: unknown;
  try {
    // An alias to an anchor that is not there, or too many aliases, fails only when the document is read.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { ok: false, errors: [`YAML: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`] };
  }
  return parseRegistry(value);
}

/**
 * js-yaml reads a 50,000-tool file about twenty times faster than \`yaml\`, with a fraction of its
 * memory, and gives the same values under the same YAML 1.2 core schema (test/service/registryYaml.test.ts).
 * It is the first try; anything it refuses (a syntax error, a duplicate key, any alias at all, so an
 * alias bomb never reaches a reader that shares nodes) goes to \`yaml\`, whose messages name the line
 * and which expands aliases with a limit.
 */
function loadPlainYaml(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    const value = load(text, { schema: CORE_SCHEMA, maxAliases: 0 });
    // An empty file reads as undefined here and null there; let the thorough reader say what it says.
    return value === undefined ? { ok: false } : { ok: true, value };
  } catch {
    return { ok: false };
  }
}

/** A YAML error in one line, with the fix for the one people will meet: a user group handle's @ unquoted. */
function yamlProblem(message: string): string {
  const line = message.replace(/:$/, '');
  return /reserved character @/.test(line)
    ? `YAML: ${line}; a value starting with @ must be in quotes, e.g. usergroup: "@security-review"`
    : `YAML: ${message}`;
}

export function readRegistryFile(path: string): Registry {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RegistryFileError(path, [`cannot read the file (${e instanceof Error ? e.message : String(e)})`]);
  }
  const parsed = parseRegistryYaml(text);
  // Thousands of problems (a generated file missing one field) read as 20 and a count of each kind.
  if (!parsed.ok) throw new RegistryFileError(path, parsed.errors, summarizeProblems(parsed.errors));
  return parsed.registry;
}

/** One tool's entry, in YAML or JSON, as the registry file spells a tool (for `registry edit --file`). */
export function readToolFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RegistryFileError(path, [`cannot read the file (${e instanceof Error ? e.message : String(e)})`]);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length)
    throw new RegistryFileError(
      path,
      doc.errors.map((e) => yamlProblem(e.message.split('\n')[0] ?? '')),
    );
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  // A file holding `tools: [one]` (cut from the registry file) is read as that one tool.
  if (value && typeof value === 'object' && 'tools' in value && Array.isArray(value.tools) && value.tools.length === 1)
    return value.tools[0] as unknown;
  return value;
}

export function registryToYaml(registry: Registry): string {
  return stringify(registryToDocument(registry), { lineWidth: 0 });
}

export async function importRegistryFile(
  store: RegistryStore,
  path: string,
  options: ImportOptions,
): Promise<ImportSummary> {
  return store.importRegistry(readRegistryFile(path), options);
}

/** On first start the database is empty: fill it from the registry file. */
export async function seedIfEmpty(store: RegistryStore, path: string, now: Date): Promise<ImportSummary | null> {
  if ((await store.toolCount()) > 0) return null;
  return importRegistryFile(store, path, { prune: false, actor: 'system:first-start', now });
}
