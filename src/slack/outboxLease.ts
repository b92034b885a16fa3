// Who holds an outbox lease: an owner id per worker, and whether the process behind an owner id
// is gone, so its leases can be taken over at once instead of when they run out.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * This machine and PID namespace (Linux: the boot id and /proc/self/ns/pid), or null where they
 * cannot be read. Two processes with the same key see the same process ids, so one can tell
 * whether the other is still running; a container on the same kernel has another key.
 */
function processSpace(): string | null {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const pidNamespace = readlinkSync('/proc/self/ns/pid');
    return createHash('sha256').update(`${boot}\n${pidNamespace}`).digest('hex').slice(0, 16);
  } catch {
    return null;
  }
}

const SPACE = processSpace();
const OWNER = /^(?<host>.*):(?<pid>\d+):(?<nonce>[0-9a-f]+)@(?<space>[0-9a-f]*)$/;

/** A fresh owner id for one worker: host, process id, a nonce, and the process space. */
export function newOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}@${SPACE ?? ''}`;
}

/**
 * True only when `owner` is certainly gone: a process in this process space whose id no longer
 * exists. Anything else (another machine or container, this process, a process id that exists,
 * possibly reused) is taken as alive, and its leases are left to run out.
 */
export function ownerIsGone(owner: string): boolean {
  const m = OWNER.exec(owner)?.groups;
  if (!m || !SPACE || m.space !== SPACE) return false;
  const pid = Number(m.pid);
  if (pid === process.pid || pid <= 1) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
