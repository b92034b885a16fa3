// Reading a kept registry snapshot's row and parts (migration 023): the one place that knows the
// SQL, used by the store (registrySnapshot.ts) and by the thread that reads them ahead at a start
// (keptPrefetch.ts). It imports nothing but types, so that thread loads only this.
import type { Db } from './db.ts';

/** The counts the kept row gives for its parts: the parts read are whole only if they match. */
export interface KeptMarker {
  meta_parts: number;
  strings_parts: number;
  arrays_parts: number;
  arrays_bytes: number;
}

/** The row saying which snapshot is kept. */
export interface KeptRow extends KeptMarker {
  version: number;
  format: string;
}

/** A kept version's parts, as SQLite gives them (each its own buffer). */
export interface KeptParts {
  /** How many tools' rows the version has. */
  tools: number;
  meta: Array<string | Uint8Array>;
  strings: Array<string | Uint8Array>;
  arrays: Array<string | Uint8Array>;
}

export interface KeptPartsReader {
  /** The kept row, whatever version it labels (null: none). */
  row(): KeptRow | null;
  /** The kept row's counts if it labels `version` in `format` (null: another, or none). */
  markerAt(version: number, format: string): KeptMarker | null;
  /** Every part of `version` but the tools' own rows (read one by one when asked for). */
  parts(version: number): KeptParts;
}

export function keptPartsReader(db: Db): KeptPartsReader {
  const row = db.prepare<[], KeptRow>(
    'SELECT version, format, meta_parts, strings_parts, arrays_parts, arrays_bytes FROM kept_registry_snapshot WHERE id = 1',
  );
  const markerAt = db.prepare<[number, string], KeptMarker>(
    `SELECT meta_parts, strings_parts, arrays_parts, arrays_bytes FROM kept_registry_snapshot
     WHERE id = 1 AND version = ? AND format = ?`,
  );
  const pieces = db
    .prepare<[number, string], string | Buffer>(
      'SELECT data FROM kept_registry_parts WHERE version = ? AND kind = ? ORDER BY n',
    )
    .pluck();
  const toolCount = db
    .prepare<[number], number>("SELECT COUNT(*) FROM kept_registry_parts WHERE version = ? AND kind = 'tool'")
    .pluck();
  return {
    row: () => row.get() ?? null,
    markerAt: (version, format) => markerAt.get(version, format) ?? null,
    parts: (version) => ({
      tools: toolCount.get(version) ?? 0,
      meta: pieces.all(version, 'meta'),
      strings: pieces.all(version, 'strings'),
      arrays: pieces.all(version, 'arrays'),
    }),
  };
}
