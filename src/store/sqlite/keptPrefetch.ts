// A start at 50,000 tools reads a kept registry snapshot back (registrySnapshot.ts): tens of
// megabytes of SQLite pieces, a few tenths of a second. Meanwhile the bot loads its modules (Bolt
// alone takes about 0.3 s) on one core and leaves the other idle. So `npm start` begins with this:
// a worker thread reads the parts of whatever snapshot is kept, in one read transaction, and hands
// their bytes over (transferred, not copied). The store uses them only if the database still says
// the same snapshot is kept when it reads it (RegistrySnapshots: `prefetched`); anything else
// (no snapshot, another version, any error) and the store reads for itself, as without this.
import { existsSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { keptPartsReader, type KeptMarker, type KeptParts } from './keptParts.ts';

/** A kept snapshot's parts as the worker read them, with the row that said which one was kept. */
export interface PrefetchedKept extends KeptParts {
  version: number;
  format: string;
  marker: KeptMarker;
}

interface Job {
  keptPrefetch: string;
}

/** How long a start waits for the worker at most: past that, the store reads for itself. */
const PREFETCH_WAIT_MS = 10_000;

/** The kept snapshot of the database at `databasePath`, read on another thread; null if none (or if anything fails). */
export function prefetchKeptSnapshot(databasePath: string): Promise<PrefetchedKept | null> {
  if (databasePath === ':memory:' || !existsSync(databasePath)) return Promise.resolve(null);
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL(import.meta.url), { workerData: { keptPrefetch: databasePath } satisfies Job });
    } catch {
      resolve(null);
      return;
    }
    const timer = setTimeout(() => {
      resolve(null);
      void worker.terminate();
    }, PREFETCH_WAIT_MS);
    timer.unref();
    const done = (value: PrefetchedKept | null) => {
      clearTimeout(timer);
      resolve(value);
      worker.unref();
    };
    worker.once('message', (m: PrefetchedKept | null) => done(m));
    worker.once('error', () => done(null));
    worker.once('exit', () => done(null));
    // Not unref'd until it answers: a start awaiting it with nothing else to wait for would otherwise end the process.
  });
}

/** In the worker: read, and post the parts with their buffers transferred. */
async function readInWorker(databasePath: string): Promise<void> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const reader = keptPartsReader(db);
    const read = db.transaction((): PrefetchedKept | null => {
      const row = reader.row();
      if (!row) return null;
      const { version, format, ...marker } = row;
      return { version, format, marker, ...reader.parts(version) };
    });
    const kept = read();
    const transfer: ArrayBuffer[] = [];
    if (kept)
      for (const list of [kept.meta, kept.strings, kept.arrays])
        for (let i = 0; i < list.length; i++) {
          const piece = list[i];
          if (typeof piece === 'string' || !piece) continue;
          // A buffer that owns its memory goes over as it is; one that shares it is copied first.
          const own =
            piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength ? piece : new Uint8Array(piece);
          list[i] = own;
          transfer.push(own.buffer as ArrayBuffer);
        }
    parentPort?.postMessage(kept, transfer);
  } finally {
    db.close();
  }
}

const job = workerData as Job | null;
if (!isMainThread && typeof job?.keptPrefetch === 'string')
  readInWorker(job.keptPrefetch).catch(() => parentPort?.postMessage(null));
