// The audit log: append-only (triggers refuse UPDATE and DELETE) and hash-chained, so an edited,
// renumbered or removed row shows up in `toolgate audit verify`. With the audit key (kept outside the
// database) each entry's hash is an HMAC, so whoever can write the database file cannot forge one.
//
// What is hashed is what is stored: every column but the hash, the id included, as the bytes SQLite
// keeps (text is made well-formed before it is written, so it has one UTF-8 form; `verify` reads the
// stored bytes back with CAST(... AS BLOB)). Entries written before migration 005 keep their first rule.
import { createHash, createHmac } from 'node:crypto';
import {
  HEAD_ACTION,
  HEAD_SUBJECT,
  wellFormed,
  type AuditKeying,
  type AuditProblem,
  type AuditVerification,
  type HeadState,
} from '../../domain/audit.ts';
import type { AuditEntry } from '../../domain/exceptions.ts';
import type { Db } from './db.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** How an entry is hashed (the `scheme` column; migration 005). */
export const AUDIT_SCHEME = {
  /** The first rule: SHA-256 over the previous hash and the content as JavaScript strings; the id is not covered. */
  legacy: 1,
  /** SHA-256 over the stored bytes of every column: written when no key is available. */
  unkeyed: 2,
  /** HMAC-SHA-256 with the audit key over the same bytes. */
  keyed: 3,
} as const;

/** The audit key, and its id: a digest that names it in the log without giving it away. */
export interface AuditKey {
  bytes: Buffer;
  id: string;
}

export const auditKeyId = (bytes: Buffer): string =>
  createHmac('sha256', bytes).update('toolgate audit key id').digest('hex').slice(0, 16);

export const makeAuditKey = (bytes: Buffer): AuditKey => ({ bytes, id: auditKeyId(bytes) });

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
  scheme: number;
  key_id: string | null;
}

type Column = string | Buffer | number | null;

/** The columns a scheme 2 or 3 hash covers, in this order: all but `hash`. */
const COVERED = [
  'id',
  'scheme',
  'key_id',
  'at',
  'actor',
  'action',
  'subject_type',
  'subject_id',
  'before',
  'after',
  'prev_hash',
] as const;
export type CoveredColumns = Record<(typeof COVERED)[number], Column>;

/**
 * The bytes an entry's hash covers: a tag per column (null, number, text), then its length and its
 * bytes, so no two rows share an encoding. Text given as a string is encoded as the store writes it
 * (well-formed UTF-8); given as a Buffer, it is taken as the bytes SQLite holds.
 */
export function canonicalBytes(row: CoveredColumns): Buffer {
  const parts: Buffer[] = [Buffer.from('toolgate audit entry\n', 'utf8')];
  for (const column of COVERED) {
    const v = row[column];
    if (v === null) {
      parts.push(Buffer.from([0]));
      continue;
    }
    const [tag, bytes] =
      typeof v === 'number'
        ? [1, Buffer.from(String(v), 'utf8')]
        : [2, typeof v === 'string' ? Buffer.from(wellFormed(v), 'utf8') : v];
    const head = Buffer.alloc(5);
    head[0] = tag;
    head.writeUInt32BE(bytes.length, 1);
    parts.push(head, bytes);
  }
  return Buffer.concat(parts);
}

/** The first rule (scheme 1), unchanged, for entries written before migration 005. */
export function legacyAuditHash(
  prevHash: string,
  row: Pick<AuditRow, 'at' | 'actor' | 'action' | 'subject_type' | 'subject_id' | 'before' | 'after'>,
): string {
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(JSON.stringify([row.at, row.actor, row.action, row.subject_type, row.subject_id, row.before, row.after]))
    .digest('hex');
}

/** An entry's hash under its scheme; null if it cannot be computed here (keyed, and no key). */
export function entryHash(row: CoveredColumns, key: AuditKey | null): string | null {
  if (row.scheme === AUDIT_SCHEME.unkeyed) return createHash('sha256').update(canonicalBytes(row)).digest('hex');
  if (row.scheme === AUDIT_SCHEME.keyed && key)
    return createHmac('sha256', key.bytes).update(canonicalBytes(row)).digest('hex');
  return null;
}

