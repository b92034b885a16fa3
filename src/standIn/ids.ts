/**
 * The ids Slack mints: message timestamps, object ids (V…, response URL ids), view hashes and
 * trigger ids. The counters live in the state but are never reset, so ids keep counting across
 * reset() and a stale id never aliases a new object.
 */
import { STAND_IN_WORKSPACE as W } from './workspace.ts';

export interface IdCounters {
  /** Microseconds of the last ts handed out; ts values are unique and increasing. */
  lastMicros: number;
  /** Shared by every other kind of id. */
  counter: number;
}

/** A message ts (`seconds.micros`), at least 100 µs after the previous one. */
export function nextTs(ids: IdCounters): string {
  const now = Date.now() * 1000;
  ids.lastMicros = Math.max(now, ids.lastMicros + 100);
  const secs = Math.floor(ids.lastMicros / 1e6);
  const micros = ids.lastMicros % 1e6;
  return `${secs}.${String(micros).padStart(6, '0')}`;
}

export function nextId(ids: IdCounters, prefix: string, width = 10): string {
  return `${prefix}${String(++ids.counter).padStart(width, '0')}`;
}

/** A view's hash, which changes on every update (views.update/publish with a stale hash get hash_conflict). */
export function nextHash(ids: IdCounters): string {
  return `${Math.floor(Date.now() / 1000)}.${String(++ids.counter).padStart(8, '0')}`;
}

/** Shaped like Slack's trigger ids (`counter.team.random`). */
export function nextTriggerId(ids: IdCounters): string {
  return `${++ids.counter}.${W.teamId.slice(1)}.${Math.random().toString(16).slice(2, 14).padEnd(12, '0')}`;
}
