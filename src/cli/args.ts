// Reading the command line: flags through node:util's parseArgs, values checked with a message
// that names the flag and the fix. A UsageError is the person's mistake (exit 2, usage shown).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.ts';

export function parse<T extends ParseArgsConfig['options']>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

export function positiveInt(raw: string | undefined, what: string): number {
  if (!raw || !/^\d{1,12}$/.test(raw) || Number(raw) < 1)
    throw new UsageError(`${what} must be a positive whole number, not "${raw ?? ''}"`);
  return Number(raw);
}

/** An ISO date or date-time; a bare date means midnight UTC. */
export function parseInstant(raw: string, what: string): Date {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
  // Date.parse rolls 2026-02-30 over to March; a date that does not come back as written is not a date.
  const realDay = !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === raw.slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(ms) || (!realDay && !/[+-]\d{2}:?\d{2}$/.test(raw))) {
    throw new UsageError(
      `${what} must be an ISO date or time such as 2026-12-01 or 2026-12-01T09:00:00Z, not "${raw}"`,
    );
  }
  return new Date(ms);
}
