// The audit key: the secret the audit log's entries are HMAC'd with, kept outside the database so
// whoever can write the database file cannot forge or rewrite entries. From AUDIT_KEY, or from a key
// file (AUDIT_KEY_FILE, by default audit.key beside the database) made on first start.
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from './config.ts';
import { ConfigError } from './errors.ts';
import { auditKeyId } from './store/sqlite/auditRepo.ts';

/** The shortest key taken: 256 bits, as HMAC-SHA-256 wants. */
export const MIN_KEY_BYTES = 32;

/** A key written as hex or base64 (a key file's content, or AUDIT_KEY); null if it is neither or too short. */
export function decodeAuditKey(text: string): Buffer | null {
  const t = text.trim();
  let key: Buffer | null = null;
  if (/^[0-9a-f]+$/i.test(t) && t.length % 2 === 0) key = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) key = Buffer.from(t, 'base64');
  return key && key.length >= MIN_KEY_BYTES ? key : null;
}

/** Where the key file is when AUDIT_KEY_FILE does not say: beside the database (none for an in-memory one). */
export const defaultKeyFile = (databasePath: string): string | null =>
  databasePath === ':memory:' ? null : join(dirname(databasePath), 'audit.key');

export interface KeyLog {
  info(line: string): void;
  warn(line: string): void;
}

export type KeySettings = Pick<Config, 'auditKey' | 'auditKeyFile' | 'databasePath'>;

const codeOf = (e: unknown): string =>
  (e as NodeJS.ErrnoException | null)?.code ?? (e instanceof Error ? e.message : String(e));

function readKeyFile(path: string, log: KeyLog): Buffer | 'missing' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (codeOf(e) === 'ENOENT') return 'missing';
    log.warn(
      `toolgate: cannot read the audit key file ${path} (${codeOf(e)}): audit entries are written UNKEYED until it can be read; fix its permissions, or set AUDIT_KEY`,
    );
    return 'unreadable';
  }
  const key = decodeAuditKey(text);
  if (!key)
    throw new ConfigError([
      `AUDIT_KEY_FILE ${path} does not hold an audit key (${MIN_KEY_BYTES} bytes or more, as hex or base64): restore it from your backup; if the audit log has no keyed entries yet, remove the file and toolgate makes a new key`,
    ]);
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0)
    log.warn(`toolgate: the audit key file ${path} can be read by other users: chmod 600 ${path}`);
  return key;
}

/**
 * The audit key, or null (entries are then hashed unkeyed, and `audit verify` says so). `inUse`: the
 * keys that wrote the log's keyed entries, so a lost key file is reported, never silently replaced.
 */
export function findAuditKey(
  settings: KeySettings,
  inUse: ReadonlyArray<{ keyId: string; firstEntry: number }>,
  log: KeyLog,
): Buffer | null {
  const latest = inUse.at(-1);
  const checked = (key: Buffer, what: string): Buffer => {
    if (latest && latest.keyId !== auditKeyId(key))
      log.warn(
        `toolgate: ${what} is not the key that wrote the audit log from entry #${latest.firstEntry} on (key id ${latest.keyId}; this key's id is ${auditKeyId(key)}): audit verify reports those entries; use the key that wrote them`,
      );
    return key;
  };
  if (settings.auditKey) return checked(settings.auditKey, 'AUDIT_KEY');
  const file = settings.auditKeyFile ?? defaultKeyFile(settings.databasePath);
  if (!file) return null;
  const path = resolve(file);
  const found = readKeyFile(path, log);
  if (found === 'unreadable') return null;
  if (found !== 'missing') return checked(found, `the audit key in ${path}`);
  if (latest) {
    log.warn(
      `toolgate: the audit key file ${path} is missing, but the audit log is keyed from entry #${latest.firstEntry} on (key id ${latest.keyId}): restore the file from your backup (or set AUDIT_KEY). Until then new entries are written unkeyed, and audit verify reports them`,
    );
    return null;
  }
  const key = randomBytes(MIN_KEY_BYTES);
  try {
    writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    // Another process made it first: use theirs.
    if (codeOf(e) === 'EEXIST') {
      const theirs = readKeyFile(path, log);
      return Buffer.isBuffer(theirs) ? theirs : null;
    }
    log.warn(
      `toolgate: cannot create the audit key file ${path} (${codeOf(e)}): audit entries are written UNKEYED; set AUDIT_KEY, or AUDIT_KEY_FILE to a file toolgate can create`,
    );
    return null;
  }
  log.info(
    `toolgate: made a new audit key in ${path} (mode 0600). Back it up, apart from the database: without it the audit log cannot be verified`,
  );
  return key;
}