/** The hash of a row as read back (strings), under whichever scheme it names: for tools and tests. */
export function hashOfRow(row: AuditRow, key: AuditKey | null): string | null {
  return row.scheme === AUDIT_SCHEME.legacy ? legacyAuditHash(row.prev_hash, row) : entryHash(row, key);
}

/** SHA-256 of an entry exactly as stored (every column, the hash too): what an acknowledgement names. */
export const rowDigest = (row: CoveredColumns, hash: string): string =>
  createHash('sha256').update(canonicalBytes(row)).update(hash).digest('hex');

const headMac = (entry: number, hash: string, key: AuditKey): string =>
  createHmac('sha256', key.bytes).update(`toolgate audit head\n${entry}:${hash}`).digest('hex');

/** The stored head: `N:HASH`, and with a key `N:HASH:MAC`, so it cannot be moved back without the key. */
export const headValue = (entry: number, hash: string, key: AuditKey | null): string =>
  key ? `${entry}:${hash}:${headMac(entry, hash, key)}` : `${entry}:${hash}`;

const HEAD_PATTERN = /^(\d+):([0-9a-f]{64})(?::([0-9a-f]{64}))?$/;

/** Which keys wrote keyed entries, from which entry on: read before the key is chosen, to warn of a wrong one. */
export function keysInUse(db: Db): Array<{ keyId: string; firstEntry: number }> {
  return (
    db
      .prepare(
        'SELECT key_id AS keyId, MIN(id) AS firstEntry FROM audit_log WHERE scheme = 3 GROUP BY key_id ORDER BY firstEntry',
      )
      .all() as Array<{ keyId: string | null; firstEntry: number }>
  ).map((k) => ({ keyId: k.keyId ?? '', firstEntry: k.firstEntry }));
}

type RawRow = AuditRow & {
  [
    K in `b_${'key_id' | 'at' | 'actor' | 'action' | 'subject_type' | 'subject_id' | 'before' | 'after' | 'prev_hash'}`
  ]: Buffer | null;
};

const json = (v: unknown): string | null => (v === null || v === undefined ? null : wellFormed(JSON.stringify(v)));

