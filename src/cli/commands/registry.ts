// toolgate registry import|export|list: the registry as code. Reading and writing YAML is loaded
// only by the commands that do it: `registry list` starts without it.
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { checkRegionRules } from '../../domain/directory.ts';
import { impactSummary, hasConsequences, type ToolImpact } from '../../domain/reclassification.ts';
import { checkTools } from '../../domain/registryCheck.ts';
import { RISK_CLASSES, TOOL_STATUSES, type DisplayNames, type ToolStatus } from '../../domain/types.ts';
import { NeedsConfirmationError, UsageError } from '../../errors.ts';
import type { EditRefusal, ToolEdit } from '../../service/reclassify.ts';
import { rubricSettings } from '../../domain/rubric.ts';
import { known, positiveInt, readOptions } from '../args.ts';
import { importSummaryText, registryCheckText, toolListingLine } from '../format.ts';
import { EXIT, type CommandRun, type CommandRunner, type ExitCode } from './types.ts';

const importOptions = z.object({
  prune: z.boolean().optional(),
  yes: z.boolean().optional(),
  dryRun: z.boolean().optional(),
});
const exportOptions = z.object({ out: z.string().optional() });
const listOptions = z.object({
  region: z.string().optional(),
  category: z.string().optional(),
  json: z.boolean().optional(),
});

export const registryImport: CommandRunner = async ({ args, options }, { ctx, config, env, io }) => {
  const o = readOptions(importOptions, options);
  const { readRegistryFile } = await import('../../service/registryFile.ts');
  const file = args[0] ?? config.registryPath;
  const registry = readRegistryFile(file);
  const base = { prune: o.prune ?? false, actor: `cli:${env.USER ?? 'unknown'}`, now: ctx.clock.now() };
  if (o.dryRun) {
    // Worked out in the import's own transaction, then rolled back: exactly what it would do now.
    const would = await ctx.store.importRegistry(registry, { ...base, dryRun: true });
    printImpacts(would.impacts ?? [], registry.names, io);
    io.out(
      `Dry run, nothing was changed. ${importSummaryText(file, would).replace(/^Imported/, 'Importing')} would change that.`,
    );
    return EXIT.ok;
  }
  try {
    // Without --yes, an import that would revoke or close anything is refused whole, in its transaction.
    const summary = await ctx.store.importRegistry(registry, { ...base, consequences: o.yes ? 'apply' : 'refuse' });
    printImpacts(summary.impacts ?? [], registry.names, io);
    io.out(importSummaryText(file, summary));
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof NeedsConfirmationError)) throw e;
    io.out(e.impact.join('\n'));
    io.err(
      `toolgate: importing ${file} revokes exceptions or closes requests (above), so nothing was changed. Run it again with --yes to apply it, or --dry-run to see the impact only.`,
    );
    return EXIT.badInput;
  }
};

function printImpacts(impacts: readonly ToolImpact[], names: DisplayNames, io: CommandRun['io']): void {
  const lines = impactSummary(impacts, names);
  if (!lines.length) return;
  io.out(hasConsequences(impacts) ? 'Reclassified tools, and what that does:' : 'Reclassified tools:');
  io.out(lines.join('\n'));
}

export const registryExport: CommandRunner = async ({ options }, { ctx, io }) => {
  const o = readOptions(exportOptions, options);
  const { registryToYaml } = await import('../../service/registryFile.ts');
  const yaml = registryToYaml(await ctx.store.exportRegistry());
  if (o.out) writeFileSync(o.out, yaml);
  else io.out(yaml.trimEnd());
  return EXIT.ok;
};

export const registryList: CommandRunner = async ({ options }, { ctx, io }) => {
  const o = readOptions(listOptions, options);
  // Unknown values are mistakes, not empty answers: "0 tools" for a mistyped category reads as a fact.
  const region = o.region === undefined ? ctx.defaultRegion : known(o.region, await ctx.store.regions(), '--region');
  const categories = (await ctx.store.categories()).map((c) => c.category);
  const category = o.category === undefined ? null : known(o.category, categories, '--category');
  const { tools, total } = await ctx.store.listTools(region, category, Number.MAX_SAFE_INTEGER);
  if (o.json) io.out(JSON.stringify(tools, null, 2));
  else {
    for (const t of tools) io.out(toolListingLine(t));
    io.err(`${total} tools`);
  }
  return EXIT.ok;
};

const checkOptions = z.object({ maxAgeDays: z.string().optional(), json: z.boolean().optional() });

export const registryCheck: CommandRunner = async ({ options }, { ctx, config, io }) => {
  const o = readOptions(checkOptions, options);
  const maxAgeDays = o.maxAgeDays === undefined ? config.reviewMaxAgeDays : positiveInt(o.maxAgeDays, '--max-age-days');
  const registry = await ctx.store.exportRegistry();
  const findings = checkTools(registry.tools, {
    now: ctx.clock.now(),
    maxAgeDays,
    rubric: rubricSettings(registry.rubric),
  });
  // Field labels as last read from Slack (the bot keeps them), so a rule naming a field the workspace lacks is seen.
  const labels = (await ctx.store.fieldLabels())?.labels;
  const rules = checkRegionRules(registry.regionRules, registry.regions, labels ? { fieldLabels: labels } : {});
  if (o.json)
    io.out(
      JSON.stringify([...findings, ...rules.map((r) => ({ ...r, kind: 'region_rule', problem: r.kind }))], null, 2),
    );
  else io.out(registryCheckText(findings, maxAgeDays, rules));
  io.err(`${findings.length + rules.length} findings`);
  return EXIT.ok;
};

