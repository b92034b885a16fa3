// The audit log's rules that need no database: what a problem is, anchors and the published head,
// acknowledging a known-bad entry, and replaying the log to the state it says each request reached.
// Pure: the store reads the rows and computes the hashes; everything here is decided from values.
import { z } from 'zod';
import { auditView, RULES, type AuditEntry, type ExceptionRequest, type Notice } from './exceptions.ts';

// ---- Text as SQLite keeps it --------------------------------------------------------------------

/** A UTF-16 code unit that is half of a pair without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The string with every lone surrogate replaced by U+FFFD (`String.prototype.toWellFormed`), so
 * that it has one UTF-8 form: what the store writes, and therefore what it hashes.
 */
export const wellFormed = (s: string): string => s.replace(LONE_SURROGATE, '\uFFFD');

/**
 * A string as SQLite gives it back after better-sqlite3 stored it unchanged: a lone surrogate is
 * written as its three WTF-8 bytes and read back as three U+FFFD (one per byte that is not UTF-8).
 * Only for values written before the store made text well-formed (a test holds the driver to it).
 */
export const asReadBack = (s: string): string => s.replace(LONE_SURROGATE, '\uFFFD\uFFFD\uFFFD');

// ---- Problems ---------------------------------------------------------------------------------

export const AUDIT_PROBLEM_KINDS = [
  /** The entry's prev_hash is not the stored hash of the entry before it. */
  'unlinked',
  /** Its content does not match its hash. */
  'altered',
  /** Its number does not follow the entry before it (renumbered, or entries removed). */
  'numbering',
  /** Written under a weaker rule than an entry before it (unkeyed after keyed). */
  'downgraded',
  /** Keyed with another key than the one this process has. */
  'other_key',
  /** Keyed, and this process has no key to check it. */
  'unverifiable',
  /** The stored head names an entry the log no longer has. */
  'truncated',
  /** The stored head is missing, or does not name the last entry as it is. */
  'head',
  /** An anchor recorded outside the database no longer matches. */
  'anchor',
] as const;
export type AuditProblemKind = (typeof AUDIT_PROBLEM_KINDS)[number];

/** Kinds an admin may acknowledge: something wrong with one stored entry, which stays wrong for good. */
const ACKNOWLEDGEABLE = new Set<AuditProblemKind>(['unlinked', 'altered', 'numbering', 'downgraded', 'other_key']);

export interface AuditProblem {
  /** The entry it concerns (for a removed tail, the first entry missing). */
  entry: number;
  kind: AuditProblemKind;
  message: string;
  /** SHA-256 of the entry exactly as stored now (every column), for problems with one stored entry; else null. */
  digest: string | null;
}

/** The chain and its head as the store checked them: every problem, in entry order. */
export type AuditVerification =
  | { ok: true; entries: number; head: string | null }
  | { ok: false; entries: number; firstBad: number; problem: string; problems: AuditProblem[] };

/** Which rule the entries were written under (1 first rule, 2 unkeyed, 3 keyed), and the key here. */
export interface AuditKeying {
  /** The id of the key this process has (a digest naming it), or null: new entries are then unkeyed. */
  keyId: string | null;
  /** Per scheme, in log order: its first and last entry, and how many. */
  schemes: Array<{ scheme: number; first: number; last: number; count: number }>;
}

// ---- Anchors and the published head -----------------------------------------------------------

/** A head recorded somewhere else: entry N had this hash. */
export interface Anchor {
  entry: number;
  hash: string;
}

