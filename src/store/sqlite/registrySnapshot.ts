// The registry snapshot of one SQLite connection: built when first needed, and read again when the
// registry's version (migration 010, bumped by triggers in the same transaction as every registry
// change) has moved. Looking is cheap: while nothing at all has been committed (commitWatch.ts:
// SQLite's own WAL-index header, or PRAGMA data_version) nothing is read; when something has, the
// version row says whether the registry was part of it.
//
// Building one from the rows takes seconds at 50,000 tools, so a snapshot built here may be kept in
// the database (kept_registry_snapshot, migration 023) for the next connection that wants the same
// version: a start reads it back in a fraction of that. Kept by the bot only, a while after it built
// the snapshot and in steps, so neither an answer nor a short CLI command waits for it.
import type { Registry, Tool } from '../../domain/types.ts';
import type { RegistrySnapshot } from '../../service/ports.ts';
import { indexRegistry, keptSnapshotOf, snapshotFromKept, withKeptTools, type KeptSnapshot } from '../registryIndex.ts';
import type { Db } from './db.ts';

/** How a held snapshot came to be: built from the rows, read back kept, or the registry just written. */
export type SnapshotSource = 'rows' | 'kept' | 'written';

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
  /** Where the snapshot held now came from (null: none yet). */
  heldFrom(): SnapshotSource | null;
  /** Keeps the held snapshot now, all at once, unless it is kept already; whether it was written. */
  keepNow(): boolean;
  close(): void;
}

export interface SnapshotOptions {
  /** Keep the snapshots built here (the bot); without it they are only read back. */
  keep: boolean;
  /** What this code's kept snapshots are labelled with: one labelled otherwise is not read. */
  format: string;
}

/** How long after a snapshot is built it is kept: a burst of changes is kept once, at its end. */
const KEEP_AFTER_MS = 2000;
/** How long one step of keeping may hold the event loop. */
const KEEP_STEP_MS = 8;

interface Held {
  version: number;
  snapshot: RegistrySnapshot;
  from: SnapshotSource;
}

/** `committed`: true when something may have been committed since it was last asked (a commitWatch watcher). */
export function registrySnapshots(
  db: Db,
  read: { registry: () => Registry; tool: (id: string) => Tool | null },
  committed: () => boolean,
  options: SnapshotOptions,
): RegistrySnapshots {
  const version = db.prepare<[], number>('SELECT version FROM registry_version').pluck();
  const keptAt = db.prepare<[number, string], KeptSnapshot>(
    'SELECT meta, arrays FROM kept_registry_snapshot WHERE id = 1 AND version = ? AND format = ?',
  );
  const keptTool = db
    .prepare<[number, number], string>('SELECT json FROM kept_registry_tools WHERE version = ? AND n = ?')
    .pluck();
  const putKept = db.prepare<[number, string, string, Uint8Array]>(
    `INSERT INTO kept_registry_snapshot (id, version, format, meta, arrays) VALUES (1, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET version = excluded.version, format = excluded.format,
       meta = excluded.meta, arrays = excluded.arrays`,
  );
  // The tools of the version kept until now stay, for a connection still answering from it.
  const dropOlderTools = db.prepare<[number]>(
    `DELETE FROM kept_registry_tools
     WHERE version <> ? AND version IS NOT (SELECT version FROM kept_registry_snapshot WHERE id = 1)`,
  );
  const putTool = db.prepare<[number, number, string]>('INSERT OR REPLACE INTO kept_registry_tools VALUES (?, ?, ?)');
  let held: Held | null = null;
  let closed = false;

  /**
   * A kept tool, by number. Its row is gone only if two newer snapshots were kept since this one
   * was read, while an answer begun with it was still going: the tool as it is now, then (or, if it
   * was deleted meanwhile, as a tool that is not there, an error the answer reports).
   */
  const keptToolJson = (v: number, n: number, id: string): string => {
    const json = keptTool.get(v, n);
    if (json !== undefined) return json;
    const now = read.tool(id);
    if (!now) throw new Error(`the registry changed while answering (tool ${id} was removed): ask again`);
    return JSON.stringify(now);
  };

  // One read transaction: the version and the registry it labels come from the same state.
  const rebuild = db.transaction((): Held => {
    const v = version.get() as number;
    const row = keptAt.get(v, options.format);
    const kept = row ? snapshotFromKept({ ...row, toolJson: (n, id) => keptToolJson(v, n, id) }) : null;
    const built = kept ? { version: v, snapshot: kept, from: 'kept' as const } : null;
    return built ?? { version: v, snapshot: indexRegistry(read.registry()), from: 'rows' };
  });

  // Written only if the registry is still at the snapshot's version: a kept snapshot is never of a
  // version other than the one it is labelled with.
  const write = db.transaction((of: Held, kept: KeptSnapshot & { tools: string[] }): boolean => {
    if (version.get() !== of.version) return false;
    dropOlderTools.run(of.version);
    kept.tools.forEach((json, n) => putTool.run(of.version, n, json));
    putKept.run(of.version, options.format, kept.meta, kept.arrays);
    return true;
  });
  const writeKept = (of: Held, kept: KeptSnapshot & { tools: string[] }): boolean => {
    try {
      const written = write.immediate(of, kept);
      if (written) {
        // From now on held as a start would read it back: the tools parsed when asked for, not all held.
        of.snapshot = withKeptTools(of.snapshot, (n, id) => keptToolJson(of.version, n, id));
        of.from = 'kept';
      }
      return written;
    } catch {
      // Busy, or the disk full: a cache not written; the next start builds from the rows.
      return false;
    }
  };

  let timer: NodeJS.Timeout | null = null;
  let making: { of: Held; steps: Generator<undefined, KeptSnapshot & { tools: string[] }> } | null = null;
  const later = (ms: number) => {
    timer = setTimeout(keepStep, ms);
    timer.unref();
  };
  function keepStep() {
    timer = null;
    if (closed || !held || held.from === 'kept') return;
    if (making?.of !== held) making = { of: held, steps: keptSnapshotOf(held.snapshot) };
    const until = performance.now() + KEEP_STEP_MS;
    for (;;) {
      const step = making.steps.next();
      if (step.done) {
        writeKept(making.of, step.value);
        making = null;
        return;
      }
      if (performance.now() >= until) return later(0);
    }
  }
  const hold = (next: Held) => {
    held = next;
    if (options.keep && next.from !== 'kept' && timer === null) later(KEEP_AFTER_MS);
  };

  return {
    current() {
      // Looked at before reading, so a commit from now on is seen by the next look.
      if (!committed() && held) return held.snapshot;
      if (held && held.version === version.get()) return held.snapshot;
      hold(rebuild());
      return (held as unknown as Held).snapshot;
    },
    latest() {
      return held?.snapshot ?? this.current();
    },
    adopt(version, registry) {
      if (held && held.version >= version) return;
      hold({ version, snapshot: indexRegistry(registry), from: 'written' });
    },
    heldFrom: () => held?.from ?? null,
    keepNow() {
      if (!held || held.from === 'kept') return false;
      const steps = keptSnapshotOf(held.snapshot);
      for (;;) {
        const step = steps.next();
        if (step.done) return writeKept(held, step.value);
      }
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
