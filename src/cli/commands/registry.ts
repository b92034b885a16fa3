// toolgate registry import|export|list: the registry as code.
import { writeFileSync } from 'node:fs';
import { importRegistryFile, listRegistry, registryToYaml } from '../../service/registryFile.ts';
import { UsageError } from '../../errors.ts';
import { parse } from '../args.ts';
import { importSummaryText, toolListingLine } from '../format.ts';
import { EXIT, type CliCommand } from './types.ts';

export const registry: CliCommand = {
  name: 'registry',
  usage: [
    'toolgate registry import [file] [--prune]                    load data/registry.yml (or file) into the database',
    'toolgate registry export [--out file]                        the registry as YAML',
    'toolgate registry list [--region R] [--category C] [--json]  the tools and their status',
  ],
  // An import fills the database itself; everything else reads a seeded one.
  database: (args) => (args[0] === 'import' ? 'as-is' : 'seeded'),
  async run([sub, ...args], { ctx, config, env, io }) {
    switch (sub) {
      case 'import': {
        const { values, positionals } = parse(args, { prune: { type: 'boolean' } });
        const file = positionals[0] ?? config.registryPath;
        const summary = await importRegistryFile(ctx.store, file, {
          prune: values.prune ?? false,
          actor: `cli:${env.USER ?? 'unknown'}`,
          now: ctx.clock.now(),
        });
        io.out(importSummaryText(file, summary));
        return EXIT.ok;
      }
      case 'export': {
        const { values } = parse(args, { out: { type: 'string' } });
        const yaml = registryToYaml(await ctx.store.exportRegistry());
        if (values.out) writeFileSync(values.out, yaml);
        else io.out(yaml.trimEnd());
        return EXIT.ok;
      }
      case 'list': {
        const { values } = parse(args, {
          region: { type: 'string' },
          category: { type: 'string' },
          json: { type: 'boolean' },
        });
        const { tools, total } = await listRegistry(ctx, values.region ?? null, values.category ?? null);
        if (values.json) io.out(JSON.stringify(tools, null, 2));
        else {
          for (const t of tools) io.out(toolListingLine(t));
          io.err(`${total} tools`);
        }
        return EXIT.ok;
      }
      default:
        throw new UsageError(`unknown registry command "${sub ?? ''}": use import, export or list`);
    }
  },
};
