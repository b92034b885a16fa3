// Exception requests in SQLite. Each public method is one use case in one transaction:
// load, apply the pure transition from the domain, save, audit, enqueue its messages.
import { z } from 'zod';
import {
  cancelRequest,
  consequencesOfGrant,
  consequencesOfRevocation,
  countSweepEvents,
  DATA_CLASSES,
  decideStage,
  fileRequest,
  REQUEST_STATUSES,
  revokeException,
  STAGE_STATUSES,
  sweepRequest,
  SWEEP_HORIZON,
  type AnswerToRefresh,
  type DecisionCommand,
  type RefreshedDm,
  type ExceptionRequest,
  type RequestDraft,
  type Stage,
  type SweepCounts,
  type SweepEvent,
  type Transition,
} from '../../domain/exceptions.ts';
import { REVIEW_ACTION, REVIEW_LIMITS } from '../../domain/review.ts';
import type { EndResult, ExceptionStore, FileResult, FilingCheck, StoredDecision } from '../../service/ports.ts';
import type { AuditRepo } from './auditRepo.ts';
import { writeTransaction, type Db } from './db.ts';
import type { ApproverSync } from './approverRepo.ts';
import type { OutboxRepo } from './outboxRepo.ts';

interface RequestRow {
  id: number;
  tool_id: string;
  requester: string;
  region: string;
  department: string | null;
  justification: string;
  usage: string;
  data_class: string;
  duration_days: number;
  status: string;
  renewal_of: number | null;
  created_at: string;
  decided_at: string | null;
  expires_at: string | null;
  expiry_reminded_at: string | null;
  ended_at: string | null;
  ended_by: string | null;
  end_reason: string | null;
}

interface StageRow {
  request_id: number;
  position: number;
  group_id: string;
  status: string;
  started_at: string | null;
  decided_by: string | null;
  on_behalf_of: string | null;
  decided_at: string | null;
  note: string | null;
  reminded_at: string | null;
  escalated_at: string | null;
  message_channel: string | null;
  message_ts: string | null;
}

const requestStatus = z.enum(REQUEST_STATUSES);
const stageStatus = z.enum(STAGE_STATUSES);
const dataClass = z.enum(DATA_CLASSES);

const toStage = (r: StageRow): Stage => ({
  position: r.position,
  groupId: r.group_id,
  status: stageStatus.parse(r.status),
  startedAt: r.started_at,
  decidedBy: r.decided_by,
  onBehalfOf: r.on_behalf_of,
  decidedAt: r.decided_at,
  note: r.note,
  remindedAt: r.reminded_at,
  escalatedAt: r.escalated_at,
  messageChannel: r.message_channel,
  messageTs: r.message_ts,
});

const toRequest = (r: RequestRow, stages: StageRow[]): ExceptionRequest => ({
  id: r.id,
  toolId: r.tool_id,
  requester: r.requester,
  region: r.region,
  department: r.department,
  justification: r.justification,
  usage: r.usage,
  dataClass: dataClass.parse(r.data_class),
  durationDays: r.duration_days,
  status: requestStatus.parse(r.status),
  renewalOf: r.renewal_of,
  createdAt: r.created_at,
  decidedAt: r.decided_at,
  expiresAt: r.expires_at,
  expiryRemindedAt: r.expiry_reminded_at,
  endedAt: r.ended_at,
  endedBy: r.ended_by,
  endReason: r.end_reason,
  stages: stages.map(toStage),
});

/** How many requests an approval queue shows at most. */
const QUEUE_LENGTH = 50;
/** SQLite's order of started_at: NULL first, then the ISO times as text. */
const compareStarted = (a: string | null, b: string | null): number =>
  a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;

