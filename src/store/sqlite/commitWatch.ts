// Whether anything was committed to the database since the last look, by any connection (this one
// included), as cheaply as it can be told. In WAL mode SQLite keeps a header in the -shm file that
// every commit rewrites (its change counter, last frame, checksums; two copies, so a torn read shows)
// and a reader compares it with the copy it saw to know whether to look again
// (https://www.sqlite.org/walformat.html): one pread of 96 bytes, where any statement, even
// PRAGMA data_version, takes the WAL read lock (three system calls here). Without a -shm file
// (an in-memory database) it asks PRAGMA data_version and total_changes() instead.
import { closeSync, openSync, readSync } from 'node:fs';
import type { Db } from './db.ts';

export interface CommitWatch {
  /** A new watcher: true at its first look, then true whenever something may have been committed since its last. */
  watcher(): () => boolean;
  close(): void;
}

const HEADER_BYTES = 48;

export function commitWatch(db: Db): CommitWatch {
  let fd: number | null = null;
  if (!db.memory) {
    try {
      fd = openSync(`${db.name}-shm`, 'r');
    } catch {
      fd = null;
    }
  }
  const header = Buffer.alloc(2 * HEADER_BYTES);
  const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
  const ownChanges = db.prepare<[], number>('SELECT total_changes()').pluck();

  /** What the database looks like now, as a string to compare; null when it cannot be told (a torn read). */
  const stateNow = (): string | null => {
    if (fd === null) return `${dataVersion.get() as number}:${ownChanges.get() as number}`;
    const n = readSync(fd, header, 0, header.length, 0);
    const first = header.subarray(0, HEADER_BYTES);
    if (n !== header.length || !first.equals(header.subarray(HEADER_BYTES))) return null;
    return first.toString('latin1');
  };

  return {
    watcher() {
      let seen: string | null = null;
      return () => {
        const now = stateNow();
        if (now !== null && now === seen) return false;
        seen = now;
        return true;
      };
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
