// The context every entry point shares (bot, CLI, playground): the store opened from the
// configuration, the clock and the settings the use cases read. No Slack here: the CLI loads this, not Bolt.
import { findAuditKey, type KeyLog, type KeySettings } from './auditKey.ts';
import type { Config } from './config.ts';
import { systemClock, type Clock, type ServiceContext } from './service/ports.ts';
import type { PrefetchedKept } from './store/sqlite/keptPrefetch.ts';
import { openSqliteStore, type SqliteStore } from './store/sqlite/sqliteStore.ts';

export interface OpenedContext {
  ctx: ServiceContext;
  /** The store behind ctx.store, with what only the owner of the connection needs (its database handle). */
  store: SqliteStore;
  close: () => void;
}

export interface ContextOptions {
  /** Where to say what happened to the audit key (made, missing, unreadable). */
  log?: KeyLog;
  /** Keep the registry snapshots it builds for the next start (the bot: see registrySnapshot.ts). */
  keepRegistrySnapshots?: boolean;
  /** The kept registry snapshot's parts, read ahead while the bot's modules loaded (main.ts). */
  prefetchedKept?: PrefetchedKept | null;
}

const consoleLog: KeyLog = { info: (line) => console.log(line), warn: (line) => console.warn(line) };

export function openContext(
  config: Pick<Config, 'databasePath' | 'defaultRegion' | 'outboxKeepDays'> &
    Partial<Pick<Config, 'queryLogDays' | 'reviewMaxAgeDays'>> &
    Partial<Pick<Config, 'profileTtlHours'>> &
    Partial<KeySettings>,
  clock: Clock = systemClock,
  options: ContextOptions = {},
): OpenedContext {
  const settings: KeySettings = {
    databasePath: config.databasePath,
    auditKey: config.auditKey ?? null,
    auditKeyFile: config.auditKeyFile ?? null,
  };
  const store = openSqliteStore(config.databasePath, {
    auditKey: (inUse) => findAuditKey(settings, inUse, options.log ?? consoleLog),
    keepRegistrySnapshots: options.keepRegistrySnapshots ?? false,
    prefetchedKept: options.prefetchedKept ?? null,
  });
  return {
    store,
    ctx: {
      store,
      clock,
      defaultRegion: config.defaultRegion,
      outboxKeepDays: config.outboxKeepDays,
      queryLogDays: config.queryLogDays ?? 90,
      reviewMaxAgeDays: config.reviewMaxAgeDays ?? 365,
      // No Slack here (the CLI): profiles as cached. The bot gives its directory (bot.ts).
      directory: { slack: null, profileTtlHours: config.profileTtlHours ?? 24 },
    },
    close: () => store.close(),
  };
}