export function exceptionRepo(
  db: Db,
  audit: AuditRepo,
  outbox: OutboxRepo,
  directory: ApproverSync,
): ExceptionStore & {
  recordStageMessageSync: (requestId: number, position: number, channel: string, ts: string) => void;
  recordDmSync: (requestId: number, event: RefreshedDm, channel: string, ts: string) => void;
  allRequestsSync: () => ExceptionRequest[];
  latestActiveSync: (user: string, toolId: string) => { requestId: number; expiresAt: string } | null;
  /** The person's oldest pending request for the tool, if any (what an answer says instead of offering another). */
  openForToolSync: (user: string, toolId: string) => ExceptionRequest | null;
  /** A person's active exceptions, inside a caller's transaction. */
  activeOfSync: (user: string, now: Date) => ExceptionRequest[];
  /** Saves transitions that end exceptions, and withdraws the pending renewals of those revoked, inside a caller's transaction. */
  saveEndingsSync: (transitions: readonly Transition[], now: Date) => void;
  openForToolsSync: (toolIds: readonly string[], now: Date) => ExceptionRequest[];
  saveSync: (t: Transition, now: Date) => void;
} {
  const s = {
    request: db.prepare<[number], RequestRow>('SELECT * FROM exception_requests WHERE id = ?'),
    recordDm: db.prepare<[number, string, string, string]>(
      'INSERT OR REPLACE INTO request_dms (request_id, event, channel, ts) VALUES (?, ?, ?, ?)',
    ),
    requestDm: db.prepare<[number, string], { channel: string; ts: string }>(
      'SELECT channel, ts FROM request_dms WHERE request_id = ? AND event = ?',
    ),
    stages: db.prepare<[number], StageRow>('SELECT * FROM request_stages WHERE request_id = ? ORDER BY position'),
    nextId: db.prepare<[], { id: number }>('SELECT COALESCE(MAX(id), 0) + 1 AS id FROM exception_requests'),
    insertRequest: db.prepare(`
      INSERT INTO exception_requests (id, tool_id, requester, region, department, justification, usage, data_class, duration_days,
        status, renewal_of, created_at, decided_at, expires_at)
      VALUES (:id, :toolId, :requester, :region, :department, :justification, :usage, :dataClass, :durationDays,
        :status, :renewalOf, :createdAt, :decidedAt, :expiresAt)`),
    insertStage: db.prepare(`
      INSERT INTO request_stages (request_id, position, group_id, status, started_at) VALUES (:requestId, :position, :groupId, :status, :startedAt)`),
    saveRequest: db.prepare(`
      UPDATE exception_requests SET status = :status, decided_at = :decidedAt, expires_at = :expiresAt, expiry_reminded_at = :expiryRemindedAt,
        ended_at = :endedAt, ended_by = :endedBy, end_reason = :endReason WHERE id = :id`),
    saveStage: db.prepare(`
      UPDATE request_stages SET status = :status, started_at = :startedAt, decided_by = :decidedBy, on_behalf_of = :onBehalfOf,
        decided_at = :decidedAt, note = :note,
        reminded_at = :remindedAt, escalated_at = :escalatedAt WHERE request_id = :requestId AND position = :position`),
    stageMessage: db.prepare<[string, string, number, number]>(
      'UPDATE request_stages SET message_channel = ?, message_ts = ? WHERE request_id = ? AND position = ?',
    ),
    openFor: db.prepare<[string], RequestRow>(
      "SELECT * FROM exception_requests WHERE requester = ? AND status = 'pending' ORDER BY id",
    ),
    openForTool: db.prepare<[string, string], RequestRow>(
      "SELECT * FROM exception_requests WHERE requester = ? AND tool_id = ? AND status = 'pending' ORDER BY id LIMIT 1",
    ),
    activeForTool: db.prepare<[string, string, string], RequestRow>(
      "SELECT * FROM exception_requests WHERE requester = ? AND tool_id = ? AND status = 'active' AND expires_at > ? ORDER BY expires_at DESC LIMIT 1",
    ),
    // The same, whatever the time: the one whose exception lasts longest (it is active now if any is).
    latestActive: db.prepare<[string, string], { id: number; expires_at: string }>(
      "SELECT id, expires_at FROM exception_requests WHERE requester = ? AND tool_id = ? AND status = 'active' AND expires_at IS NOT NULL ORDER BY expires_at DESC LIMIT 1",
    ),
    activeFor: db.prepare<[string, string], RequestRow>(
      "SELECT * FROM exception_requests WHERE requester = ? AND status = 'active' AND expires_at > ? ORDER BY expires_at",
    ),
    // The first pending stages of one group (a person's queue is those of the groups they decide in
    // now, as a member or a delegate): through request_stages_queue (migration 021), in its order,
    // so it reads QUEUE_LENGTH rows however long the group's queue is. One group at a time, merged
    // below: with `group_id IN (...)` SQLite read and sorted every pending stage of those groups.
    queueOfGroup: db.prepare<[string, number], { request_id: number; started_at: string | null }>(`
      SELECT request_id, started_at FROM request_stages WHERE status = 'pending' AND group_id = ?
      ORDER BY started_at, request_id LIMIT ?`),
    // Several requests at once (an approver's queue): two statements, not two per request.
    requestsIn: db.prepare<[string], RequestRow>(
      'SELECT * FROM exception_requests WHERE id IN (SELECT value FROM json_each(?))',
    ),
    stagesIn: db.prepare<[string], StageRow>(
      'SELECT * FROM request_stages WHERE request_id IN (SELECT value FROM json_each(?)) ORDER BY request_id, position',
    ),
    isAdmin: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM admins WHERE user_id = ?'),
    admins: db.prepare<[], { user_id: string }>('SELECT user_id FROM admins ORDER BY user_id'),
    claimView: db.prepare<[string, string, string, string]>(
      'INSERT OR IGNORE INTO view_submissions (view_id, hash, user_id, submitted_at) VALUES (?, ?, ?, ?)',
    ),
    releaseView: db.prepare<[string, string]>('DELETE FROM view_submissions WHERE view_id = ? AND hash = ?'),
    reviewsByPerson: db.prepare<[string, string, string], { n: number }>(
      'SELECT COUNT(*) AS n FROM audit_log WHERE actor = ? AND action = ? AND at >= ?',
    ),
    reviewsForName: db.prepare<[string, string, string], { n: number }>(
      "SELECT COUNT(*) AS n FROM audit_log WHERE subject_type = 'tool' AND subject_id = ? AND action = ? AND at >= ?",
    ),
    renewalsOf: db.prepare<[number], { id: number }>(
      "SELECT id FROM exception_requests WHERE renewal_of = ? AND status = 'pending'",
    ),
    allRequests: db.prepare<[], RequestRow>('SELECT * FROM exception_requests ORDER BY id'),
    // The active exceptions and pending requests of several tools at once (a reclassification, an
    // import): one statement through the (status, expires_at) index, not one per tool.
    openForTools: db.prepare<[string, string], RequestRow>(`
      SELECT * FROM exception_requests
      WHERE (status = 'pending' OR (status = 'active' AND expires_at > ?))
        AND tool_id IN (SELECT value FROM json_each(?)) ORDER BY id`),
    allStages: db.prepare<[], StageRow>('SELECT * FROM request_stages ORDER BY request_id, position'),
    list: db.prepare<{ status: string | null; limit: number }, RequestRow>(
      'SELECT * FROM exception_requests WHERE :status IS NULL OR status = :status ORDER BY id DESC LIMIT :limit',
    ),
    // Sweep candidates, each through an index: exceptions near or past their end, stages waiting long.
    expiring: db.prepare<[string, string], { id: number }>(`
      SELECT id FROM exception_requests WHERE status = 'active' AND expires_at <= ? AND (expiry_reminded_at IS NULL OR expires_at <= ?)`),
    waiting: db.prepare<[string, string], { request_id: number }>(`
      SELECT request_id FROM request_stages WHERE status = 'pending' AND started_at <= ?
        AND (reminded_at IS NULL OR (escalated_at IS NULL AND started_at <= ?))`),
    // Stages not yet escalated, by group: escalated at once when everyone in the group is away.
    unescalated: db.prepare<[], { request_id: number; group_id: string }>(
      "SELECT request_id, group_id FROM request_stages WHERE status = 'pending' AND escalated_at IS NULL",
    ),
  };

  const load = (id: number): ExceptionRequest | null => {
    const row = s.request.get(id);
    return row ? toRequest(row, s.stages.all(id)) : null;
  };
  const loadRows = (rows: RequestRow[]) => rows.map((r) => toRequest(r, s.stages.all(r.id)));

  const save = (t: Transition, now: Date) => {
    const r = t.request;
    s.saveRequest.run({
      id: r.id,
      status: r.status,
      decidedAt: r.decidedAt,
      expiresAt: r.expiresAt,
      expiryRemindedAt: r.expiryRemindedAt,
      endedAt: r.endedAt,
      endedBy: r.endedBy,
      endReason: r.endReason,
    });
    for (const st of r.stages) {
      s.saveStage.run({
        requestId: r.id,
        position: st.position,
        status: st.status,
        startedAt: st.startedAt,
        decidedBy: st.decidedBy,
        onBehalfOf: st.onBehalfOf,
        decidedAt: st.decidedAt,
        note: st.note,
        remindedAt: st.remindedAt,
        escalatedAt: st.escalatedAt,
      });
    }
    record(t, now);
  };
  const record = (t: Transition, now: Date) => {
    for (const entry of t.audit) audit.append(entry, now);
    outbox.enqueue(t.notices, now);
  };

  /** What a grant changes besides the request itself, as the domain rules it. */
  const saveGrantConsequences = (r: ExceptionRequest, now: Date) => {
    const renewed = r.status === 'active' && r.renewalOf !== null ? load(r.renewalOf) : null;
    for (const t of consequencesOfGrant(r, renewed, now)) save(t, now);
  };

  /**
   * A stage that has just started at a group whose members are all away goes to the admins at
   * once, in the same transaction as the change that started it (the sweep catches the rest:
   * absences that begin later, members who leave).
   */
  const escalateIfEveryoneAway = (r: ExceptionRequest, now: Date) => {
    const stage = r.stages.find((st) => st.status === 'pending');
    if (r.status !== 'pending' || !stage || stage.escalatedAt) return;
    const availability = directory.availabilitySync(stage.groupId, now);
    if (!availability.everyoneAway) return;
    const step = sweepRequest(
      r,
      now,
      s.admins.all().map((a) => a.user_id),
      availability,
    );
    if (step) save(step.transition, now);
  };

  /** One use case, one transaction, waiting for the write lock without blocking (db.ts). */
  const write = <T>(fn: () => T): Promise<T> => writeTransaction(db, fn);

  return {
    activeOfSync: (user, now) => loadRows(s.activeFor.all(user, now.toISOString())),
    saveEndingsSync: (transitions, now) => {
      for (const t of transitions) {
        save(t, now);
        const renewals = s.renewalsOf.all(t.request.id).flatMap(({ id }) => load(id) ?? []);
        for (const w of consequencesOfRevocation(t.request, renewals, now)) save(w, now);
      }
    },
    async getRequest(id: number) {
      return load(id);
    },
    async fileRequest(
      draft: RequestDraft,
      chain: readonly string[],
      check: FilingCheck,
      now: Date,
      answer: AnswerToRefresh | null = null,
    ): Promise<FileResult> {
      return write(() => {
        const refusal = check(
          loadRows(s.openFor.all(draft.requester)),
          (() => {
            const row = s.activeForTool.get(draft.requester, draft.toolId, now.toISOString());
            return row ? toRequest(row, []) : null;
          })(),
        );
        if (refusal) return { ok: false, refusal };
        const id = s.nextId.get()?.id ?? 1;
        const t = fileRequest(id, draft, chain, now, answer);
        const r = t.request;
        s.insertRequest.run({
          ...draft,
          id,
          status: r.status,
          createdAt: r.createdAt,
          decidedAt: r.decidedAt,
          expiresAt: r.expiresAt,
        });
        for (const st of r.stages)
          s.insertStage.run({
            requestId: id,
            position: st.position,
            groupId: st.groupId,
            status: st.status,
            startedAt: st.startedAt,
          });
        record(t, now);
        saveGrantConsequences(r, now);
        escalateIfEveryoneAway(r, now);
        return { ok: true, request: r };
      });
    },
    async decide(requestId: number, cmd: Omit<DecisionCommand, 'actorGroups'>, now: Date): Promise<StoredDecision> {
      return write(() => {
        const r = load(requestId);
        if (!r) return { ok: false, refusal: { kind: 'not_found' } };
        // Membership and absences as they are now, in the decision's own transaction.
        const authority = directory.authoritySync(cmd.actor, now);
        const result = decideStage(
          r,
          { ...cmd, actorGroups: authority.groups, standsInFor: authority.standsInFor },
          now,
        );
        if (result.ok) {
          save(result.transition, now);
          saveGrantConsequences(result.transition.request, now);
          escalateIfEveryoneAway(result.transition.request, now);
        }
        return result;
      });
    },
    /** Who may decide a stage, without deciding: for refusing a click before showing a form. */
    async decisionGroups(actor: string): Promise<Set<string>> {
      return directory.groupsOfSync(actor);
    },
    async cancel(requestId: number, actor: string, now: Date): Promise<EndResult> {
      return write(() => {
        const r = load(requestId);
        if (!r) return { ok: false, refusal: { kind: 'not_found' } };
        const result = cancelRequest(r, actor, now);
        if (!result.ok) return result;
        save(result.transition, now);
        return { ok: true, request: result.transition.request };
      });
    },
    async revoke(requestId: number, actor: string, reason: string, now: Date): Promise<EndResult> {
      return write(() => {
        const r = load(requestId);
        if (!r) return { ok: false, refusal: { kind: 'not_found' } };
        const result = revokeException(r, actor, (s.isAdmin.get(actor)?.n ?? 0) > 0, reason, now);
        if (!result.ok) return result;
        const revoked = result.transition.request;
        save(result.transition, now);
        const renewals = s.renewalsOf.all(r.id).flatMap(({ id }) => load(id) ?? []);
        for (const t of consequencesOfRevocation(revoked, renewals, now)) save(t, now);
        return { ok: true, request: revoked };
      });
    },
    async isAdmin(user: string): Promise<boolean> {
      return (s.isAdmin.get(user)?.n ?? 0) > 0;
    },
    /** One pass of the clock: expiries, reminders, escalations. Each request in its own transaction. */
    async sweep(now: Date): Promise<SweepCounts> {
      const t = now.getTime();
      const iso = (ms: number) => new Date(ms).toISOString();
      const everyoneAway = new Map<string, boolean>();
      const awayGroup = (groupId: string) => {
        let away = everyoneAway.get(groupId);
        if (away === undefined)
          everyoneAway.set(groupId, (away = directory.availabilitySync(groupId, now).everyoneAway));
        return away;
      };
      const ids = new Set<number>([
        ...s.expiring.all(iso(t + SWEEP_HORIZON.expiryReminderMs), now.toISOString()).map((r) => r.id),
        ...s.waiting
          .all(iso(t - SWEEP_HORIZON.stageReminderMs), iso(t - SWEEP_HORIZON.escalationMs))
          .map((r) => r.request_id),
        ...s.unescalated
          .all()
          .filter((st) => awayGroup(st.group_id))
          .map((st) => st.request_id),
      ]);
      const events: SweepEvent[] = [];
      const admins = s.admins.all().map((a) => a.user_id);
      for (const id of [...ids].sort((a, b) => a - b)) {
        await write(() => {
          const r = load(id);
          const stage = r?.stages.find((st) => st.status === 'pending');
          const availability = stage ? directory.availabilitySync(stage.groupId, now) : undefined;
          const step = r && sweepRequest(r, now, admins, availability);
          if (!step) return;
          save(step.transition, now);
          events.push(...step.events);
        });
      }
      return countSweepEvents(events);
    },
    /** The active exception of a person for a tool that lasts longest, expired or not: for a cache, checked against the time on use. */
    openForToolSync(user: string, toolId: string): ExceptionRequest | null {
      return loadRows(s.openForTool.all(user, toolId))[0] ?? null;
    },
    latestActiveSync(user: string, toolId: string): { requestId: number; expiresAt: string } | null {
      const row = s.latestActive.get(user, toolId);
      return row ? { requestId: row.id, expiresAt: row.expires_at } : null;
    },
    async activeException(user: string, toolId: string, now: Date) {
      const row = s.activeForTool.get(user, toolId, now.toISOString());
      return row?.expires_at ? { requestId: row.id, expiresAt: row.expires_at } : null;
    },
    async askerToolState(user: string, toolId: string, now: Date) {
      // Read as it is now (the store in front of this one keeps it between commits).
      const row = s.activeForTool.get(user, toolId, now.toISOString());
      const exception = row?.expires_at ? { requestId: row.id, expiresAt: row.expires_at } : null;
      return { exception, openRequest: exception ? null : (loadRows(s.openForTool.all(user, toolId))[0] ?? null) };
    },
    async openRequestsOf(user: string) {
      return loadRows(s.openFor.all(user));
    },
    async activeExceptionsOf(user: string, now: Date) {
      return loadRows(s.activeFor.all(user, now.toISOString()));
    },
    /** Requests waiting on a group this person decides in now: as a member, or standing in for one away. */
    async approvalQueueOf(user: string, now: Date = new Date()) {
      const authority = directory.authoritySync(user, now);
      const groups = [...new Set([...authority.groups, ...authority.standsInFor.keys()])];
      if (!groups.length) return [];
      const ids = groups
        .flatMap((g) => s.queueOfGroup.all(g, QUEUE_LENGTH))
        .sort((a, b) => compareStarted(a.started_at, b.started_at) || a.request_id - b.request_id)
        .slice(0, QUEUE_LENGTH)
        .map((q) => q.request_id);
      if (!ids.length) return [];
      const rows = new Map(s.requestsIn.all(JSON.stringify(ids)).map((r) => [r.id, r]));
      const stages = new Map<number, StageRow[]>();
      for (const st of s.stagesIn.all(JSON.stringify(ids)))
        stages.set(st.request_id, [...(stages.get(st.request_id) ?? []), st]);
      return ids.flatMap((id) => {
        const row = rows.get(id);
        return row ? [toRequest(row, stages.get(id) ?? [])] : [];
      });
    },
    async listRequests(status: string | null, limit: number) {
      return loadRows(s.list.all({ status, limit }));
    },
    /** Where an approval message was posted; part of marking its outbox row delivered. */
    recordStageMessageSync(requestId: number, position: number, channel: string, ts: string): void {
      s.stageMessage.run(channel, ts, requestId, position);
    },
    recordDmSync(requestId: number, event: RefreshedDm, channel: string, ts: string): void {
      s.recordDm.run(requestId, event, channel, ts);
    },
    async requestDm(requestId, event) {
      return s.requestDm.get(requestId, event) ?? null;
    },
    async claimViewSubmission(view, user, now) {
      return write(() => s.claimView.run(view.id, view.hash, user, now.toISOString()).changes === 1);
    },
    async releaseViewSubmission(view) {
      await write(() => s.releaseView.run(view.id, view.hash));
    },
    async fileReviewRequest(event, who, check) {
      const hour = new Date(who.now.getTime() - 3_600_000).toISOString();
      const window = new Date(who.now.getTime() - REVIEW_LIMITS.sameNameHours * 3_600_000).toISOString();
      return write(() => {
        const refusal = check({
          byPerson: s.reviewsByPerson.get(who.user, REVIEW_ACTION, hour)?.n ?? 0,
          forName: s.reviewsForName.get(who.key, REVIEW_ACTION, window)?.n ?? 0,
        });
        if (refusal) return refusal;
        for (const entry of event.audit) audit.append(entry, who.now);
        outbox.enqueue(event.notices, who.now);
        return null;
      });
    },
    openForToolsSync(toolIds: readonly string[], now: Date): ExceptionRequest[] {
      if (!toolIds.length) return [];
      const rows = s.openForTools.all(now.toISOString(), JSON.stringify(toolIds));
      if (!rows.length) return [];
      const stages = new Map<number, StageRow[]>();
      for (const st of s.stagesIn.all(JSON.stringify(rows.map((r) => r.id)))) {
        const list = stages.get(st.request_id);
        if (list) list.push(st);
        else stages.set(st.request_id, [st]);
      }
      return rows.map((r) => toRequest(r, stages.get(r.id) ?? []));
    },
    /** Saves a transition made elsewhere (a reclassification), inside the caller's transaction. */
    saveSync(t: Transition, now: Date): void {
      save(t, now);
    },
    /** Every request with its stages, in two reads: for replaying the audit log against. */
    allRequestsSync(): ExceptionRequest[] {
      const stages = new Map<number, StageRow[]>();
      for (const st of s.allStages.all()) {
        const list = stages.get(st.request_id);
        if (list) list.push(st);
        else stages.set(st.request_id, [st]);
      }
      return s.allRequests.all().map((r) => toRequest(r, stages.get(r.id) ?? []));
    },
    /** Record something that is not a request transition (e.g. a review request) with its messages. */
    async recordEvent(t: Omit<Transition, 'request'>, now: Date) {
      await write(() => {
        for (const entry of t.audit) audit.append(entry, now);
        outbox.enqueue(t.notices, now);
      });
    },
  };
}
