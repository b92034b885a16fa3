// What every command module gets, and what it declares about itself.
import type { Config } from '../../config.ts';
import type { ServiceContext } from '../../service/ports.ts';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes: 0 answered, 1 not found (or a check failed), 2 bad input or set-up. */
export const EXIT = { ok: 0, notFound: 1, badInput: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface CommandRun {
  ctx: ServiceContext;
  config: Config;
  env: NodeJS.ProcessEnv;
  io: CliIo;
}

/** How a command uses the database; 'as-is': opened (and created if need be) without seeding. */
export type DatabaseUse = 'existing' | 'seeded' | 'as-is';

/** What the command line said to one command: its operands, and its options as commander read them. */
export interface Invocation {
  args: string[];
  /** Unchecked: each command checks its own with a zod schema (args.ts `readOptions`). */
  options: Record<string, unknown>;
}

/** One command's work, once its command line is read and the database is open. */
export type CommandRunner = (call: Invocation, run: CommandRun) => Promise<ExitCode>;
