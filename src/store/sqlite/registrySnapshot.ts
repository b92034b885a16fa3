// The registry snapshot of one SQLite connection: built when first needed, and read again when the
// registry's version (migration 010, bumped by triggers in the same transaction as every registry
// change) has moved. Looking is cheap: while nothing at all has been committed (commitWatch.ts:
// SQLite's own WAL-index header, or PRAGMA data_version) nothing is read; when something has, the
// version row says whether the registry was part of it.
//
// Building one from the rows takes seconds at 50,000 tools, so a snapshot built here may be kept in
// the database (migration 023) for the next connection that wants the same version: a start reads
// it back in a fraction of that. Kept by the bot only, a while after it built the snapshot and in
// small steps (each a few milliseconds of work or one short transaction), so that neither an answer
// nor a short CLI command waits for it.
import type { Registry, Tool } from '../../domain/types.ts';
import type { RegistrySnapshot } from '../../service/ports.ts';
import {
  indexRegistry,
  keptSnapshotOf,
  snapshotFromKept,
  toolsParsedAhead,
  type KeptSnapshot,
} from '../registryIndex.ts';
import { immediateTransaction, isBusy, type Db } from './db.ts';
import type { PrefetchedKept } from './keptPrefetch.ts';
import { keptPartsReader, type KeptMarker } from './keptParts.ts';

/** What the rows of kept_registry_parts hold (migration 023's CHECK lists the same). */
export const KEPT_PART_KINDS = ['tool', 'meta', 'strings', 'arrays'] as const;

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
  /** Whether the held snapshot needs nothing more done (kept, and its tools all parsed). */
  settled(): boolean;
  /** Keeps the held snapshot now, all at once, unless it is kept already; whether it was kept. */
  keepNow(): boolean;
  close(): void;
}

export interface SnapshotOptions {
  /** Keep the snapshots built here (the bot); without it they are only read back. */
  keep: boolean;
  /** What this code's kept snapshots are labelled with: one labelled otherwise is not read. */
  format: string;
  /** A kept snapshot's parts read ahead on another thread (keptPrefetch.ts): used once, if still the one kept. */
  prefetched?: PrefetchedKept | null;
}

/** How long after a snapshot is held its work (keeping it, or parsing its tools ahead) begins. */
const WORK_AFTER_MS = 2000;
/** How long that work may hold the event loop at a time. */
const WORK_SLICE_MS = 8;
/** How long to wait when another connection holds the write lock. */
const BUSY_RETRY_MS = 50;
/** Tools' rows written (or deleted) a transaction. */
const ROWS_A_STEP = 1000;
/** Pieces of the meta text or of the arrays written a transaction (a megabyte). */
const PIECES_A_STEP = 16;

interface Held {
  version: number;
  snapshot: RegistrySnapshot;
  from: SnapshotSource;
  /** Whether every tool is held parsed (a snapshot read back kept parses them after a while: toolsParsedAhead). */
  ahead: boolean;
}

/** What a step of keeping asks of whoever runs it: go on, or wait (the write lock is taken). */
type Step = 'next' | 'busy';

