// The context every entry point shares (bot, CLI, playground): the store opened from the
// configuration, the clock and the settings the use cases read. No Slack here: the CLI loads this, not Bolt.
import type { Config } from './config.ts';
import { systemClock, type Clock, type ServiceContext } from './service/ports.ts';
import { openSqliteStore, type SqliteStore } from './store/sqlite/sqliteStore.ts';

export interface OpenedContext {
  ctx: ServiceContext;
  /** The store behind ctx.store, with what only the owner of the connection needs (its database handle). */
  store: SqliteStore;
  close: () => void;
}

export function openContext(
  config: Pick<Config, 'databasePath' | 'defaultRegion' | 'outboxKeepDays'>,
  clock: Clock = systemClock,
): OpenedContext {
  const store = openSqliteStore(config.databasePath);
  return {
    store,
    ctx: { store, clock, defaultRegion: config.defaultRegion, outboxKeepDays: config.outboxKeepDays },
    close: () => store.close(),
  };
}
