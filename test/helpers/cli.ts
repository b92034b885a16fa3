// Running the CLI in-process as a test would type it: what it printed on each stream, and its exit code.
import { runCli } from '../../src/cli/main.ts';
import { REGISTRY_PATH, tempDbPath } from './tmp.ts';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `toolgate <args>` with a fresh database (unless DATABASE_PATH is given) and the shipped registry. */
export async function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    args,
    { DATABASE_PATH: env.DATABASE_PATH ?? tempDbPath(), REGISTRY_PATH, ...env },
    { out: (t) => out.push(t), err: (t) => err.push(t) },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}
