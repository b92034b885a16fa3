// `/can-i-use <tool>`: one answer, computed here, for Slack, the CLI and anyone else.
import { normalizeKey, resolveQuery, suggest, type MatchResult, type MatchVia } from '../domain/match.ts';
import { cleanUserText, cutText } from '../domain/text.ts';
import { clearedAlternatives, needsAlternative, verdictFor, type Verdict } from '../domain/verdict.ts';
import { currentStage, type ExceptionRequest } from '../domain/exceptions.ts';
import { mayEditRegistry } from '../domain/reclassification.ts';
import { categoryName, regionName, type Person, type Tool, type ToolRef } from '../domain/types.ts';
import type { RegionSource } from '../domain/directory.ts';
import { whereabouts } from './directory.ts';
import type { RegistrySnapshot, ServiceContext, ToolListing } from './ports.ts';

export const LIST_LIMIT = 100;

export interface Asker {
  user: string | null;
  /** Overrides the region the registry gives the person (CLI --region). */
  region?: string | null | undefined;
  /** The workspace the request came from (Enterprise Grid `team` rules). */
  team?: string | null | undefined;
}

export type Answer =
  | { kind: 'help' }
  | {
      kind: 'list';
      region: string;
      regionName: string;
      /** Why the region is what it is; null when the caller chose it (CLI --region). */
      regionSource: RegionSource | null;
      category: string | null;
      categoryName: string | null;
      tools: ToolListing[];
      total: number;
      categories: NamedId[];
    }
  | {
      kind: 'found';
      query: string;
      via: MatchVia;
      tool: Tool;
      verdict: Verdict;
      regionName: string;
      /** Why the region is what it is; null when the caller chose it (CLI --region). */
      regionSource: RegionSource | null;
      categoryName: string;
      /** The asker's own open request for this tool, if they filed one: the answer says so instead of offering another. */
      openRequest: OpenRequestNote | null;
      alternatives: ToolRef[];
      others: ToolRef[];
      person: Person | null;
      /** Where to ask about the policy (the registry's review channel). */
      contactChannel: string | null;
      /**
       * Set when the person cannot use the tool as it is and the registry clears none of its
       * alternatives in their region: where to ask instead (the review channel; null: none is set).
       */
      noClearedAlternative: { ask: string | null } | null;
      /** The tool has recorded classification changes (History); the asker may reclassify it (Edit). */
      tools?: { history: boolean; edit: boolean } | undefined;
    }
  | { kind: 'ambiguous'; query: string; options: ToolRef[] }
  | { kind: 'not_found'; query: string; suggestions: ToolRef[] };

export interface NamedId {
  id: string;
  name: string;
}

export interface OpenRequestNote {
  id: number;
  /** The approver group deciding it now. */
  waitingFor: string | null;
  createdAt: string;
}

export type AnswerDeps = Pick<ServiceContext, 'store' | 'defaultRegion' | 'clock' | 'directory'>;

const MAX_QUERY = 200;

/** The asker's region and why: a `people` entry, then region_rules over their Slack profile, then the default. */
async function regionOf(
  deps: AnswerDeps,
  registry: RegistrySnapshot,
  asker: Asker,
): Promise<{ region: string; person: Person | null; source: RegionSource | null }> {
  const person = asker.user ? registry.person(asker.user) : null;
  if (asker.region) return { region: asker.region, person, source: null };
  if (!asker.user) return { region: deps.defaultRegion, person, source: null };
  const found = await whereabouts(deps, registry, asker.user, asker.team ?? null);
  return { region: found.region, person, source: found.source };
}

/** What the answer says of the asker's open request: which group it waits for, since when. */
function openRequestNote(registry: RegistrySnapshot, open: ExceptionRequest): OpenRequestNote {
  const stage = currentStage(open);
  const group = stage ? registry.approverGroup(stage.groupId) : null;
  return { id: open.id, waitingFor: group?.name ?? stage?.groupId ?? null, createdAt: open.createdAt };
}

/** The answer for one tool, once it is known which. */
export async function answerForTool(
  deps: AnswerDeps,
  tool: Tool,
  asker: Asker,
  query = tool.name,
  via: MatchVia = 'exact',
  others: ToolRef[] = [],
): Promise<Answer> {
  return answerWith(deps, await deps.store.registrySnapshot(), tool, asker, query, via, others);
}

