// The `toolgate` command: commander reads the command line (program.ts), then the command runs with
// the context open, and errors map to exit codes. As gh and kubectl do: --help on stdout with exit 0,
// a mistake in one line on stderr with a pointer to --help, exit 2. Nothing here loads Bolt, and a
// command's services load only when it runs.
import { existsSync } from 'node:fs';
import { CommanderError, type Command } from 'commander';
import type { Config } from '../config.ts';
import type { OpenedContext } from '../context.ts';
import { isToolgateError, UsageError } from '../errors.ts';
import { buildProgram, commandPath, type Leaf } from './program.ts';
import { EXIT, type CliIo, type DatabaseUse, type ExitCode } from './commands/types.ts';

export { EXIT, type CliIo } from './commands/types.ts';

const seeHelp = (command: Command): string => `see \`${commandPath(command)} --help\``;

/** The short usage of a command: its usage line, as its --help starts. */
const usageLine = (command: Command): string =>
  `Usage: ${command.parent ? `${commandPath(command.parent)} ` : ''}${command.name()} ${command.usage()}`;

/** A set-up problem or a mistake the person can fix, in their words; null for a bug (keeps its stack). */
async function userError(e: unknown): Promise<string | null> {
  if (isToolgateError(e)) return e.message;
  // zod is loaded by then if it threw: importing it here keeps it out of `--help`.
  const { z } = await import('zod');
  if (e instanceof z.ZodError) return `toolgate: ${e.issues.map((i) => i.message).join('; ')}`;
  return null;
}

async function open(database: DatabaseUse, config: Config, io: CliIo): Promise<OpenedContext | null> {
  // Reading commands must not conjure an empty database at a mistyped path and report on it.
  if (database === 'existing' && config.databasePath !== ':memory:' && !existsSync(config.databasePath)) {
    io.err(
      `toolgate: no database at ${config.databasePath}. Check DATABASE_PATH, or start the bot (or run toolgate registry import) to create it.`,
    );
    return null;
  }
  // The store (better-sqlite3) and zod load here, not for --help, --version or a mistyped command.
  const { openContext } = await import('../context.ts');
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

/** One command's work: the configuration read, the database opened (and seeded), the command run. */
async function runLeaf(command: Command, leaf: Leaf, env: NodeJS.ProcessEnv, io: CliIo): Promise<ExitCode> {
  const { loadConfig } = await import('../config.ts');
  const config = loadConfig(env);
  const opened = await open(leaf.database, config, io);
  if (!opened) return EXIT.badInput;
  const { ctx } = opened;
  try {
    // The registry file (and YAML) is read only when there is something to seed.
    if (leaf.database === 'seeded' && (await ctx.store.toolCount()) === 0) {
      const { seedIfEmpty } = await import('../service/registryFile.ts');
      const seeded = await seedIfEmpty(ctx.store, config.registryPath, ctx.clock.now());
      if (seeded) io.err(`(imported ${seeded.added.length} tools from ${config.registryPath} into the empty database)`);
    }
    const run = await leaf.load();
    return await run({ args: command.args, options: command.opts() }, { ctx, config, env, io });
  } finally {
    opened.close();
  }
}

/** What commander says about a mistake, in one line (with its "did you mean"), or a usage line. */
function commanderError(command: Command, text: string): string {
  if (text.startsWith('error: missing required argument')) return usageLine(command);
  return text
    .trimEnd()
    .replace(/^error: /, 'toolgate: ')
    .replace(/\n\(Did you mean (.*)\?\)$/, ' (did you mean $1?)');
}

/** Every command's errors in our words, each pointing to its own --help. */
function configureErrors(command: Command): void {
  command
    .showHelpAfterError(seeHelp(command))
    .configureOutput({ outputError: (text, write) => write(`${commanderError(command, text)}\n`) });
  for (const sub of command.commands) configureErrors(sub);
}

export async function runCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let code: ExitCode = EXIT.ok;
  let running: Command | null = null;
  const program = buildProgram(
    (root) =>
      root.exitOverride().configureOutput({
        writeOut: (text) => io.out(text.replace(/\n$/, '')),
        writeErr: (text) => io.err(text.replace(/\n$/, '')),
      }),
    async (command, leaf) => {
      code = await runLeaf(command, leaf, env, io);
    },
  );
  configureErrors(program);
  // Which command's action runs, so that its own mistakes point to its own --help.
  program.hook('preAction', (_root, actionCommand) => {
    running = actionCommand;
  });
  if (!argv.length) {
    const commands = program.commands.map((c) => c.name()).filter((name) => name !== 'help');
    io.err(`${usageLine(program)}; commands: ${commands.join(', ')}`);
    io.err(seeHelp(program));
    return EXIT.badInput;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    // Commander has said what was wrong (or shown the help, or the version) already.
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    if (e instanceof UsageError) {
      io.err(`toolgate: ${e.message}`);
      io.err(seeHelp(running ?? program));
      return EXIT.badInput;
    }
    const message = await userError(e);
    if (message === null) throw e;
    io.err(message);
    return EXIT.badInput;
  }
}

export const processIo: CliIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};