/** `committed`: true when something may have been committed since it was last asked (a commitWatch watcher). */
export function registrySnapshots(
  db: Db,
  read: { registry: () => Registry; tool: (id: string) => Tool | null },
  committed: () => boolean,
  options: SnapshotOptions,
): RegistrySnapshots {
  const version = db.prepare<[], number>('SELECT version FROM registry_version').pluck();
  const keptParts = keptPartsReader(db);
  const keptTools = db
    .prepare<[number, number, number], string>(
      "SELECT data FROM kept_registry_parts WHERE version = ? AND kind = 'tool' AND n >= ? AND n < ? ORDER BY n",
    )
    .pluck();
  const putPart = db.prepare<[number, string, number, string | Uint8Array]>(
    'INSERT OR REPLACE INTO kept_registry_parts (version, kind, n, data) VALUES (?, ?, ?, ?)',
  );
  const putKept = db.prepare<[number, string, number, number, number, number]>(
    `INSERT INTO kept_registry_snapshot (id, version, format, meta_parts, strings_parts, arrays_parts, arrays_bytes)
     VALUES (1, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET version = excluded.version, format = excluded.format,
       meta_parts = excluded.meta_parts, strings_parts = excluded.strings_parts,
       arrays_parts = excluded.arrays_parts, arrays_bytes = excluded.arrays_bytes`,
  );
  const partVersions = db.prepare<[], number>('SELECT DISTINCT version FROM kept_registry_parts').pluck();
  // Never the parts of the version kept now, whoever kept it since this was decided.
  const dropParts = db.prepare<[number, string, number, number]>(
    `DELETE FROM kept_registry_parts WHERE version = ? AND kind = ? AND n >= ? AND n < ?
       AND version IS NOT (SELECT version FROM kept_registry_snapshot WHERE id = 1)`,
  );
  const unmark = db.prepare<[number]>('DELETE FROM kept_registry_snapshot WHERE id = 1 AND version = ?');
  const lastPart = db
    .prepare<[number, string], number | null>('SELECT MAX(n) FROM kept_registry_parts WHERE version = ? AND kind = ?')
    .pluck();

  let held: Held | null = null;
  let closed = false;
  let prefetched = options.prefetched ?? null;

  /** A kept snapshot's tools' JSON, numbers `from` to `to`; null if any of them is gone. */
  const toolJsons = (v: number, from: number, to: number): string[] | null => {
    const rows = keptTools.all(v, from, to);
    return rows.length === to - from ? rows : null;
  };
  /**
   * A kept tool, by number. Its row is gone only if two newer snapshots were kept since this one
   * was read, while an answer begun with it was still going: the tool as it is now, then (or, if it
   * was deleted meanwhile, an error the answer reports).
   */
  const keptToolJson = (v: number, n: number, id: string): string => {
    const json = toolJsons(v, n, n + 1)?.[0];
    if (json !== undefined) return json;
    const now = read.tool(id);
    if (!now) throw new Error(`the registry changed while answering (tool ${id} was removed): ask again`);
    return JSON.stringify(now);
  };

  /** The kept snapshot of version `v`, if there is one by this code and all of it is there. */
  const readKept = (v: number): RegistrySnapshot | null => {
    const marker = keptParts.markerAt(v, options.format);
    // Parts read ahead are used if they are of this version and format, under the same row: the
    // parts of a kept version are never changed while its row says it is kept (they are dropped,
    // with the row first, only to be written again by other code, which labels them otherwise).
    const ahead = prefetched;
    prefetched = null;
    if (!marker) return null;
    const same =
      ahead?.version === v &&
      ahead.format === options.format &&
      (Object.keys(marker) as Array<keyof KeptMarker>).every((k) => ahead.marker[k] === marker[k]);
    const { tools, meta, strings, arrays } = same ? ahead : keptParts.parts(v);
    if (meta.length !== marker.meta_parts || strings.length !== marker.strings_parts) return null;
    if (meta.some((p) => typeof p !== 'string')) return null;
    // The arrays' pieces as SQLite gives them, each its own buffer: the typo table's entries are
    // held in those very pieces (registryIndex.ts), not copied into one array (fresh memory to touch).
    if (arrays.length !== marker.arrays_parts || arrays.some((p) => typeof p === 'string')) return null;
    if ((arrays as Uint8Array[]).reduce((sum, p) => sum + p.byteLength, 0) !== marker.arrays_bytes) return null;
    return snapshotFromKept({
      tools,
      meta: (meta as string[]).join(''),
      strings,
      arrays: arrays as Uint8Array[],
      toolJson: (n, id) => keptToolJson(v, n, id),
      toolJsons: (from, to) => toolJsons(v, from, to),
    });
  };

  // One read transaction: the version and the registry it labels come from the same state.
  const rebuild = db.transaction((): Held => {
    const v = version.get() as number;
    const kept = readKept(v);
    return kept
      ? { version: v, snapshot: kept, from: 'kept', ahead: false }
      : { version: v, snapshot: indexRegistry(read.registry()), from: 'rows', ahead: true };
  });

  /** One short write transaction; 'busy' when another connection holds the lock (nothing written). */
  const attempt = <T>(fn: () => T): { done: true; value: T } | { done: false } => {
    try {
      return { done: true, value: immediateTransaction(db, fn) };
    } catch (e) {
      if (isBusy(e)) return { done: false };
      throw e;
    }
  };
  function* write<T>(fn: () => T): Generator<Step, T> {
    for (;;) {
      const r = attempt(fn);
      if (r.done) return r.value;
      yield 'busy';
    }
  }
  function* dropVersion(v: number, keepTools: boolean): Generator<Step, void> {
    for (const kind of KEPT_PART_KINDS.filter((k) => !keepTools || k !== 'tool')) {
      const last = lastPart.get(v, kind) ?? -1;
      const batch = kind === 'tool' ? ROWS_A_STEP : PIECES_A_STEP;
      for (let from = 0; from <= last; from += batch) {
        yield* write(() => dropParts.run(v, kind, from, from + batch));
        yield 'next';
      }
    }
  }

  /**
   * Keeping `of`: its kept form made (in slices), written part after part, then the row that says
   * it is kept, if the registry is still at its version; then what older versions left behind.
   */
  function* keeping(of: Held): Generator<Step, boolean> {
    const steps = keptSnapshotOf(of.snapshot);
    let made = steps.next();
    while (!made.done) {
      yield 'next';
      made = steps.next();
    }
    if (!made.value) return false;
    const kept: KeptSnapshot = made.value;
    const v = of.version;
    // The registry moved on since: another snapshot will be kept, not this one.
    const current = () => version.get() === v;
    if (!current()) return false;
    // What older versions left (not the one kept now, nor newer ones another process is keeping).
    for (const old of partVersions.all()) if (old < v) yield* dropVersion(old, false);
    // This version kept by other code (a new build) or left half-written: not read while its parts
    // are replaced, and none of its old parts left over.
    yield* write(() => unmark.run(v));
    yield* dropVersion(v, false);
    for (let from = 0; from < kept.tools.length; from += ROWS_A_STEP) {
      if (!current()) return false;
      yield* write(() => {
        for (let n = from; n < Math.min(from + ROWS_A_STEP, kept.tools.length); n++)
          putPart.run(v, 'tool', n, kept.tools[n] as string);
      });
      yield 'next';
    }
    for (const [kind, list] of [
      ['meta', kept.meta],
      ['strings', kept.strings],
      ['arrays', kept.arrays],
    ] as const)
      for (let from = 0; from < list.length; from += PIECES_A_STEP) {
        if (!current()) return false;
        yield* write(() => {
          for (let i = from; i < Math.min(from + PIECES_A_STEP, list.length); i++)
            putPart.run(v, kind, i, list[i] as string | Uint8Array);
        });
        yield 'next';
      }

    // The row saying it is kept, last, if the registry is still at its version; what was kept before.
    const written = yield* write(() => {
      if (version.get() !== v) return null;
      const before = keptParts.row()?.version ?? null;
      const bytes = kept.arrays.reduce((sum, piece) => sum + piece.length, 0);
      putKept.run(v, options.format, kept.meta.length, kept.strings.length, kept.arrays.length, bytes);
      return { before };
    });
    if (!written) return false;
    of.from = 'kept';
    of.ahead = true; // its tools are the ones it was built with
    // The version kept before keeps its tools' rows, for a connection still answering from it.
    if (written.before !== null && written.before < v) yield* dropVersion(written.before, true);
    return true;
  }

  /** What is left to do for the held snapshot, in steps: keep it, or parse a kept one's tools ahead. */
  function* workFor(of: Held): Generator<Step, void> {
    if (of.from !== 'kept') yield* keeping(of);
    else if (!of.ahead) {
      const steps = toolsParsedAhead(of.snapshot);
      while (!steps.next().done) yield 'next';
      of.ahead = true;
    }
  }

  // The work runs in slices of a few milliseconds on timers, a while after the snapshot is held:
  // a burst of changes is kept once, and a start answers its first questions before anything else.
  let timer: NodeJS.Timeout | null = null;
  let running: { of: Held; steps: Generator<Step, void> } | null = null;
  const later = (ms: number) => {
    timer = setTimeout(workSlice, ms);
    timer.unref();
  };
  function workSlice() {
    timer = null;
    if (closed || !held) return;
    // A newer snapshot since: what was begun for the older one is dropped (its parts are cleared later).
    if (running?.of !== held) running = { of: held, steps: workFor(held) };
    const until = performance.now() + WORK_SLICE_MS;
    try {
      for (;;) {
        const step = running.steps.next();
        if (step.done) {
          running = null;
          return;
        }
        if (step.value === 'busy') return later(BUSY_RETRY_MS);
        if (performance.now() >= until) return later(0);
      }
    } catch {
      // The disk full, say: a cache not written; the next start builds from the rows.
      running = null;
    }
  }
  const hold = (next: Held) => {
    held = next;
    if (options.keep && (next.from !== 'kept' || !next.ahead) && timer === null) later(WORK_AFTER_MS);
  };

  return {
    current() {
      // Looked at before reading, so a commit from now on is seen by the next look.
      if (!committed() && held) return held.snapshot;
      if (held && held.version === version.get()) return held.snapshot;
      const next = rebuild();
      hold(next);
      return next.snapshot;
    },
    latest() {
      return held?.snapshot ?? this.current();
    },
    adopt(version, registry) {
      if (held && held.version >= version) return;
      hold({ version, snapshot: indexRegistry(registry), from: 'written', ahead: true });
    },
    heldFrom: () => held?.from ?? null,
    settled: () => held !== null && held.from === 'kept' && held.ahead,
    keepNow() {
      if (!held || held.from === 'kept') return false;
      const steps = keeping(held);
      for (;;) {
        const step = steps.next();
        if (step.done) return step.value;
        if (step.value === 'busy') return false;
      }
    },
    close() {
      closed = true;
      prefetched = null;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