// Everything but the asker's own exception comes from the one registry snapshot the answer began with.
async function answerWith(
  deps: AnswerDeps,
  registry: RegistrySnapshot,
  tool: Tool,
  asker: Asker,
  query: string,
  via: MatchVia,
  others: ToolRef[],
): Promise<Answer> {
  const { region, person, source } = await regionOf(deps, registry, asker);
  let verdict = verdictFor(tool, region);
  // An exception changes the verdict only where one is required (verdictFor), and only there is an
  // open request the one case that changes the answer (the button becomes "waiting for"): only then
  // is the asker's own state read.
  const own =
    asker.user && verdict.status === 'exception_required'
      ? await deps.store.askerToolState(asker.user, tool.id, deps.clock.now())
      : null;
  if (own?.exception) verdict = verdictFor(tool, region, own.exception);
  const contactChannel = verdict.status === 'prohibited' ? registry.registry.reviewChannel : null;
  const names = registry.registry.names;
  // Only alternatives the asker's region clears: one prohibited there is no alternative.
  const alternatives = registry.toolRefs(clearedAlternatives(verdict.alternatives, region, (id) => registry.tool(id)));
  return {
    kind: 'found',
    query,
    via,
    tool,
    verdict,
    regionName: regionName(names, region),
    regionSource: source,
    categoryName: categoryName(names, tool.category),
    openRequest: own?.openRequest && verdict.canRequestException ? openRequestNote(registry, own.openRequest) : null,
    alternatives,
    others,
    person,
    contactChannel,
    noClearedAlternative:
      alternatives.length === 0 && needsAlternative(verdict) ? { ask: registry.registry.reviewChannel } : null,
    tools: {
      history: await deps.store.hasToolHistory(tool.id),
      edit: asker.user !== null && mayEditRegistry(registry.registry, asker.user),
    },
  };
}

/**
 * What a query key means in one registry snapshot is the same for everyone who asks it, and most
 * questions name a few popular tools: worked out once per key and snapshot, kept until the snapshot
 * is replaced (a registry change) or this many keys are held (then started afresh).
 */
const MATCHES_KEPT = 2000;
const matches = new WeakMap<RegistrySnapshot, Map<string, MatchResult>>();

function frozen(result: MatchResult): MatchResult {
  const refs =
    result.kind === 'match'
      ? [result.tool, ...result.others]
      : result.kind === 'ambiguous'
        ? result.options
        : result.suggestions;
  for (const r of refs) Object.freeze(r);
  if (result.kind === 'match') Object.freeze(result.others);
  else Object.freeze(result.kind === 'ambiguous' ? result.options : result.suggestions);
  return Object.freeze(result);
}

function matchFor(registry: RegistrySnapshot, key: string): MatchResult {
  let known = matches.get(registry);
  if (!known) {
    known = new Map();
    matches.set(registry, known);
  }
  let result = known.get(key);
  if (!result) {
    if (known.size >= MATCHES_KEPT) known.clear();
    // Frozen: every later answer to the key shares it.
    result = frozen(resolveQuery(key, registry.findKeyHits(key, true)));
    known.set(key, result);
  }
  return result;
}

/** The query as answering reads it (and the query log records it): cleaned, spaces collapsed, cut. */
export const cleanQuery = (rawQuery: string): string =>
  cutText(cleanUserText(rawQuery).trim().replace(/\s+/g, ' '), MAX_QUERY);

export async function answer(deps: AnswerDeps, rawQuery: string, asker: Asker): Promise<Answer> {
  const query = cleanQuery(rawQuery);
  const lower = query.toLowerCase();
  if (query === '' || lower === 'help' || lower === '?') return { kind: 'help' };

  const registry = await deps.store.registrySnapshot();
  const list = /^list(?:\s+(.+))?$/i.exec(query);
  if (list) {
    const { region, source } = await regionOf(deps, registry, asker);
    const category = list[1]?.trim().toLowerCase().replace(/\s+/g, '-') ?? null;
    const { tools, total } = registry.listTools(region, category, LIST_LIMIT);
    const names = registry.registry.names;
    const categories = registry.categories().map((c) => ({ id: c.category, name: categoryName(names, c.category) }));
    return {
      kind: 'list',
      region,
      regionName: regionName(names, region),
      regionSource: source,
      category,
      categoryName: category === null ? null : categoryName(names, category),
      tools,
      total,
      categories,
    };
  }

  const key = normalizeKey(query);
  if (!key) return { kind: 'not_found', query, suggestions: [] };
  const result = matchFor(registry, key);
  switch (result.kind) {
    case 'match': {
      const tool = registry.tool(result.tool.id);
      if (!tool) return { kind: 'not_found', query, suggestions: [] };
      return answerWith(deps, registry, tool, asker, query, result.via, result.others);
    }
    case 'ambiguous':
      return { kind: 'ambiguous', query, options: result.options };
    case 'none': {
      // Typos in two places escape the one-deletion index; names sharing the first letters catch most of them.
      let suggestions =
        result.suggestions.length || key.length < 4
          ? result.suggestions
          : suggest(key, registry.findKeyHits(key.slice(0, 3), false));
      // "copilot chat": a word of the query may name a tool on its own.
      for (const word of query.split(/\s+/).slice(0, 4)) {
        if (suggestions.length >= 3) break;
        const w = normalizeKey(word);
        if (w.length < 4 || w === key) continue;
        const found = suggest(w, registry.findKeyHits(w, false));
        suggestions = [...suggestions, ...found.filter((f) => !suggestions.some((s) => s.id === f.id))].slice(0, 3);
      }
      return { kind: 'not_found', query, suggestions };
    }
  }
}
