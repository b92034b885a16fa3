// Reclassifying a tool (issue 12): from a file or flags (`toolgate registry edit`) or Slack's Edit
// modal, checked as an import checks it, with its consequences carried out in one transaction.
import { RULES } from '../domain/exceptions.ts';
import { mayEditRegistry, type ToolImpact } from '../domain/reclassification.ts';
import { parseToolEntry, toolToFile } from '../domain/registrySchema.ts';
import { cleanUserText } from '../domain/text.ts';
import { historyDetail, historyLine } from '../domain/toolHistory.ts';
import type { RiskClass, Tool, ToolStatus } from '../domain/types.ts';
import type { ServiceContext, ToolChangeRefusal } from './ports.ts';

/** What to change: a whole entry as the registry file spells it, or a few fields. */
export type ToolEdit =
  | { kind: 'entry'; doc: unknown }
  | {
      kind: 'fields';
      status?: ToolStatus | undefined;
      risk?: RiskClass | undefined;
      /** A region's own status, or null for "as globally" (its override's status removed). */
      regions?: Record<string, ToolStatus | null> | undefined;
    };

export interface EditCommand {
  toolId: string;
  edit: ToolEdit;
  actor: string;
  reason: string;
  source: 'edit' | 'slack';
  /** Carry out revocations and closings (else such a change is refused, changing nothing). */
  confirmed: boolean;
  dryRun?: boolean;
}

export type EditRefusal =
  | ToolChangeRefusal
  | { kind: 'not_editor' }
  | { kind: 'invalid'; errors: string[] }
  | { kind: 'reason_required'; min: number }
  | { kind: 'reason_too_long'; max: number };

export type EditResult = { ok: true; impact: ToolImpact; applied: boolean } | { ok: false; refusal: EditRefusal };

/** The entry as it would be after a few fields change, as the registry file spells it. */
function editedEntry(tool: Tool, edit: Extract<ToolEdit, { kind: 'fields' }>): unknown {
  const entry = toolToFile(tool);
  const regions: Record<string, Record<string, unknown>> = {};
  for (const [id, o] of Object.entries(tool.regions)) regions[id] = { ...o };
  for (const [id, status] of Object.entries(edit.regions ?? {})) {
    const o = { ...(regions[id] ?? {}) };
    if (status === null) delete o.status;
    else o.status = status;
    if (Object.values(o).some((v) => v !== undefined)) regions[id] = o;
    else delete regions[id];
  }
  return {
    ...entry,
    ...(edit.status && { status: edit.status }),
    ...(edit.risk && { risk: edit.risk }),
    regions,
  };
}

/** Whether this person may change the registry: an admin, or a member of the review group. */
export async function mayEdit(ctx: Pick<ServiceContext, 'store'>, user: string): Promise<boolean> {
  return mayEditRegistry((await ctx.store.registrySnapshot()).registry, user);
}

/**
 * Checks the change against the registry as an import would, then applies it (or, on a dry run,
 * works out what it would do). `actor` is checked only when it is a Slack user (`cli:` actors ran
 * the command with access to the database).
 */
export async function editTool(ctx: Pick<ServiceContext, 'store' | 'clock'>, cmd: EditCommand): Promise<EditResult> {
  const registry = (await ctx.store.registrySnapshot()).registry;
  if (cmd.source === 'slack' && !mayEditRegistry(registry, cmd.actor))
    return { ok: false, refusal: { kind: 'not_editor' } };
  const reason = cleanUserText(cmd.reason).trim();
  if (reason.length < RULES.reasonMin) return { ok: false, refusal: { kind: 'reason_required', min: RULES.reasonMin } };
  if (reason.length > RULES.noteMax) return { ok: false, refusal: { kind: 'reason_too_long', max: RULES.noteMax } };
  const current = registry.tools.find((t) => t.id === cmd.toolId);
  if (!current) return { ok: false, refusal: { kind: 'not_found' } };
  const doc = cmd.edit.kind === 'entry' ? cmd.edit.doc : editedEntry(current, cmd.edit);
  if (
    cmd.edit.kind === 'entry' &&
    (typeof doc !== 'object' || doc === null || (doc as { id?: unknown }).id !== current.id)
  )
    return {
      ok: false,
      refusal: { kind: 'invalid', errors: [`id: the entry must be the tool's own (id: ${current.id})`] },
    };
  const parsed = parseToolEntry(doc, registry, current.id);
  if (!parsed.ok)
    return { ok: false, refusal: { kind: 'invalid', errors: parsed.errors.map((e) => `${e.path}: ${e.message}`) } };
  return ctx.store.changeTool(parsed.tool, {
    actor: cmd.actor,
    reason,
    now: ctx.clock.now(),
    source: cmd.source,
    consequences: cmd.confirmed ? 'apply' : 'refuse',
    dryRun: cmd.dryRun ?? false,
  });
}

/** A tool's history in words: the one line, and an entry a line (when, who, before → after, why). */
export async function toolHistoryText(
  ctx: Pick<ServiceContext, 'store'>,
  toolId: string,
): Promise<{ tool: Tool; line: string | null; detail: string[] } | null> {
  const snapshot = await ctx.store.registrySnapshot();
  const tool = snapshot.tool(toolId);
  if (!tool) return null;
  const entries = await ctx.store.toolHistory(toolId);
  const names = snapshot.registry.names;
  return { tool, line: historyLine(entries, names), detail: historyDetail(entries, names) };
}
