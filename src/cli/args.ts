// Reading the command line: commander has read the flags (program.ts); here their values are
// checked, with a message that names the flag and the fix. A UsageError is the person's mistake
// (exit 2, with a pointer to the command's --help).
import type { z } from 'zod';
import { UsageError } from '../errors.ts';

/** A command's options as its schema says they are; a wrong one is a usage error naming it. */
export function readOptions<T extends z.ZodType>(schema: T, raw: Record<string, unknown>): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

/** A value the registry must know (a region, a category): anything else names the ones it knows. */
export function known(value: string, knownValues: readonly string[], what: string): string {
  if (knownValues.includes(value)) return value;
  throw new UsageError(
    `${what} "${value}" is not in the registry; ${knownValues.length ? `it knows ${knownValues.join(', ')}` : 'it knows none yet'}`,
  );
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
