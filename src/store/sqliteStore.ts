// The SQLite implementation of the store ports.
import type { RegistryStore } from '../service/ports.ts';
import { openDatabase, type Db } from './db.ts';
import { registryRepo } from './registryRepo.ts';

export interface SqliteStore extends RegistryStore {
  db: Db;
}

export function openSqliteStore(path: string): SqliteStore {
  const db = openDatabase(path);
  const registry = registryRepo(db);
  const ping = db.prepare('SELECT 1 AS ok');
  return {
    ...registry,
    db,
    async ping() {
      return (ping.get() as { ok: number } | undefined)?.ok === 1;
    },
    close() {
      if (db.open) db.close();
    },
  };
}
