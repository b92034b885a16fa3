// The `toolgate` command: a thin shell over the same services as the bot.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { openContext } from '../bot.ts';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { answer } from '../service/answer.ts';
import { importRegistryFile, RegistryFileError, registryToYaml, seedIfEmpty } from '../service/registryFile.ts';
import { answerText } from '../slack/views/answer.ts';
import { writeFileSync } from 'node:fs';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes: 0 answered, 1 not found, 2 bad input or set-up. */
export const EXIT = { ok: 0, notFound: 1, badInput: 2 } as const;

const USAGE = `Usage:
  toolgate ask <tool> [--user U0123] [--region cn] [--json]   the same answer as /can-i-use
  toolgate registry import [file] [--prune]                    load data/registry.yml (or file) into the database
  toolgate registry export [--out file]                        the registry as YAML
  toolgate registry list [--region R] [--category C] [--json]  the tools and their status

Environment: DATABASE_PATH, REGISTRY_PATH, DEFAULT_REGION (see README).`;

class UsageError extends Error {}

function parse<T extends ParseArgsConfig['options']>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

export async function runCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return command ? EXIT.ok : EXIT.badInput;
  }
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(e.message);
      return EXIT.badInput;
    }
    throw e;
  }
  const { store, ctx } = openContext(config);
  try {
    const now = ctx.clock.now();
    const seeded = command === 'registry' && rest[0] === 'import' ? null : await seedIfEmpty(store, config.registryPath, now);
    if (seeded) io.err(`(imported ${seeded.added.length} tools from ${config.registryPath} into the empty database)`);

    switch (command) {
      case 'ask': {
        const { values, positionals } = parse(rest, { user: { type: 'string' }, region: { type: 'string' }, json: { type: 'boolean' } });
        if (values.user !== undefined && !/^[UW][A-Z0-9]{2,}$/.test(values.user)) throw new UsageError(`--user must be a Slack user id such as U0123ABC, not "${values.user}"`);
        const result = await answer(ctx, positionals.join(' '), { user: values.user ?? null, region: values.region ?? null });
        io.out(values.json ? JSON.stringify(result, null, 2) : answerText(result));
        if (result.kind === 'help' && !positionals.length) return EXIT.badInput;
        return result.kind === 'not_found' || result.kind === 'ambiguous' ? EXIT.notFound : EXIT.ok;
      }
      case 'registry': {
        const [sub, ...args] = rest;
        if (sub === 'import') {
          const { values, positionals } = parse(args, { prune: { type: 'boolean' } });
          const file = positionals[0] ?? config.registryPath;
          const s = await importRegistryFile(store, file, { prune: values.prune ?? false, actor: `cli:${env.USER ?? 'unknown'}`, now });
          io.out(
            `Imported ${file}: ${s.added.length} added, ${s.updated.length} updated, ${s.unchanged} unchanged, ${s.removed.length} removed` +
              (s.kept.length ? `; kept ${s.kept.join(', ')} (still referenced)` : ''),
          );
          return EXIT.ok;
        }
        if (sub === 'export') {
          const { values } = parse(args, { out: { type: 'string' } });
          const yaml = registryToYaml(await store.exportRegistry());
          if (values.out) writeFileSync(values.out, yaml);
          else io.out(yaml.trimEnd());
          return EXIT.ok;
        }
        if (sub === 'list') {
          const { values } = parse(args, { region: { type: 'string' }, category: { type: 'string' }, json: { type: 'boolean' } });
          const { tools, total } = await store.listTools(values.region ?? config.defaultRegion, values.category ?? null, Number.MAX_SAFE_INTEGER);
          if (values.json) io.out(JSON.stringify(tools, null, 2));
          else {
            for (const t of tools) io.out(`${t.id.padEnd(28)} ${t.status.padEnd(20)} ${t.category.padEnd(22)} ${t.name}`);
            io.err(`${total} tools`);
          }
          return EXIT.ok;
        }
        throw new UsageError(`unknown registry command "${sub ?? ''}": use import, export or list`);
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`toolgate: ${e.message}\n\n${USAGE}`);
      return EXIT.badInput;
    }
    if (e instanceof RegistryFileError) {
      io.err(e.message);
      return EXIT.badInput;
    }
    throw e;
  } finally {
    store.close();
  }
}

export const processIo: CliIo = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };
