// The `toolgate` command: finds the command, opens the context, maps errors to exit codes.
// Each command lives in commands/ and calls the same services as the bot; nothing here loads Bolt.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { loadConfig, type Config } from '../config.ts';
import { openContext, type OpenedContext } from '../context.ts';
import { isToolgateError, UsageError } from '../errors.ts';
import { seedIfEmpty } from '../service/registryFile.ts';
import { COMMANDS } from './commands/index.ts';
import { EXIT, type CliCommand, type CliIo, type DatabaseUse } from './commands/types.ts';

export { EXIT, type CliIo } from './commands/types.ts';

const USAGE = `Usage:
${COMMANDS.flatMap((c) => c.usage.map((line) => `  ${line}`)).join('\n')}

Environment: DATABASE_PATH, REGISTRY_PATH, DEFAULT_REGION, AUDIT_KEY or AUDIT_KEY_FILE (see README).`;

const findCommand = (name: string): CliCommand | undefined => COMMANDS.find((c) => c.name === name);

/** A person's mistake, said in one line (and the usage, when they typed something we don't know). */
function userError(e: unknown): string | null {
  if (e instanceof z.ZodError) return `toolgate: ${e.issues.map((i) => i.message).join('; ')}`;
  if (e instanceof UsageError) return `toolgate: ${e.message}\n\n${USAGE}`;
  if (isToolgateError(e)) return e.message;
  return null;
}

function open(database: DatabaseUse, config: Config, io: CliIo): OpenedContext | null {
  // Reading commands must not conjure an empty database at a mistyped path and report on it.
  if (database === 'existing' && config.databasePath !== ':memory:' && !existsSync(config.databasePath)) {
    io.err(
      `toolgate: no database at ${config.databasePath}. Check DATABASE_PATH, or start the bot (or run toolgate registry import) to create it.`,
    );
    return null;
  }
  try {
    // What happens to the audit key (made, missing) goes to stderr: stdout may be an export.
    return openContext(config, undefined, { log: { info: (line) => io.err(line), warn: (line) => io.err(line) } });
  } catch (e) {
    io.err(
      `toolgate: cannot open the database at ${config.databasePath}: ${e instanceof Error ? e.message : String(e)}`,
    );
    return null;
  }
}

export async function runCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(USAGE);
    return name ? EXIT.ok : EXIT.badInput;
  }
  const command = findCommand(name);
  if (!command) {
    io.err(`toolgate: unknown command "${name}"\n\n${USAGE}`);
    return EXIT.badInput;
  }
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (e) {
    const message = userError(e);
    if (message === null) throw e;
    io.err(message);
    return EXIT.badInput;
  }
  const database = typeof command.database === 'function' ? command.database(args) : command.database;
  const opened = open(database, config, io);
  if (!opened) return EXIT.badInput;
  const { ctx } = opened;
  try {
    if (database === 'seeded') {
      const seeded = await seedIfEmpty(ctx.store, config.registryPath, ctx.clock.now());
      if (seeded) io.err(`(imported ${seeded.added.length} tools from ${config.registryPath} into the empty database)`);
    }
    return await command.run(args, { ctx, config, env, io });
  } catch (e) {
    const message = userError(e);
    if (message === null) throw e;
    io.err(message);
    return EXIT.badInput;
  } finally {
    opened.close();
  }
}

export const processIo: CliIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};