const statusFlag = z.enum(TOOL_STATUSES, { error: () => `--status must be one of ${TOOL_STATUSES.join(', ')}` });
const riskFlag = z.enum(RISK_CLASSES, { error: () => `--risk must be one of ${RISK_CLASSES.join(', ')}` });
const editOptions = z.object({
  file: z.string().optional(),
  status: statusFlag.optional(),
  risk: riskFlag.optional(),
  region: z.array(z.string()).optional(),
  reason: z.string().optional(),
  yes: z.boolean().optional(),
  dryRun: z.boolean().optional(),
});

/** `--region cn=prohibited`, or `cn=inherit` for the global status there. */
function regionFlags(raw: readonly string[], regions: readonly string[]): Record<string, ToolStatus | null> {
  const out: Record<string, ToolStatus | null> = {};
  for (const flag of raw) {
    const [region = '', value = ''] = flag.split('=', 2);
    known(region, regions, '--region');
    if (value === 'inherit') out[region] = null;
    else if ((TOOL_STATUSES as readonly string[]).includes(value)) out[region] = value as ToolStatus;
    else
      throw new UsageError(
        `--region ${flag}: give region=status, the status one of ${TOOL_STATUSES.join(', ')}, or inherit (as globally)`,
      );
  }
  return out;
}

export const registryEdit: CommandRunner = async ({ args, options }, { ctx, env, io }) => {
  const o = readOptions(editOptions, options);
  const toolId = args[0] ?? '';
  const { editTool } = await import('../../service/reclassify.ts');
  const flags = o.status !== undefined || o.risk !== undefined || (o.region?.length ?? 0) > 0;
  if (o.file && flags) throw new UsageError('give the tool in --file, or change fields with flags, not both');
  if (!o.file && !flags) throw new UsageError('nothing to change: give --file, or --status, --risk or --region');
  if (!o.reason)
    throw new UsageError('--reason is required: say why the tool is reclassified (the audit log and the DMs say it)');
  let edit: ToolEdit;
  if (o.file) {
    const { readToolFile } = await import('../../service/registryFile.ts');
    edit = { kind: 'entry', doc: readToolFile(o.file) };
  } else {
    edit = {
      kind: 'fields',
      status: o.status,
      risk: o.risk,
      regions: regionFlags(o.region ?? [], await ctx.store.regions()),
    };
  }
  const names = await ctx.store.displayNames();
  const cmd = { toolId, edit, actor: `cli:${env.USER ?? 'unknown'}`, reason: o.reason, source: 'edit' as const };
  // The impact first, as it would be now; then the change, which works it out again in its own transaction.
  const preview = await editTool(ctx, { ...cmd, confirmed: true, dryRun: true });
  if (!preview.ok) return editRefused(preview.refusal, toolId, io);
  io.out(impactSummary([preview.impact], names).join('\n') || `${toolId}: no change of classification`);
  if (o.dryRun) {
    io.err('(dry run: nothing was changed)');
    return EXIT.ok;
  }
  const applied = await editTool(ctx, { ...cmd, confirmed: o.yes ?? false });
  if (!applied.ok) return editRefused(applied.refusal, toolId, io);
  io.out(`Changed ${toolId}${consequencesLine(applied.impact)}.`);
  return EXIT.ok;
};

const consequencesLine = (impact: ToolImpact): string => {
  const n = (o: string) => impact.items.filter((x) => x.outcome === o).length;
  const closed = n('close_prohibited') + n('close_not_needed');
  return n('revoke') || closed
    ? `: ${n('revoke')} exceptions revoked, ${closed} requests closed (each told by DM)`
    : '';
};

function editRefused(refusal: EditRefusal, toolId: string, io: CommandRun['io']): ExitCode {
  switch (refusal.kind) {
    case 'not_found':
      io.err(`toolgate: no tool "${toolId}" in the registry`);
      return EXIT.notFound;
    case 'unchanged':
      io.out(`${toolId} is already like that: nothing changed.`);
      return EXIT.ok;
    case 'needs_confirmation':
      io.err(
        `toolgate: this change revokes exceptions or closes requests, so nothing was changed. Run it again with --yes to apply it.`,
      );
      return EXIT.badInput;
    case 'invalid':
      io.err(
        `toolgate: the change to ${toolId} is not valid; nothing was changed:\n${refusal.errors.map((e) => `  - ${e}`).join('\n')}`,
      );
      return EXIT.badInput;
    case 'reason_required':
      io.err(`toolgate: --reason must be at least ${refusal.min} characters`);
      return EXIT.badInput;
    case 'reason_too_long':
      io.err(`toolgate: --reason must be at most ${refusal.max} characters`);
      return EXIT.badInput;
    case 'not_editor':
      io.err('toolgate: only admins and the review group may reclassify tools');
      return EXIT.badInput;
  }
}

export const registryHistory: CommandRunner = async ({ args, options }, { ctx, io }) => {
  const o = readOptions(z.object({ json: z.boolean().optional() }), options);
  const toolId = args[0] ?? '';
  const { toolHistoryText } = await import('../../service/reclassify.ts');
  const history = await toolHistoryText(ctx, toolId);
  if (!history) {
    io.err(`toolgate: no tool "${toolId}" in the registry`);
    return EXIT.notFound;
  }
  if (o.json) {
    io.out(JSON.stringify(await ctx.store.toolHistory(toolId), null, 2));
    return EXIT.ok;
  }
  if (!history.line) {
    io.out(`${history.tool.name}: no classification changes recorded.`);
    return EXIT.ok;
  }
  io.out(`${history.tool.name}: ${history.line}`);
  for (const line of history.detail) io.out(`  ${line}`);
  return EXIT.ok;
};
