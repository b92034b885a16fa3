// The registry snapshot of one SQLite connection: built when first needed, and read again when the
// registry's version (migration 010, bumped by triggers in the same transaction as every registry
// change) has moved. Looking is cheap: while nothing at all has been committed (commitWatch.ts:
// SQLite's own WAL-index header, or PRAGMA data_version) nothing is read; when something has, the
// version row says whether the registry was part of it.
import type { Registry } from '../../domain/types.ts';
import type { RegistrySnapshot } from '../../service/ports.ts';
import { indexRegistry } from '../registryIndex.ts';
import type { Db } from './db.ts';

export interface RegistrySnapshots {
  /** The snapshot with every change committed before this call in it. */
  current(): RegistrySnapshot;
  /** The snapshot `current()` last gave (without looking for commits): for more of an answer begun with it. */
  latest(): RegistrySnapshot;
  /**
   * The registry as committed at `version`, known without reading it (an import into an empty
   * registry): held unless what is held is as new or newer. Versions only grow, so an older one is
   * never put over a newer one, and a change committed after `version` is found by the next look
   * as any other is (the version row differs).
   */
  adopt(version: number, registry: Registry): void;
}

/** `committed`: true when something may have been committed since it was last asked (a commitWatch watcher). */
export function registrySnapshots(db: Db, read: () => Registry, committed: () => boolean): RegistrySnapshots {
  const version = db.prepare<[], number>('SELECT version FROM registry_version').pluck();
  let held: { version: number; snapshot: RegistrySnapshot } | null = null;

  // One read transaction: the version and the registry it labels come from the same state.
  const rebuild = db.transaction(() => ({ version: version.get() as number, snapshot: indexRegistry(read()) }));

  return {
    current() {
      // Looked at before reading, so a commit from now on is seen by the next look.
      if (!committed() && held) return held.snapshot;
      if (held && held.version === version.get()) return held.snapshot;
      held = rebuild();
      return held.snapshot;
    },
    latest() {
      return held?.snapshot ?? this.current();
    },
    adopt(version, registry) {
      if (held && held.version >= version) return;
      held = { version, snapshot: indexRegistry(registry) };
    },
  };
}
