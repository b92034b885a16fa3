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

export interface CliCommand {
  name: string;
  /** Lines of the usage text, `toolgate ...   what it does`. */
  usage: string[];
  /**
   * 'existing': reads what is there, so a mistyped DATABASE_PATH is an error rather than a new
   * empty database reported on. 'seeded': an empty database is first filled from the registry file.
   * A function decides per arguments (`registry import` fills the database itself).
   */
  database: 'existing' | 'seeded' | ((args: readonly string[]) => 'existing' | 'seeded' | 'as-is');
  run(args: string[], run: CommandRun): Promise<ExitCode>;
}
