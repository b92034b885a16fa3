// Exception requests: the approval state machine and the rules around it.
// Pure: every function takes `now` and returns the new state; the store persists it.
import { cleanUserText } from './text.ts';
import type { Tool, ToolStatus } from './types.ts';
import type { Verdict } from './verdict.ts';

export const DATA_CLASSES = ['public', 'internal', 'confidential', 'restricted'] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

export const REQUEST_STATUSES = [
  'pending',
  'active',
  'denied',
  'cancelled',
  'revoked',
  'expired',
  'superseded',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export const STAGE_STATUSES = ['waiting', 'pending', 'approved', 'denied', 'cancelled'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];
export type Decision = 'approve' | 'deny';

export const RULES = {
  maxOpenPerPerson: 5,
  defaultDurationDays: 30,
  defaultMaxDays: 90,
  justificationMin: 20,
  justificationMax: 3000,
  usageMax: 300,
  noteMax: 1000,
  reasonMin: 5,
  /** Approvers are reminded of a request waiting this long at their stage... */
  stageReminderHours: 48,
  /** ...and the admins are told after this long. */
  escalationDays: 5,
  /** Holders hear this long before their exception ends, with a renewal button. */
  expiryReminderDays: 7,
  /** A renewal may be requested once the active exception is this close to its end. */
  renewalWindowDays: 14,
} as const;

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface Stage {
  position: number;
  groupId: string;
  status: StageStatus;
  startedAt: string | null;
  decidedBy: string | null;
  /** The away approver a delegate decided in place of (`decidedBy` is the delegate); null when they decided themselves. */
  onBehalfOf: string | null;
  decidedAt: string | null;
  note: string | null;
  remindedAt: string | null;
  escalatedAt: string | null;
  messageChannel: string | null;
  messageTs: string | null;
}

/** What the requester gives, plus who and where they are. */
export interface RequestDraft {
  toolId: string;
  requester: string;
  region: string;
  department: string | null;
  justification: string;
  usage: string;
  dataClass: DataClass;
  durationDays: number;
  renewalOf: number | null;
}

export interface ExceptionRequest extends RequestDraft {
  id: number;
  status: RequestStatus;
  createdAt: string;
  decidedAt: string | null;
  expiresAt: string | null;
  expiryRemindedAt: string | null;
  endedAt: string | null;
  endedBy: string | null;
  endReason: string | null;
  stages: Stage[];
}

/** A message a state change must send. Rendered when it is sent, from the state then. */
export type Notice =
  | { kind: 'stage_message'; requestId: number; position: number }
  | { kind: 'dm'; user: string; requestId: number; event: DmEvent }
  /** In the group's channel; with `user`, a DM to a delegate standing in for `onBehalfOf`, who is away. */
  | { kind: 'stage_reminder'; requestId: number; position: number; user?: string; onBehalfOf?: string }
  /** `everyoneAway`: escalated at once because every member of the stage's group is away, not for waiting. */
  | { kind: 'escalation'; requestId: number; position: number; admin: string; everyoneAway?: boolean }
  | { kind: 'review_request'; channel: string; user: string; query: string }
  /** A tool review request's post in the review channel: posted once, then updated in place (askers, outcome). */
  | { kind: 'review_post'; reviewId: number }
  /** An asker's DM about their review request: received, or the decision as their region sees it. */
  | { kind: 'review_dm'; reviewId: number; user: string; event: ReviewDmEvent }
  | { kind: 'audit_head'; channel: string; entry: number; hash: string; at: string }
  /** The weekly list of tools whose review and facts are older than REVIEW_MAX_AGE_DAYS, for the review channel. */
  | {
      kind: 'stale_digest';
      channel: string;
      at: string;
      maxAgeDays: number;
      tools: Array<{ id: string; name: string; lastChecked: string | null; ageDays: number | null }>;
    }
  /** Re-renders a DM already sent about the request (its buttons may no longer apply), from the state then. */
  | { kind: 'dm_refresh'; requestId: number; event: RefreshedDm }
  /**
   * Replaces the /can-i-use answer a request was filed from (through its response URL, valid until
   * `until`), so it shows the request instead of a button to file it again.
   */
  | { kind: 'answer_refresh'; requestId: number; user: string; url: string; until: string };

export const REVIEW_DM_EVENTS = ['received', 'decided'] as const;
export type ReviewDmEvent = (typeof REVIEW_DM_EVENTS)[number];

/** The DMs that carry a button (Cancel, Request a renewal): refreshed when a change makes it meaningless. */
export const REFRESHED_DMS = ['filed', 'expiring'] as const;
export type RefreshedDm = (typeof REFRESHED_DMS)[number];

/** The /can-i-use answer a request form was opened from: where to show the filed request. */
export interface AnswerToRefresh {
  url: string;
  until: Date;
}

export const DM_EVENTS = [
  'filed',
  'progress',
  'approved',
  'denied',
  'cancelled',
  'revoked',
  'expiring',
  'expired',
  /** The holder's region changed, and there the tool takes no exception: it ended. */
  'region_changed',
  /** The tool was reclassified (issue 12): the exception revoked or the request closed, and why. */
  'reclassified',
] as const;
export type DmEvent = (typeof DM_EVENTS)[number];

export interface AuditEntry {
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  before: unknown;
  after: unknown;
}

/** A transition's result: the request as it now is, what to record, what to send. */
export interface Transition {
  request: ExceptionRequest;
  audit: AuditEntry[];
  notices: Notice[];
}

export const maxDaysFor = (tool: Pick<Tool, 'maxExceptionDays'>): number =>
  tool.maxExceptionDays ?? RULES.defaultMaxDays;

export const currentStage = (r: ExceptionRequest): Stage | undefined =>
  r.status === 'pending' ? r.stages.find((s) => s.status === 'pending') : undefined;

/** The approval chain for a tool: its own approvers if it names them, else its risk class's. */
export function chainFor(tool: Pick<Tool, 'approvers' | 'risk'>, chains: Record<Tool['risk'], string[]>): string[] {
  return tool.approvers ?? chains[tool.risk];
}

/** What the audit log shows of a request before and after a change. */
export function auditView(r: ExceptionRequest) {
  return {
    status: r.status,
    stages: r.stages.map((s) => ({
      group: s.groupId,
      status: s.status,
      by: s.decidedBy,
      // A delegate's decision names both: `by` decided, in place of `for`.
      ...(s.onBehalfOf && { for: s.onBehalfOf }),
      note: s.note,
    })),
    expiresAt: r.expiresAt,
    ...(r.endReason && { endReason: r.endReason }),
  };
}

export type RequestRefusal =
  | { kind: 'prohibited' }
  | { kind: 'not_needed'; label: string }
  | { kind: 'open_for_tool'; requestId: number }
  | { kind: 'too_many_open'; open: number }
  | { kind: 'already_active'; requestId: number; expiresAt: string }
  | { kind: 'duration_too_long'; max: number };

/** Whether this person may ask for an exception now, given what they already have open or hold. */
export function refusalFor(
  verdict: Pick<Verdict, 'status' | 'label'>,
  open: ReadonlyArray<Pick<ExceptionRequest, 'id' | 'toolId'>>,
  active: Pick<ExceptionRequest, 'id' | 'expiresAt'> | null,
  toolId: string,
  now: Date,
): RequestRefusal | null {
  if (verdict.status === 'prohibited') return { kind: 'prohibited' };
  if (verdict.status !== 'exception_required') return { kind: 'not_needed', label: verdict.label };
  const sameTool = open.find((r) => r.toolId === toolId);
  if (sameTool) return { kind: 'open_for_tool', requestId: sameTool.id };
  if (open.length >= RULES.maxOpenPerPerson) return { kind: 'too_many_open', open: open.length };
  if (active?.expiresAt && Date.parse(active.expiresAt) - now.getTime() > RULES.renewalWindowDays * DAY) {
    return { kind: 'already_active', requestId: active.id, expiresAt: active.expiresAt };
  }
  return null;
}

const endOf = (now: Date, days: number): string => new Date(now.getTime() + days * DAY).toISOString();

/** A new request, its first stage waiting on the first group; with no stages it is granted at once. */
export function fileRequest(
  id: number,
  draft: RequestDraft,
  chain: readonly string[],
  now: Date,
  answer: AnswerToRefresh | null = null,
): Transition {
  const at = now.toISOString();
  const stages: Stage[] = chain.map((groupId, position) => ({
    position,
    groupId,
    status: position === 0 ? 'pending' : 'waiting',
    startedAt: position === 0 ? at : null,
    decidedBy: null,
    onBehalfOf: null,
    decidedAt: null,
    note: null,
    remindedAt: null,
    escalatedAt: null,
    messageChannel: null,
    messageTs: null,
  }));
  const request: ExceptionRequest = {
    id,
    ...draft,
    status: stages.length ? 'pending' : 'active',
    createdAt: at,
    decidedAt: stages.length ? null : at,
    expiresAt: stages.length ? null : endOf(now, draft.durationDays),
    expiryRemindedAt: null,
    endedAt: null,
    endedBy: null,
    endReason: null,
    stages,
  };
  const answerRefresh: Notice[] =
    answer && answer.until > now
      ? [
          {
            kind: 'answer_refresh',
            requestId: id,
            user: draft.requester,
            url: answer.url,
            until: answer.until.toISOString(),
          },
        ]
      : [];
  const audit: AuditEntry[] = [
    {
      actor: draft.requester,
      action: 'request.filed',
      subjectType: 'exception_request',
      subjectId: String(id),
      before: null,
      after: { ...draft, ...auditView(request) },
    },
  ];
  if (!stages.length) {
    return {
      request,
      audit: [
        ...audit,
        {
          actor: 'system',
          action: 'request.activated',
          subjectType: 'exception_request',
          subjectId: String(id),
          before: null,
          after: auditView(request),
        },
      ],
      notices: [{ kind: 'dm', user: draft.requester, requestId: id, event: 'approved' }, ...answerRefresh],
    };
  }
  return {
    request,
    audit,
    notices: [
      { kind: 'stage_message', requestId: id, position: 0 },
      { kind: 'dm', user: draft.requester, requestId: id, event: 'filed' },
      ...answerRefresh,
    ],
  };
}

export type DecisionRefusal =
  | {
      kind: 'not_pending';
      status: RequestStatus;
      decidedBy: string | null;
      decision: StageStatus | null;
      decidedAt: string | null;
    }
  | { kind: 'stale_stage'; decidedBy: string | null; decision: StageStatus; decidedAt: string | null }
  | { kind: 'not_started'; groupId: string }
  | { kind: 'not_approver'; groupId: string }
  | { kind: 'own_request' }
  | { kind: 'decided_other_stage'; position: number }
  /** The actor stands in for `principal`, who is the requester: nobody decides their own request, by delegate either. */
  | { kind: 'principal_own_request'; principal: string }
  /** The actor stands in for `principal`, who already took part in stage `position` (four eyes). */
  | { kind: 'principal_decided_other_stage'; principal: string; position: number }
  | { kind: 'reason_required' }
  | { kind: 'note_too_long'; max: number };

export interface DecisionCommand {
  actor: string;
  position: number;
  decision: Decision;
  note: string | null;
  /** Groups the actor belongs to now: the registry's lists and the Slack user groups, as they are now. */
  actorGroups: ReadonlySet<string>;
  /**
   * By group: the members away now who named the actor as their delegate (and whom the actor may
   * still stand in for: a member of the group or of its backup now). See approvers.ts.
   */
  standsInFor?: ReadonlyMap<string, readonly string[]>;
}

/** Who takes part in a decided stage: who decided, and whom they stood in for. */
const takingPart = (s: Stage): string[] => [s.decidedBy, s.onBehalfOf].filter((u): u is string => u !== null);

/** Who may decide this stage, and if not, why not. Checked before showing a form and again on submit. */
export function decisionRefusal(
  r: ExceptionRequest,
  cmd: Omit<DecisionCommand, 'note' | 'decision'>,
): DecisionRefusal | null {
  const authority = decisionAuthority(r, cmd);
  return authority.ok ? null : authority.refusal;
}

/**
 * Whether the actor may decide the stage, and as whom: as themselves (a member of its group now),
 * or as the delegate of an away member. Four eyes holds either way: neither the actor nor whom
 * they stand in for may be the requester or have taken part in another stage of the request.
 */
export function decisionAuthority(
  r: ExceptionRequest,
  cmd: Omit<DecisionCommand, 'note' | 'decision'>,
): { ok: true; onBehalfOf: string | null } | { ok: false; refusal: DecisionRefusal } {
  const refusal = stageRefusal(r, cmd);
  if (refusal) return { ok: false, refusal };
  const stage = r.stages[cmd.position] as Stage;
  const fourEyes = (who: string, asPrincipal: boolean): DecisionRefusal | null => {
    if (who === r.requester)
      return asPrincipal ? { kind: 'principal_own_request', principal: who } : { kind: 'own_request' };
    const other = r.stages.find((s) => s.position !== stage.position && takingPart(s).includes(who));
    if (!other) return null;
    return asPrincipal
      ? { kind: 'principal_decided_other_stage', principal: who, position: other.position }
      : { kind: 'decided_other_stage', position: other.position };
  };
  const own = fourEyes(cmd.actor, false);
  if (cmd.actorGroups.has(stage.groupId)) return own ? { ok: false, refusal: own } : { ok: true, onBehalfOf: null };
  const principals = cmd.standsInFor?.get(stage.groupId) ?? [];
  if (!principals.length) return { ok: false, refusal: { kind: 'not_approver', groupId: stage.groupId } };
  if (own) return { ok: false, refusal: own };
  let first: DecisionRefusal | null = null;
  for (const principal of principals) {
    const theirs = fourEyes(principal, true);
    if (!theirs) return { ok: true, onBehalfOf: principal };
    first ??= theirs;
  }
  return { ok: false, refusal: first ?? { kind: 'not_approver', groupId: stage.groupId } };
}

/** The refusals that do not depend on who the actor is: the stage must be the current one. */
function stageRefusal(r: ExceptionRequest, cmd: { position: number }): DecisionRefusal | null {
  const stage = r.stages[cmd.position];
  const current = currentStage(r);
  if (!stage || !current) {
    const last = [...r.stages].reverse().find((s) => s.decidedBy);
    return {
      kind: 'not_pending',
      status: r.status,
      decidedBy: last?.decidedBy ?? r.endedBy,
      decision: last?.status ?? null,
      decidedAt: last?.decidedAt ?? r.endedAt,
    };
  }
  if (stage.position !== current.position) {
    if (stage.status === 'waiting') return { kind: 'not_started', groupId: stage.groupId };
    return { kind: 'stale_stage', decidedBy: stage.decidedBy, decision: stage.status, decidedAt: stage.decidedAt };
  }
  return null;
}

export type DecisionResult =
  | { ok: true; transition: Transition; outcome: 'advanced' | 'activated' | 'denied' }
  | { ok: false; refusal: DecisionRefusal };

/** Decide the current stage. A decision is final: anything but the current pending stage is refused. */
export function decideStage(r: ExceptionRequest, cmd: DecisionCommand, now: Date): DecisionResult {
  const authority = decisionAuthority(r, cmd);
  if (!authority.ok) return authority;
  const note = (cmd.note === null ? '' : cleanUserText(cmd.note)).trim() || null;
  if (cmd.decision === 'deny' && (!note || note.length < RULES.reasonMin))
    return { ok: false, refusal: { kind: 'reason_required' } };
  if (note && note.length > RULES.noteMax) return { ok: false, refusal: { kind: 'note_too_long', max: RULES.noteMax } };
  const at = now.toISOString();
  const position = cmd.position;
  const stages = r.stages.map((s) =>
    s.position === position
      ? {
          ...s,
          status: cmd.decision === 'approve' ? ('approved' as const) : ('denied' as const),
          decidedBy: cmd.actor,
          onBehalfOf: authority.onBehalfOf,
          decidedAt: at,
          note,
        }
      : s,
  );
  const next = stages.find((s) => s.position === position + 1);
  const subject = { subjectType: 'exception_request', subjectId: String(r.id) };
  const stageAudit: AuditEntry = {
    actor: cmd.actor,
    action: cmd.decision === 'approve' ? 'stage.approved' : 'stage.denied',
    ...subject,
    before: auditView(r),
    after: null,
  };

  if (cmd.decision === 'deny') {
    const request: ExceptionRequest = { ...r, stages, status: 'denied', decidedAt: at };
    stageAudit.after = auditView(request);
    return {
      ok: true,
      outcome: 'denied',
      transition: {
        request,
        audit: [stageAudit],
        notices: [...startedStageNotices(request), { kind: 'dm', user: r.requester, requestId: r.id, event: 'denied' }],
      },
    };
  }
  if (next) {
    const request: ExceptionRequest = {
      ...r,
      stages: stages.map((s) =>
        s.position === next.position ? { ...s, status: 'pending' as const, startedAt: at } : s,
      ),
    };
    stageAudit.after = auditView(request);
    return {
      ok: true,
      outcome: 'advanced',
      transition: {
        request,
        audit: [stageAudit],
        // Every posted message shows the whole chain, so each one is refreshed, and the next stage's is posted.
        notices: [
          ...startedStageNotices(request),
          { kind: 'dm', user: r.requester, requestId: r.id, event: 'progress' },
        ],
      },
    };
  }
  const request: ExceptionRequest = {
    ...r,
    stages,
    status: 'active',
    decidedAt: at,
    expiresAt: endOf(now, r.durationDays),
  };
  stageAudit.after = auditView(request);
  return {
    ok: true,
    outcome: 'activated',
    transition: {
      request,
      audit: [
        stageAudit,
        { actor: 'system', action: 'request.activated', ...subject, before: null, after: auditView(request) },
      ],
      notices: [...startedStageNotices(request), { kind: 'dm', user: r.requester, requestId: r.id, event: 'approved' }],
    },
  };
}

/**
 * What to refresh after a change to `r` (its state after): the stage messages already posted (or
 * on their way), and the DM whose button the change may have made meaningless: the "filed" DM's
 * Cancel while the request is or was just pending, the expiry reminder's Renew once the exception ends.
 */
export const startedStageNotices = (r: ExceptionRequest): Notice[] => [
  ...r.stages
    .filter((s) => s.startedAt)
    .map((s) => ({ kind: 'stage_message' as const, requestId: r.id, position: s.position })),
  {
    kind: 'dm_refresh',
    requestId: r.id,
    event: r.status === 'revoked' || r.status === 'expired' || r.status === 'superseded' ? 'expiring' : 'filed',
  },
];

export type EndRefusal =
  | { kind: 'not_requester' }
  | { kind: 'not_admin' }
  | { kind: 'wrong_status'; status: RequestStatus }
  | { kind: 'reason_required' }
  | { kind: 'reason_too_long'; max: number };

export function cancelRequest(
  r: ExceptionRequest,
  actor: string,
  now: Date,
): { ok: true; transition: Transition } | { ok: false; refusal: EndRefusal } {
  if (actor !== r.requester) return { ok: false, refusal: { kind: 'not_requester' } };
  if (r.status !== 'pending') return { ok: false, refusal: { kind: 'wrong_status', status: r.status } };
  const at = now.toISOString();
  const request: ExceptionRequest = {
    ...r,
    status: 'cancelled',
    endedAt: at,
    endedBy: actor,
    stages: r.stages.map((s) =>
      s.status === 'pending' || s.status === 'waiting' ? { ...s, status: 'cancelled' as const } : s,
    ),
  };
  return {
    ok: true,
    transition: {
      request,
      audit: [
        {
          actor,
          action: 'request.cancelled',
          subjectType: 'exception_request',
          subjectId: String(r.id),
          before: auditView(r),
          after: auditView(request),
        },
      ],
      notices: [
        ...startedStageNotices(request),
        { kind: 'dm', user: r.requester, requestId: r.id, event: 'cancelled' },
      ],
    },
  };
}

export function revokeException(
  r: ExceptionRequest,
  actor: string,
  isAdmin: boolean,
  reason: string,
  now: Date,
): { ok: true; transition: Transition } | { ok: false; refusal: EndRefusal } {
  if (!isAdmin) return { ok: false, refusal: { kind: 'not_admin' } };
  if (r.status !== 'active') return { ok: false, refusal: { kind: 'wrong_status', status: r.status } };
  const cleanReason = cleanUserText(reason).trim();
  if (cleanReason.length < RULES.reasonMin) return { ok: false, refusal: { kind: 'reason_required' } };
  if (cleanReason.length > RULES.noteMax)
    return { ok: false, refusal: { kind: 'reason_too_long', max: RULES.noteMax } };
  const at = now.toISOString();
  const request: ExceptionRequest = { ...r, status: 'revoked', endedAt: at, endedBy: actor, endReason: cleanReason };
  return {
    ok: true,
    transition: {
      request,
      audit: [
        {
          actor,
          action: 'request.revoked',
          subjectType: 'exception_request',
          subjectId: String(r.id),
          before: auditView(r),
          after: auditView(request),
        },
      ],
      notices: [...startedStageNotices(request), { kind: 'dm', user: r.requester, requestId: r.id, event: 'revoked' }],
    },
  };
}

/** Where a person is now, as an exception held elsewhere must be judged. */
export interface RegionChange {
  region: string;
  /** The tool's status in `region`. */
  status: ToolStatus;
  /** Why the exception ends, in plain words, for the holder and the audit log. */
  reason: string;
}

/**
 * A transfer: an active exception granted in another region stays valid only where the tool's
 * status in the new region still allows an exception; otherwise it ends (as `revoked`, by
 * `system`, with the reason), and the holder is told why. Its pending renewals go with it.
 */
export function endOnRegionChange(r: ExceptionRequest, next: RegionChange, now: Date): Transition | null {
  if (r.status !== 'active' || r.region === next.region || next.status === 'exception_required') return null;
  const request: ExceptionRequest = {
    ...r,
    status: 'revoked',
    endedAt: now.toISOString(),
    endedBy: 'system',
    endReason: next.reason,
  };
  return {
    request,
    audit: [
      {
        actor: 'system',
        action: 'request.ended_by_region_change',
        subjectType: 'exception_request',
        subjectId: String(r.id),
        before: auditView(r),
        after: { ...auditView(request), region: next.region },
      },
    ],
    notices: [
      ...startedStageNotices(request),
      { kind: 'dm', user: r.requester, requestId: r.id, event: 'region_changed' },
    ],
  };
}

/** A renewal that is granted replaces the exception it renews; its messages lose their Revoke button. */
function supersede(r: ExceptionRequest, by: number, now: Date): Transition {
  const request: ExceptionRequest = {
    ...r,
    status: 'superseded',
    endedAt: now.toISOString(),
    endedBy: 'system',
    endReason: `renewed by #${by}`,
  };
  return {
    request,
    audit: [
      {
        actor: 'system',
        action: 'request.superseded',
        subjectType: 'exception_request',
        subjectId: String(r.id),
        before: auditView(r),
        after: auditView(request),
      },
    ],
    notices: startedStageNotices(request),
  };
}

/**
 * What else a grant changes: a granted renewal replaces the exception it renews.
 * `renewed` is the request `granted.renewalOf` points at, as it is now (or null).
 */
export function consequencesOfGrant(
  granted: ExceptionRequest,
  renewed: ExceptionRequest | null,
  now: Date,
): Transition[] {
  if (granted.status !== 'active' || granted.renewalOf === null) return [];
  if (!renewed || renewed.id !== granted.renewalOf || renewed.status !== 'active') return [];
  return [supersede(renewed, granted.id, now)];
}

/** A pending renewal of an exception that was just revoked is withdrawn with it: the revocation's reason stands. */
export function withdrawRenewal(r: ExceptionRequest, revoked: ExceptionRequest, now: Date): Transition | null {
  if (r.status !== 'pending' || r.renewalOf !== revoked.id) return null;
  const request: ExceptionRequest = {
    ...r,
    status: 'cancelled',
    endedAt: now.toISOString(),
    endedBy: revoked.endedBy,
    endReason: `exception #${revoked.id}, which it renews, was revoked`,
    stages: r.stages.map((s) =>
      s.status === 'pending' || s.status === 'waiting' ? { ...s, status: 'cancelled' as const } : s,
    ),
  };
  return {
    request,
    audit: [
      {
        actor: revoked.endedBy ?? 'system',
        action: 'request.withdrawn',
        subjectType: 'exception_request',
        subjectId: String(r.id),
        before: auditView(r),
        after: auditView(request),
      },
    ],
    notices: [...startedStageNotices(request), { kind: 'dm', user: r.requester, requestId: r.id, event: 'cancelled' }],
  };
}

/** What else a revocation changes: every pending renewal of the revoked exception is withdrawn. */
export function consequencesOfRevocation(
  revoked: ExceptionRequest,
  renewals: readonly ExceptionRequest[],
  now: Date,
): Transition[] {
  if (revoked.status !== 'revoked') return [];
  return renewals.flatMap((r) => withdrawRenewal(r, revoked, now) ?? []);
}

// --- Time: what a sweep at `now` must do to one request. Each step sets the flag that makes it happen once.

/** What a sweep did, one event per thing done, so callers count events rather than audit strings. */
export const SWEEP_EVENTS = ['expired', 'expiry_reminded', 'stage_reminded', 'escalated'] as const;
export type SweepEvent = (typeof SWEEP_EVENTS)[number];

export interface SweepStep {
  transition: Transition;
  events: SweepEvent[];
}

export interface SweepCounts {
  expired: number;
  expiryReminders: number;
  stageReminders: number;
  escalations: number;
}

const SWEEP_COUNTER: Record<SweepEvent, keyof SweepCounts> = {
  expired: 'expired',
  expiry_reminded: 'expiryReminders',
  stage_reminded: 'stageReminders',
  escalated: 'escalations',
};

/** How many of each thing a sweep did. */
export function countSweepEvents(events: readonly SweepEvent[]): SweepCounts {
  const counts: SweepCounts = { expired: 0, expiryReminders: 0, stageReminders: 0, escalations: 0 };
  for (const event of events) counts[SWEEP_COUNTER[event]]++;
  return counts;
}

/**
 * Who can answer for the current stage's group now (approvers.ts groupPresence): whether every
 * member is away, and the delegates standing in for those who are (with whom they stand in for).
 */
export interface StageAvailability {
  everyoneAway: boolean;
  delegates: ReadonlyArray<{ user: string; onBehalfOf: string }>;
}

export const EVERYONE_PRESENT: StageAvailability = { everyoneAway: false, delegates: [] };

export function sweepRequest(
  r: ExceptionRequest,
  now: Date,
  admins: readonly string[],
  availability: StageAvailability = EVERYONE_PRESENT,
): SweepStep | null {
  const t = now.getTime();
  const at = now.toISOString();
  const subject = { subjectType: 'exception_request', subjectId: String(r.id) };
  if (r.status === 'active' && r.expiresAt) {
    const end = Date.parse(r.expiresAt);
    if (end <= t) {
      const request: ExceptionRequest = { ...r, status: 'expired', endedAt: at, endedBy: 'system' };
      return {
        events: ['expired'],
        transition: {
          request,
          audit: [
            { actor: 'system', action: 'request.expired', ...subject, before: auditView(r), after: auditView(request) },
          ],
          notices: [
            ...startedStageNotices(request),
            { kind: 'dm', user: r.requester, requestId: r.id, event: 'expired' },
          ],
        },
      };
    }
    if (!r.expiryRemindedAt && end - t <= RULES.expiryReminderDays * DAY) {
      const request: ExceptionRequest = { ...r, expiryRemindedAt: at };
      return {
        events: ['expiry_reminded'],
        transition: {
          request,
          audit: [
            {
              actor: 'system',
              action: 'request.expiry_reminded',
              ...subject,
              before: { expiryRemindedAt: null },
              after: { expiryRemindedAt: at },
            },
          ],
          notices: [{ kind: 'dm', user: r.requester, requestId: r.id, event: 'expiring' }],
        },
      };
    }
    return null;
  }
  const stage = currentStage(r);
  if (!stage?.startedAt) return null;
  const waited = t - Date.parse(stage.startedAt);
  const escalated = (why: { reason?: 'everyone_away' }): AuditEntry => ({
    actor: 'system',
    action: 'stage.escalated',
    ...subject,
    before: { position: stage.position, escalatedAt: null },
    after: { position: stage.position, escalatedAt: at, admins, ...why },
  });
  // Nobody of the group is there to decide: the admins hear at once, not after the escalation days.
  if (!stage.escalatedAt && availability.everyoneAway) {
    const request = withStage(r, { ...stage, escalatedAt: at });
    return {
      events: ['escalated'],
      transition: {
        request,
        audit: [escalated({ reason: 'everyone_away' })],
        notices: admins.map((admin) => ({
          kind: 'escalation' as const,
          requestId: r.id,
          position: stage.position,
          admin,
          everyoneAway: true,
        })),
      },
    };
  }
  // The delegates of away members are reminded too, by DM: they may not read the group's channel.
  const delegateReminders = (): Notice[] =>
    availability.delegates.map((d) => ({
      kind: 'stage_reminder' as const,
      requestId: r.id,
      position: stage.position,
      user: d.user,
      onBehalfOf: d.onBehalfOf,
    }));
  if (!stage.escalatedAt && waited >= RULES.escalationDays * DAY) {
    const request = withStage(r, { ...stage, escalatedAt: at, remindedAt: stage.remindedAt ?? at });
    // A stage escalated before anyone reminded its group gets the reminder too.
    const remindToo = !stage.remindedAt;
    return {
      events: remindToo ? ['stage_reminded', 'escalated'] : ['escalated'],
      transition: {
        request,
        audit: [escalated({})],
        notices: [
          ...(remindToo
            ? [{ kind: 'stage_reminder' as const, requestId: r.id, position: stage.position }, ...delegateReminders()]
            : []),
          ...admins.map((admin) => ({ kind: 'escalation' as const, requestId: r.id, position: stage.position, admin })),
        ],
      },
    };
  }
  if (!stage.remindedAt && waited >= RULES.stageReminderHours * HOUR) {
    const request = withStage(r, { ...stage, remindedAt: at });
    return {
      events: ['stage_reminded'],
      transition: {
        request,
        audit: [
          {
            actor: 'system',
            action: 'stage.reminded',
            ...subject,
            before: { position: stage.position, remindedAt: null },
            after: { position: stage.position, remindedAt: at },
          },
        ],
        notices: [{ kind: 'stage_reminder', requestId: r.id, position: stage.position }, ...delegateReminders()],
      },
    };
  }
  return null;
}

const withStage = (r: ExceptionRequest, stage: Stage): ExceptionRequest => ({
  ...r,
  stages: r.stages.map((s) => (s.position === stage.position ? stage : s)),
});

/** The earliest moment a sweep could have something to do for this request, for the store's index queries. */
export const SWEEP_HORIZON = {
  expiryReminderMs: RULES.expiryReminderDays * DAY,
  stageReminderMs: RULES.stageReminderHours * HOUR,
  escalationMs: RULES.escalationDays * DAY,
} as const;
