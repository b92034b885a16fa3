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

export interface CliCommand {
  name: string;
  /** Lines of the usage text, `toolgate ...   what it does`. */
  usage: string[];
  /**
   * 'existing': reads what is there, so a mistyped DATABASE_PATH is an error rather than a new
   * empty database reported on. 'seeded': an empty database is first filled from the registry file.
   * A function decides per arguments (`registry import` fills the database itself).
   */
  database: DatabaseUse | ((args: readonly string[]) => DatabaseUse);
  run(args: string[], run: CommandRun): Promise<ExitCode>;
}