const BARE_ANCHOR = /^\s*(\d{1,15}):([0-9a-f]{64})\s*$/;
// Copied out of Slack or a log, the post may keep its formatting around the head (`*`, backticks).
const POSTED_ANCHOR = /toolgate audit head[\s*_`~]+(\d{1,15}):([0-9a-f]{64})(?![0-9a-f])/;

/** `N:HASH` as `audit verify` prints it, or the text of a published head ("toolgate audit head N:HASH at ..."). */
export function parseAnchor(text: string): Anchor | null {
  const m = BARE_ANCHOR.exec(text) ?? POSTED_ANCHOR.exec(text);
  if (!m?.[1] || !m[2]) return null;
  return { entry: Number(m[1]), hash: m[2] };
}

/** To the minute, as people write it: 2026-12-01T09:00Z. */
export const minuteOf = (at: string): string => `${at.slice(0, 16)}Z`;

/** The text of a published head; `parseAnchor` reads it back. */
export const headAnnouncement = (h: Anchor & { at: string }): string =>
  `toolgate audit head ${h.entry}:${h.hash} at ${minuteOf(h.at)}`;

export const HEAD_ACTION = 'audit.head_published';
export const HEAD_SUBJECT = { subjectType: 'audit_log', subjectId: 'head' } as const;

/** What the store knows, inside its transaction, when the head is due to be published. */
export interface HeadState {
  /** The last entry now. */
  head: Anchor | null;
  /** Its action: nothing new since the last publication if that is the publication itself. */
  lastAction: string | null;
  lastPublishedAt: string | null;
}

export interface HeadPublication extends Anchor {
  at: string;
  channel: string | null;
  text: string;
}

/**
 * Whether to publish the head now and what that writes: an audit entry, and a post to the audit
 * channel if there is one. Not if the log is empty, nothing was written since the last publication,
 * or the last one is younger than the interval.
 */
export function planHeadPublication(
  state: HeadState,
  o: { now: Date; intervalMs: number; channel: string | null },
): { publication: HeadPublication; audit: AuditEntry[]; notices: Notice[] } | null {
  if (!state.head || state.lastAction === HEAD_ACTION) return null;
  if (state.lastPublishedAt && o.now.getTime() - Date.parse(state.lastPublishedAt) < o.intervalMs) return null;
  const at = o.now.toISOString();
  const publication: HeadPublication = {
    ...state.head,
    at,
    channel: o.channel,
    text: headAnnouncement({ ...state.head, at }),
  };
  return {
    publication,
    audit: [
      {
        actor: 'system',
        action: HEAD_ACTION,
        ...HEAD_SUBJECT,
        before: null,
        after: { entry: state.head.entry, hash: state.head.hash, channel: o.channel },
      },
    ],
    notices: o.channel
      ? [{ kind: 'audit_head', channel: o.channel, entry: state.head.entry, hash: state.head.hash, at }]
      : [],
  };
}

// ---- Acknowledging a known-bad entry ----------------------------------------------------------

export const ACK_ACTION = 'audit.acknowledged';

/** What replaying needs of an entry. */
export interface LogEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  after: unknown;
}

export interface Acknowledgement {
  /** The entry that records the acknowledgement. */
  by: number;
  actor: string;
  at: string;
  entry: number;
  kinds: AuditProblemKind[];
  digest: string;
  reason: string;
}

const ackSchema = z.object({
  entry: z.number().int(),
  kinds: z.array(z.enum(AUDIT_PROBLEM_KINDS)),
  digest: z.string(),
  reason: z.string(),
});

export function acknowledgementsIn(entries: readonly LogEntry[]): Acknowledgement[] {
  return entries.flatMap((e) => {
    if (e.action !== ACK_ACTION) return [];
    const a = ackSchema.safeParse(e.after);
    return a.success ? [{ by: e.id, actor: e.actor, at: e.at, ...a.data }] : [];
  });
}

export type AcknowledgeRefusal =
  | { kind: 'reason_required' }
  | { kind: 'reason_too_long'; max: number }
  | { kind: 'not_found' }
  | { kind: 'nothing_wrong' }
  | { kind: 'not_acknowledgeable'; problems: AuditProblem[] }
  | { kind: 'already'; ack: Acknowledgement };

/**
 * The entry recording that an admin knows entry N is bad, and why: it names the problems and the
 * entry's digest as stored now, so a later edit of that entry (or any other) still fails.
 */
export function acknowledge(
  entry: number,
  problems: readonly AuditProblem[],
  acks: readonly Acknowledgement[],
  actor: string,
  reason: string,
): { ok: true; audit: AuditEntry } | { ok: false; refusal: AcknowledgeRefusal } {
  const why = reason.trim();
  if (why.length < RULES.reasonMin) return { ok: false, refusal: { kind: 'reason_required' } };
  if (why.length > RULES.noteMax) return { ok: false, refusal: { kind: 'reason_too_long', max: RULES.noteMax } };
  const own = problems.filter((p) => p.entry === entry);
  if (!own.length) return { ok: false, refusal: { kind: 'nothing_wrong' } };
  const digest = own[0]?.digest;
  if (!digest || own.some((p) => !ACKNOWLEDGEABLE.has(p.kind)))
    return { ok: false, refusal: { kind: 'not_acknowledgeable', problems: own } };
  const { acknowledged } = sortProblems(own, acks);
  const already = acknowledged[0]?.ack;
  if (already && acknowledged.length === own.length) return { ok: false, refusal: { kind: 'already', ack: already } };
  return {
    ok: true,
    audit: {
      actor,
      action: ACK_ACTION,
      subjectType: 'audit_entry',
      subjectId: String(entry),
      before: null,
      after: { entry, kinds: [...new Set(own.map((p) => p.kind))], digest, reason: why },
    },
  };
}

/**
 * Which problems an acknowledgement covers: one recorded after the entry, by an entry that is itself
 * sound, for the entry as it is stored now and every kind of problem it has now. Anything else fails.
 */
export function sortProblems(
  problems: readonly AuditProblem[],
  acks: readonly Acknowledgement[],
): { failing: AuditProblem[]; acknowledged: Array<{ problem: AuditProblem; ack: Acknowledgement }> } {
  const troubled = new Set(problems.map((p) => p.entry));
  const kindsOf = new Map<number, Set<AuditProblemKind>>();
  for (const p of problems) kindsOf.set(p.entry, (kindsOf.get(p.entry) ?? new Set()).add(p.kind));
  const failing: AuditProblem[] = [];
  const acknowledged: Array<{ problem: AuditProblem; ack: Acknowledgement }> = [];
  for (const p of problems) {
    const kinds = kindsOf.get(p.entry) ?? new Set();
    const ack = [...acks]
      .reverse()
      .find(
        (a) =>
          a.entry === p.entry &&
          a.by > p.entry &&
          !troubled.has(a.by) &&
          p.digest !== null &&
          a.digest === p.digest &&
          [...kinds].every((k) => ACKNOWLEDGEABLE.has(k) && a.kinds.includes(k)),
      );
    if (ack) acknowledged.push({ problem: p, ack });
    else failing.push(p);
  }
  return { failing, acknowledged };
}

// ---- Replaying the log to the state it says each request reached ------------------------------

export interface StateDifference {
  requestId: number;
  /** The entry that says what the value should be, if any. */
  entry: number | null;
  message: string;
}

const DRAFT_FIELDS = [
  'toolId',
  'requester',
  'region',
  'department',
  'justification',
  'usage',
  'dataClass',
  'durationDays',
  'renewalOf',
] as const;

interface Said<T> {
  value: T;
  entry: number;
}

interface Expected {
  filed: Said<Record<string, unknown>> | null;
  view: Said<Record<string, unknown>> | null;
  expiryRemindedAt: Said<unknown> | null;
  reminded: Map<number, Said<unknown>>;
  escalated: Map<number, Said<unknown>>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The log's values as the columns would read them back, so text the driver mangled compares equal. */
const readBackDeep = (v: unknown): unknown =>
  typeof v === 'string'
    ? asReadBack(v)
    : Array.isArray(v)
      ? v.map(readBackDeep)
      : isRecord(v)
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, readBackDeep(x)]))
        : v;

const same = (inDb: unknown, inLog: unknown): boolean =>
  JSON.stringify(inDb ?? null) === JSON.stringify(readBackDeep(inLog ?? null));

const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

/** Each request's state as its audit entries' `after` values leave it (see `auditView`), in log order. */
function replay(entries: readonly LogEntry[]): Map<number, Expected> {
  const out = new Map<number, Expected>();
  for (const e of entries) {
    if (e.subjectType !== 'exception_request' || !/^\d+$/.test(e.subjectId) || !isRecord(e.after)) continue;
    const id = Number(e.subjectId);
    const x = out.get(id) ?? {
      filed: null,
      view: null,
      expiryRemindedAt: null,
      reminded: new Map(),
      escalated: new Map(),
    };
    out.set(id, x);
    const after = e.after;
    if (e.action === 'request.filed') x.filed = { value: after, entry: e.id };
    if ('status' in after && 'stages' in after) x.view = { value: after, entry: e.id };
    else if (e.action === 'request.expiry_reminded')
      x.expiryRemindedAt = { value: after.expiryRemindedAt, entry: e.id };
    else if (e.action === 'stage.reminded' && typeof after.position === 'number')
      x.reminded.set(after.position, { value: after.remindedAt, entry: e.id });
    else if (e.action === 'stage.escalated' && typeof after.position === 'number') {
      x.escalated.set(after.position, { value: after.escalatedAt, entry: e.id });
      // Escalating a stage nobody reminded reminds it too (sweepRequest), unless it was escalated
      // at once because everyone in the group was away: then the reminder comes in its own time.
      if (!x.reminded.has(after.position) && after.reason !== 'everyone_away')
        x.reminded.set(after.position, { value: after.escalatedAt, entry: e.id });
    }
  }
  return out;
}

/**
 * Every way the requests in the database differ from what the log says they reached: a request the
 * log never filed, one it filed that is gone, and any field the log records (the form, status,
 * stages and their decisions, end, reminders) with another value.
 */
export function stateDifferences(
  entries: readonly LogEntry[],
  requests: readonly ExceptionRequest[],
): StateDifference[] {
  const expected = replay(entries);
  const diffs: StateDifference[] = [];
  const inDb = new Set<number>();
  for (const r of requests) {
    inDb.add(r.id);
    const x = expected.get(r.id);
    const differs = (what: string, dbValue: unknown, said: Said<unknown> | null, logValue: unknown) => {
      if (!same(dbValue, logValue))
        diffs.push({
          requestId: r.id,
          entry: said?.entry ?? null,
          message: `request #${r.id}: ${what} is ${show(dbValue ?? null)} in the database, but the log says ${show(readBackDeep(logValue ?? null))}${said ? ` (entry ${said.entry})` : ''}`,
        });
    };
    if (!x?.filed || !x.view) {
      diffs.push({
        requestId: r.id,
        entry: null,
        message: `request #${r.id} (${r.status}, ${r.toolId} for ${r.requester}) is in the database, but the log never filed it`,
      });
      continue;
    }
    for (const f of DRAFT_FIELDS) differs(f, r[f], x.filed, x.filed.value[f]);
    const view = JSON.parse(JSON.stringify(auditView(r))) as Record<string, unknown>;
    const logView = x.view.value;
    differs('status', view.status, x.view, logView.status);
    differs('expiresAt', view.expiresAt, x.view, logView.expiresAt);
    differs('endReason', view.endReason, x.view, logView.endReason);
    const dbStages = Array.isArray(view.stages) ? (view.stages as unknown[]) : [];
    const logStages = Array.isArray(logView.stages) ? (logView.stages as unknown[]) : [];
    if (dbStages.length !== logStages.length)
      differs('the number of stages', dbStages.length, x.view, logStages.length);
    dbStages.forEach((s, i) => {
      const l = logStages[i];
      if (!isRecord(s) || !isRecord(l)) return;
      const name = `stage ${i + 1} (${String(s.group)})`;
      for (const k of ['group', 'status', 'by', 'for', 'note']) differs(`${name} ${k}`, s[k], x.view, l[k]);
    });
    differs('expiryRemindedAt', r.expiryRemindedAt, x.expiryRemindedAt, x.expiryRemindedAt?.value ?? null);
    for (const s of r.stages) {
      const reminded = x.reminded.get(s.position) ?? null;
      const escalated = x.escalated.get(s.position) ?? null;
      differs(`stage ${s.position + 1} (${s.groupId}) remindedAt`, s.remindedAt, reminded, reminded?.value ?? null);
      differs(`stage ${s.position + 1} (${s.groupId}) escalatedAt`, s.escalatedAt, escalated, escalated?.value ?? null);
    }
  }
  for (const [id, x] of expected) {
    if (inDb.has(id) || !x.filed) continue;
    diffs.push({
      requestId: id,
      entry: x.filed.entry,
      message: `request #${id} was filed (entry ${x.filed.entry}), but is not in the database`,
    });
  }
  return diffs;
}
