// toolgate's errors, each with a code, in one module (as Bolt keeps its own). Every one of them is
// a set-up problem or a person's mistake: entry points print the message alone, with no stack
// trace, and exit 2. Anything else that is thrown is a bug, and keeps its stack.

export const ErrorCode = {
  ConfigInvalid: 'config_invalid',
  RegistryInvalid: 'registry_invalid',
  RegistryConflict: 'registry_conflict',
  SlackUnusable: 'slack_unusable',
  CliUsage: 'cli_usage',
  StoreBusy: 'store_busy',
  NeedsConfirmation: 'needs_confirmation',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export abstract class ToolgateError extends Error {
  abstract readonly code: ErrorCode;
}

const bullets = (problems: readonly string[]): string => problems.map((p) => `  - ${p}`).join('\n');

/** The environment is incomplete or malformed: every problem, each with its fix. */
export class ConfigError extends ToolgateError {
  readonly code = ErrorCode.ConfigInvalid;
  constructor(readonly problems: string[]) {
    super(`toolgate cannot start; fix the environment and try again:\n${bullets(problems)}`);
  }
}

/**
 * A registry file that does not parse or validate; nothing was changed. `problems` holds every
 * one; the message lists `shown` (by default all of them: a long list is summarized by the caller).
 */
export class RegistryFileError extends ToolgateError {
  readonly code = ErrorCode.RegistryInvalid;
  constructor(
    readonly source: string,
    readonly problems: string[],
    shown: readonly string[] = problems,
  ) {
    super(`${source} is not a valid registry; nothing was changed:\n${bullets(shown)}`);
  }
}

/** The file is valid on its own, but would strand what the database already holds; nothing was changed. */
export class RegistryConflictError extends ToolgateError {
  readonly code = ErrorCode.RegistryConflict;
  constructor(readonly problems: string[]) {
    super(`The registry was not imported; nothing was changed:\n${bullets(problems)}`);
  }
}

/**
 * A registry change would revoke exceptions or close requests, and was not confirmed (`--yes`);
 * nothing was changed. `impact` is what it would have done, in lines.
 */
export class NeedsConfirmationError extends ToolgateError {
  readonly code = ErrorCode.NeedsConfirmation;
  constructor(
    readonly what: string,
    readonly impact: string[],
  ) {
    super(
      `${what} would revoke exceptions or close requests, so nothing was changed:\n${impact.join('\n')}\nRun it again with --yes to apply it (or --dry-run to see the impact only).`,
    );
  }
}

/** Slack refused the credentials, or could not be reached, at start: the bot cannot work. */
export class SlackStartupError extends ToolgateError {
  readonly code = ErrorCode.SlackUnusable;
  constructor(readonly problems: string[]) {
    super(`toolgate cannot start; fix the Slack set-up and try again:\n${bullets(problems)}`);
  }
}

/** Another process held the database's write lock past the deadline: nothing was changed; try again. */
export class StoreBusyError extends ToolgateError {
  readonly code = ErrorCode.StoreBusy;
  constructor(readonly waitedMs: number) {
    super(`The database is busy (another process holds its write lock); nothing was changed. Try again in a moment.`);
  }
}

/** A command line toolgate does not understand. */
export class UsageError extends ToolgateError {
  readonly code = ErrorCode.CliUsage;
}

export const isToolgateError = (e: unknown): e is ToolgateError => e instanceof ToolgateError;
