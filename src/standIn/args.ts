/**
 * Reading Web API arguments. They arrive form-encoded (every value a string) or as JSON
 * (real numbers and booleans), and Slack accepts both, so these read either.
 */

export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Like str, but an empty string counts as absent (as Slack treats `channel=`). */
export function nonEmpty(value: unknown): string | undefined {
  const s = str(value);
  return s === undefined || s === '' ? undefined : s;
}

export function bool(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}
