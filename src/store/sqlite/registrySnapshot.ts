// The registry snapshot of one SQLite connection: built when first needed, and read again when the
// registry's version (migration 010, bumped by triggers in the same transaction as every registry
// change) has moved. Looking is cheap: PRAGMA data_version changes only when another connection
// has committed, and total_changes() only when this one has written, so while neither moves nothing
// is read at all; when one has, the version row says whether the registry was part of it.
import type { Registry } from '../../domain/types.ts';
import type { RegistrySnapshot } from '../../service/ports.ts';
import { indexRegistry } from '../registryIndex.ts';
import type { Db } from './db.ts';

export interface RegistrySnapshots {
  /** The snapshot with every change committed before this call in it. */
  current(): RegistrySnapshot;
}

export function registrySnapshots(db: Db, read: () => Registry): RegistrySnapshots {
  const s = {
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
    ownChanges: db.prepare<[], number>('SELECT total_changes()').pluck(),
    version: db.prepare<[], number>('SELECT version FROM registry_version').pluck(),
  };
  let held: { version: number; snapshot: RegistrySnapshot } | null = null;
  let looked = { data: -1, own: -1 };

  // One read transaction: the version and the registry it labels come from the same state.
  const rebuild = db.transaction(() => ({ version: s.version.get() as number, snapshot: indexRegistry(read()) }));

  return {
    current() {
      const data = s.dataVersion.get() as number;
      const own = s.ownChanges.get() as number;
      if (held && data === looked.data && own === looked.own) return held.snapshot;
      // Something was committed since the last look (maybe not to the registry): looked at before
      // reading, so a commit from now on is seen by the next look.
      looked = { data, own };
      if (held && held.version === s.version.get()) return held.snapshot;
      held = rebuild();
      return held.snapshot;
    },
  };
}
