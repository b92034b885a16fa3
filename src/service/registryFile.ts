// Reading and writing the registry as code (YAML).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CORE_SCHEMA, load, type EventType, type LoadOptions, type State } from 'js-yaml';
import type * as Yaml from 'yaml';
import { RegistryFileError } from '../errors.ts';
import {
  parseRegistry,
  parseRegistryInPieces,
  registryToDocument,
  summarizeProblems,
  type RegistryParse,
} from '../domain/registrySchema.ts';
import type { Registry } from '../domain/types.ts';
import type { ImportOptions, ImportSummary, RegistryStore } from './ports.ts';

// \`yaml\` is for what js-yaml refuses, a tool's own file and writing YAML, never for a plain start:
// loaded when first needed, as it took about 40 ms of every start to load.
const requireModule = createRequire(import.meta.url);
let yamlModule: typeof Yaml | null = null;
const yaml = (): typeof Yaml => (yamlModule ??= requireModule('yaml') as typeof Yaml);

export function parseRegistryYaml(text: string): RegistryParse {
  const fast = loadPlainYaml(text);
  if (fast.ok) return parseRegistry(fast.value);
  const doc = yaml().parseDocument(text, { prettyErrors: true, uniqueKeys: true });
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
 * It is the first try; anything it refuses (a syntax error, a duplicate key, any anchor at all, so
 * no alias is ever read: an alias bomb never reaches a reader that shares nodes; fastYaml) goes to \`yaml\`,
 * whose messages name the line and which expands aliases with a limit. js-yaml 4, not 5: 5 reads
 * the same file in twice the time and twice the memory here (4.0 against 2.1 s, 640 against 325 MB).
 */
function loadPlainYaml(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    const value = load(text, fastYaml());
    // An empty file reads as undefined here and null there; let the thorough reader say what it says.
    return value === undefined ? { ok: false } : { ok: true, value };
  } catch {
    return { ok: false };
  }
}

/** YAML 1.2's core schema's numbers, as `yaml` reads them (js-yaml 4 reads more: 0b101, -0x1F, +0o17). */
const CORE_INT = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const CORE_FLOAT =
  /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const QUOTE = /["']/;

/**
 * How js-yaml reads, wherever it reads first. Its node listener ends the fast read (the thorough
 * reader then says what it says) wherever js-yaml 4 could read otherwise than \`yaml\` and the spec:
 * - an anchor, all an alias can name;
 * - a quoted scalar over several lines: js-yaml 4 does not check their lines' indentation, so a
 *   quote left open would swallow the entries after it where \`yaml\` refuses the file;
 * - a number the core schema does not make (0b101, -0x1F), and a plain text it would (-.5).
 * A false alarm costs only a slower read.
 */
function fastYaml(): LoadOptions {
  const starts: number[] = [];
  return {
    schema: CORE_SCHEMA,
    listener(event: EventType, state: State) {
      if (event === 'open') {
        starts.push(state.position);
        return;
      }
      const start = starts.pop() ?? 0;
      // Every anchor is in the map by the time the document's node closes (js-yaml shares what an
      // alias names, so nothing is expanded before); it stays empty otherwise.
      if (starts.length === 0 && Object.keys((state as State & { anchorMap: object }).anchorMap).length > 0)
        throw new Error('an anchor: read by `yaml` instead');
      if (state.kind !== 'scalar') return;
      const { input, position } = state;
      const result: unknown = state.result;
      // A quoted scalar ends at its closing quote, whatever came before it (a tag, a line break).
      const quoted = QUOTE.test(input.charAt(position - 1));
      if (quoted) {
        const lineEnd = input.indexOf('\n', start);
        if (lineEnd !== -1 && lineEnd < position)
          throw new Error('a quoted scalar over several lines: read by `yaml` instead');
        return;
      }
      if (typeof result === 'number') {
        const text = input.slice(start, position).trim();
        if (!CORE_INT.test(text) && !CORE_FLOAT.test(text)) throw new Error('a number `yaml` would not make');
      } else if (
        typeof result === 'string' &&
        /^[-+.0-9]/.test(result) &&
        (CORE_INT.test(result) || CORE_FLOAT.test(result))
      )
        throw new Error('a number js-yaml would not make');
    },
  };
}

/** A YAML error in one line, with the fix for the one people will meet: a user group handle's @ unquoted. */
function yamlProblem(message: string): string {
  const line = message.replace(/:$/, '');
  return /reserved character @/.test(line)
    ? `YAML: ${line}; a value starting with @ must be in quotes, e.g. usergroup: "@security-review"`
    : `YAML: ${message}`;
}

export function readRegistryFile(path: string): Registry {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new RegistryFileError(path, [`cannot read the file (${e instanceof Error ? e.message : String(e)})`]);
  }
  const parsed = parseRegistryBytesInPieces(bytes) ?? parseRegistryYaml(bytes.toString('utf8'));
  // Thousands of problems (a generated file missing one field) read as 20 and a count of each kind.
  if (!parsed.ok) throw new RegistryFileError(path, parsed.errors, summarizeProblems(parsed.errors));
  return parsed.registry;
}

/** Tools a piece: small enough that a piece's raw document is little, big enough that pieces are few. */
const TOOLS_A_PIECE = 500;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const CR = 0x0d;
const HASH = 0x23;
const DASH = 0x2d;

/**
 * A large registry file read with bounded memory (issue 11): the tools sequence is cut into pieces
 * of a few hundred entries at the lines that start an entry, each piece is parsed (js-yaml, as
 * loadPlainYaml) and checked on its own, and its raw document dropped before the next; the rest of
 * the file (the lines before \`tools:\` and after its sequence) is parsed on its own. Each piece is
 * decoded from the bytes by itself, so the whole text is never one string (one non-ASCII letter made
 * it a two-byte string of twice the file's size, which every parsed value then kept alive).
 *
 * Why the parts read as the whole does: \`tools:\` is a key of the top-level mapping (column 0),
 * its entries are the lines at the sequence's indentation starting with "- ", and no scalar or flow
 * collection of YAML can go on past such a line (a block scalar or a plain one ends at a line indented
 * no deeper than its entry; a quoted scalar or a flow collection left open makes its part fail). Every
 * part must parse on its own; anything unusual (a BOM, directives or several documents, a \`tools:\`
 * written otherwise, a key in both the head and the tail, any YAML or schema problem) gives null,
 * and the file is read whole as before, which gives the same registry or the same messages.
 */
function parseRegistryBytesInPieces(bytes: Buffer): RegistryParse | null {
  if (bytes.length < 3 || (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) return null;
  const lineEnd = (at: number) => {
    const end = bytes.indexOf(NEWLINE, at);
    return end < 0 ? bytes.length : end;
  };
  /** Spaces before the line's first other byte; -1 for a blank line or a comment. */
  const indentOf = (at: number, end: number) => {
    let i = at;
    while (i < end && bytes[i] === SPACE) i++;
    return i === end || bytes[i] === HASH || (bytes[i] === CR && i + 1 === end) ? -1 : i - at;
  };
  const isEntry = (at: number, end: number) =>
    bytes[at] === DASH && (at + 1 === end || bytes[at + 1] === SPACE || (bytes[at + 1] === CR && at + 2 === end));
  // The head: up to a line that is exactly `tools:` (a comment after it allowed).
  let toolsLine = -1;
  let at = 0;
  while (at < bytes.length) {
    const end = lineEnd(at);
    const line = bytes.toString('latin1', at, Math.min(end, at + 64));
    if (/^(---|\.\.\.|%)/.test(line)) return null;
    if (/^tools:/.test(line)) {
      if (!/^tools:[ ]*(#.*)?\r?$/.test(bytes.toString('latin1', at, end))) return null;
      toolsLine = at;
      at = end + 1;
      break;
    }
    at = end + 1;
  }
  if (toolsLine < 0) return null;
  const headEnd = toolsLine;
  const starts: number[] = [];
  let indent = -1;
  let tailStart = bytes.length;
  while (at < bytes.length) {
    const end = lineEnd(at);
    const n = indentOf(at, end);
    if (n >= 0) {
      if (indent < 0) {
        if (!isEntry(at + n, end)) return null;
        indent = n;
      }
      if (n === indent && isEntry(at + n, end)) starts.push(at);
      else if (n === 0) {
        tailStart = at;
        break;
      }
      // Deeper than column 0 and no deeper than the entries, but not an entry: not for cutting.
      else if (n <= indent) return null;
    }
    at = end + 1;
  }
  if (!starts.length) return null;
  // The head or the tail: nothing but comments reads as no keys at all.
  const loadPart = (start: number, end: number): unknown => {
    if (!/^[ ]*[^\s#]/m.test(bytes.toString('latin1', start, end))) return {};
    try {
      return load(bytes.toString('utf8', start, end), fastYaml());
    } catch {
      return null;
    }
  };
  // Directives or a second document anywhere after the sequence: the whole file says what that is.
  if (/^(---|\.\.\.|%)/m.test(bytes.toString('latin1', tailStart))) return null;
  const head = loadPart(0, headEnd);
  const tail = loadPart(tailStart, bytes.length);
  const isMapping = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isMapping(head) || !isMapping(tail) || 'tools' in head || 'tools' in tail) return null;
  if (Object.keys(head).some((k) => Object.hasOwn(tail, k))) return null;
  const rest = { ...head, ...tail };
  const toolsEnd = tailStart;
  function* pieces(): Generator<unknown> {
    for (let i = 0; i < starts.length; i += TOOLS_A_PIECE) {
      const piece = loadPlainYaml(bytes.toString('utf8', starts[i], starts[i + TOOLS_A_PIECE] ?? toolsEnd));
      // Not an array: parseRegistryInPieces gives up, and the whole file is read as before.
      yield piece.ok ? piece.value : null;
    }
  }
  return parseRegistryInPieces(rest, pieces());
}

/** One tool's entry, in YAML or JSON, as the registry file spells a tool (for `registry edit --file`). */
export function readToolFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RegistryFileError(path, [`cannot read the file (${e instanceof Error ? e.message : String(e)})`]);
  }
  const doc = yaml().parseDocument(text, { prettyErrors: true, uniqueKeys: true });
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
  return yaml().stringify(registryToDocument(registry), { lineWidth: 0 });
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
