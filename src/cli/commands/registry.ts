// toolgate registry import|export|list: the registry as code. Reading and writing YAML is loaded
// only by the commands that do it: `registry list` starts without it.
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { checkRegionRules } from '../../domain/directory.ts';
import { checkTools } from '../../domain/registryCheck.ts';
import { rubricSettings } from '../../domain/rubric.ts';
import { known, positiveInt, readOptions } from '../args.ts';
import { importSummaryText, registryCheckText, toolListingLine } from '../format.ts';
import { EXIT, type CommandRunner } from './types.ts';

const importOptions = z.object({ prune: z.boolean().optional() });
const exportOptions = z.object({ out: z.string().optional() });
const listOptions = z.object({
  region: z.string().optional(),
  category: z.string().optional(),
  json: z.boolean().optional(),
});

export const registryImport: CommandRunner = async ({ args, options }, { ctx, config, env, io }) => {
  const o = readOptions(importOptions, options);
  const { importRegistryFile } = await import('../../service/registryFile.ts');
  const file = args[0] ?? config.registryPath;
  const summary = await importRegistryFile(ctx.store, file, {
    prune: o.prune ?? false,
    actor: `cli:${env.USER ?? 'unknown'}`,
    now: ctx.clock.now(),
  });
  io.out(importSummaryText(file, summary));
  return EXIT.ok;
};

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
