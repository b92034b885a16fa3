// The audit key a test database was given (audit.key beside it), and rewriting the chain with it:
// what someone who stole the key could do, which only an anchor recorded elsewhere catches.
import type Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { decodeAuditKey } from '../../src/auditKey.ts';
import {
  GENESIS_HASH,
  hashOfRow,
  headValue,
  makeAuditKey,
  type AuditKey,
  type AuditRow,
} from '../../src/store/sqlite/auditRepo.ts';

/** The key in audit.key beside the database, as the bot and the CLI find it by default. */
export function auditKeyOf(databasePath: string): AuditKey {
  const bytes = decodeAuditKey(readFileSync(join(dirname(databasePath), 'audit.key'), 'utf8'));
  if (!bytes) throw new Error(`no audit key beside ${databasePath}`);
  return makeAuditKey(bytes);
}

export const auditRow = (raw: Database.Database, id: number): AuditRow =>
  raw.prepare<[number], AuditRow>('SELECT * FROM audit_log WHERE id = ?').get(id) as AuditRow;

/**
 * Rewrites every entry with `edit` applied, each hash recomputed with `key` (under each entry's
 * scheme) and chained, and the head set to match: a rewrite of the whole log. Drops the update trigger.
 */
export function rewriteChain(
  raw: Database.Database,
  key: AuditKey | null,
  edit: (row: AuditRow) => AuditRow = (row) => row,
): string {
  raw.exec('DROP TRIGGER IF EXISTS audit_log_append_only_update;');
  const rows = raw.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY id').all();
  const update = raw.prepare(
    'UPDATE audit_log SET actor = :actor, action = :action, subject_id = :subject_id, before = :before, after = :after, prev_hash = :prev_hash, hash = :hash WHERE id = :id',
  );
  let prev = GENESIS_HASH;
  let last = 0;
  for (const row of rows) {
    const edited = { ...edit(row), prev_hash: prev };
    const hash = hashOfRow(edited, key) as string;
    update.run({ ...edited, hash });
    prev = hash;
    last = row.id;
  }
  const head = headValue(last, prev, key);
  raw.prepare("UPDATE settings SET value = ? WHERE key = 'audit_head'").run(head);
  return `${last}:${prev}`;
}