export function auditRepo(db: Db, key: AuditKey | null = null) {
  const s = {
    last: db.prepare<[], { id: number; hash: string; action: string }>(
      'SELECT id, hash, action FROM audit_log ORDER BY id DESC LIMIT 1',
    ),
    insert: db.prepare(
      'INSERT INTO audit_log (id, scheme, key_id, at, actor, action, subject_type, subject_id, before, after, prev_hash, hash) VALUES (:id, :scheme, :key_id, :at, :actor, :action, :subject_type, :subject_id, :before, :after, :prev_hash, :hash)',
    ),
    head: db.prepare<[], { value: string }>("SELECT value FROM settings WHERE key = 'audit_head'"),
    setHead: db.prepare<[string]>(
      "INSERT INTO settings (key, value) VALUES ('audit_head', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ),
    since: db.prepare<[string], AuditRow>('SELECT * FROM audit_log WHERE at >= ? ORDER BY id'),
    forSubject: db.prepare<[string, string], AuditRow>(
      'SELECT * FROM audit_log WHERE subject_type = ? AND subject_id = ? ORDER BY id',
    ),
    all: db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY id'),
    // The stored bytes of every text column, beside the values: schemes 2 and 3 are checked on the bytes.
    raw: db.prepare<[], RawRow>(`
      SELECT *, CAST(key_id AS BLOB) AS b_key_id, CAST(at AS BLOB) AS b_at, CAST(actor AS BLOB) AS b_actor,
        CAST(action AS BLOB) AS b_action, CAST(subject_type AS BLOB) AS b_subject_type,
        CAST(subject_id AS BLOB) AS b_subject_id, CAST(before AS BLOB) AS b_before, CAST(after AS BLOB) AS b_after,
        CAST(prev_hash AS BLOB) AS b_prev_hash
      FROM audit_log ORDER BY id`),
    schemes: db.prepare<[], { scheme: number; first: number; last: number; count: number }>(
      'SELECT scheme, MIN(id) AS first, MAX(id) AS last, COUNT(*) AS count FROM audit_log GROUP BY scheme ORDER BY first',
    ),
    lastPublished: db.prepare<[string, string, string], { at: string }>(
      'SELECT at FROM audit_log WHERE subject_type = ? AND subject_id = ? AND action = ? ORDER BY id DESC LIMIT 1',
    ),
  };

  /** The columns as SQLite stores them. */
  const stored = (r: RawRow): CoveredColumns => ({
    id: r.id,
    scheme: r.scheme,
    key_id: r.b_key_id,
    at: r.b_at,
    actor: r.b_actor,
    action: r.b_action,
    subject_type: r.b_subject_type,
    subject_id: r.b_subject_id,
    before: r.b_before,
    after: r.b_after,
    prev_hash: r.b_prev_hash,
  });

  /**
   * The stored head must name the last entry as it is, and once the chain is keyed carry the MAC of
   * the key that wrote its last keyed entry. `keyedBy`: the key id of that entry, or null.
   */
  function headProblems(last: RawRow | null, keyedBy: string | null): AuditProblem[] {
    const value = s.head.get()?.value ?? null;
    const problem = (entry: number, kind: AuditProblem['kind'], message: string): AuditProblem[] => [
      { entry, kind, message, digest: null },
    ];
    const m = value === null ? null : HEAD_PATTERN.exec(value);
    if (!last) {
      return m
        ? problem(Number(m[1]), 'truncated', `the log is empty, but entry ${m[1]} was written: entries were removed`)
        : [];
    }
    if (!m)
      return problem(
        last.id + 1,
        'head',
        value === null
          ? `the stored head is missing: entries after entry ${last.id} may have been removed with it`
          : `the stored head is not a head ("${value.slice(0, 40)}"): it was rewritten`,
      );
    const headId = Number(m[1]);
    if (headId > last.id)
      return problem(
        headId,
        'truncated',
        `the log ends at entry ${last.id}, but entry ${headId} was written: entries at the end were removed`,
      );
    if (headId < last.id)
      return problem(
        headId + 1,
        'head',
        `the stored head names entry ${headId}, but the log goes on to entry ${last.id}: entries after ${headId} were added beside toolgate`,
      );
    if (m[2] !== last.hash)
      return problem(
        last.id,
        'head',
        `the stored head gives entry ${last.id} another hash: the last entry was rewritten`,
      );
    if (keyedBy !== null && key && keyedBy === key.id && m[3] !== headMac(headId, last.hash, key))
      return problem(
        last.id,
        'head',
        m[3]
          ? `the stored head's MAC is wrong: the head was rewritten without the audit key`
          : `the stored head carries no MAC, though the chain is keyed: the head was rewritten without the audit key`,
      );
    return [];
  }

  return {
    key,
    /** Call inside the transaction that makes the change. */
    append(entry: AuditEntry, now: Date): void {
      const last = s.last.get();
      const row = {
        id: (last?.id ?? 0) + 1,
        scheme: key ? AUDIT_SCHEME.keyed : AUDIT_SCHEME.unkeyed,
        key_id: key?.id ?? null,
        at: now.toISOString(),
        actor: wellFormed(entry.actor),
        action: wellFormed(entry.action),
        subject_type: wellFormed(entry.subjectType),
        subject_id: wellFormed(entry.subjectId),
        before: json(entry.before),
        after: json(entry.after),
        prev_hash: last?.hash ?? GENESIS_HASH,
      };
      const hash = entryHash(row, key) as string;
      s.insert.run({ ...row, hash });
      // The head catches a removed last entry, which the chain alone cannot; with a key, it cannot be moved back.
      s.setHead.run(headValue(row.id, hash, key));
    },
    entries(since: string | null): AuditRow[] {
      return since ? s.since.all(since) : s.all.all();
    },
    forSubject(type: string, id: string): AuditRow[] {
      return s.forSubject.all(type, id);
    },
    keying(): AuditKeying {
      return { keyId: key?.id ?? null, schemes: s.schemes.all() };
    },
    /** What deciding on a head publication needs; call inside its transaction. */
    headState(): HeadState {
      const last = s.last.get();
      return {
        head: last ? { entry: last.id, hash: last.hash } : null,
        lastAction: last?.action ?? null,
        lastPublishedAt: s.lastPublished.get(HEAD_SUBJECT.subjectType, HEAD_SUBJECT.subjectId, HEAD_ACTION)?.at ?? null,
      };
    },
    /**
     * Every problem with the chain and its head, in entry order: not only the first, so one bad
     * entry cannot hide another. The chain goes on from each entry's stored hash.
     */
    verify(): AuditVerification {
      const problems: AuditProblem[] = [];
      let prevHash = GENESIS_HASH;
      let prevId = 0;
      let count = 0;
      let strongest: { scheme: number; entry: number } | null = null;
      let last: RawRow | null = null;
      let keyedBy: string | null = null;
      for (const row of s.raw.iterate()) {
        count++;
        const columns = stored(row);
        let digest: string | null = null;
        const add = (kind: AuditProblem['kind'], message: string) =>
          problems.push({ entry: row.id, kind, message, digest: (digest ??= rowDigest(columns, row.hash)) });
        if (row.prev_hash !== prevHash)
          add('unlinked', `entry ${row.id} does not follow the entry before it (an entry was removed or altered)`);
        if (row.scheme === AUDIT_SCHEME.keyed && !key)
          add('unverifiable', `entry ${row.id} is keyed, and there is no audit key here to check it`);
        else if (row.scheme === AUDIT_SCHEME.keyed && row.key_id !== key?.id)
          add(
            'other_key',
            `entry ${row.id} was written with another audit key (key id ${row.key_id ?? 'none'}; this key is ${key?.id ?? 'none'})`,
          );
        else {
          const expected =
            row.scheme === AUDIT_SCHEME.legacy ? legacyAuditHash(row.prev_hash, row) : entryHash(columns, key);
          if (expected !== row.hash) add('altered', `entry ${row.id} was altered: its content does not match its hash`);
        }
        if (row.id !== prevId + 1)
          add(
            'numbering',
            !last
              ? `the log starts at entry ${row.id}, not 1: entries were renumbered or removed`
              : `entry ${row.id} comes after entry ${prevId}: entries were renumbered or removed`,
          );
        if (strongest && row.scheme < strongest.scheme)
          add(
            'downgraded',
            strongest.scheme === AUDIT_SCHEME.keyed
              ? `entry ${row.id} is not keyed, though entry ${strongest.entry} before it is: it was written without the audit key (forged, or by a process that had no key)`
              : `entry ${row.id} uses the first rule after entry ${strongest.entry} used the new one: it was not written by toolgate`,
          );
        if (!strongest || row.scheme > strongest.scheme) strongest = { scheme: row.scheme, entry: row.id };
        if (row.scheme === AUDIT_SCHEME.keyed) keyedBy = row.key_id;
        prevHash = row.hash;
        prevId = row.id;
        last = row;
      }
      problems.push(...headProblems(last, keyedBy));
      problems.sort((a, b) => a.entry - b.entry);
      const first = problems[0];
      if (first) return { ok: false, entries: count, firstBad: first.entry, problem: first.message, problems };
      return { ok: true, entries: count, head: last ? `${last.id}:${last.hash}` : null };
    },
  };
}

export type AuditRepo = ReturnType<typeof auditRepo>;
