// What the use cases need from the outside world. The SQLite store implements
// these today; another backend only has to pass the same contract tests.
import type {
  AnswerToRefresh,
  AuditEntry,
  DecisionCommand,
  DecisionResult,
  EndRefusal,
  ExceptionRequest,
  Notice,
  RefreshedDm,
  RequestDraft,
  RequestRefusal,
  StageAvailability,
  SweepCounts,
  Transition,
} from '../domain/exceptions.ts';
import type { Absence, GroupNow } from '../domain/approvers.ts';
import type { CachedProfile, UserFacts } from '../domain/directory.ts';
import type {
  ReviewDecision,
  ReviewDecisionRefusal,
  ReviewFormValues,
  ReviewRefusal,
  ToolReview,
} from '../domain/review.ts';
import type { ToolImpact } from '../domain/reclassification.ts';
import type { HistoryEntry } from '../domain/toolHistory.ts';
import type { AuditKeying, AuditVerification, HeadPublication, HeadState } from '../domain/audit.ts';
import type { KeyHit } from '../domain/match.ts';
import type { QueryLogEntry, ReportRows, StaleDigestNotice } from '../domain/report.ts';
import type { ActiveException } from '../domain/verdict.ts';

export interface AskerToolState {
  exception: ActiveException | null;
  /** Null too when they hold an exception (then it is not read). */
  openRequest: ExceptionRequest | null;
}
import type {
  ApproverGroup,
  DisplayNames,
  Person,
  RegionRule,
  Registry,
  RubricOverrides,
  RiskClass,
  Tool,
  ToolRef,
  ToolStatus,
} from '../domain/types.ts';

export interface ToolListing extends ToolRef {
  category: string;
  /** Status as seen from the region asked about. */
  status: ToolStatus;
}

export interface ImportSummary {
  added: string[];
  updated: string[];
  unchanged: number;
  removed: string[];
  /** Tools --prune would have removed but that are still referenced (e.g. by exception requests). */
  kept: string[];
  /** Reclassified tools and what that did (or, on a dry run, would do) to exceptions and requests; only when any. */
  impacts?: ToolImpact[];
}

export interface ImportOptions {
  prune: boolean;
  actor: string;
  now: Date;
  /**
   * What to do when the import revokes exceptions or closes requests: carry it out (the default), or
   * refuse it with NeedsConfirmationError, changing nothing.
   */
  consequences?: 'apply' | 'refuse';
  /** Work it all out in the transaction and roll it back: the summary says what the import would do. */
  dryRun?: boolean;
}

/** A change to one tool (registry edit, Slack Edit). */
export interface ToolChangeOptions {
  actor: string;
  reason: string | null;
  now: Date;
  source: 'edit' | 'slack';
  consequences: 'apply' | 'refuse';
  dryRun?: boolean;
}

export type ToolChangeRefusal =
  | { kind: 'not_found' }
  | { kind: 'unchanged' }
  /** It revokes or closes something and `consequences` was 'refuse'. */
  | { kind: 'needs_confirmation'; impact: ToolImpact };

export type ToolChangeResult =
  { ok: true; impact: ToolImpact; applied: boolean } | { ok: false; refusal: ToolChangeRefusal };

/**
 * The registry held in memory as one immutable snapshot, with its lookup indexes: what answering
 * reads. Its objects are shared by every caller: read them, never change them.
 */
export interface RegistrySnapshot {
  /** The registry as the store read it, whole (settings, people, groups, chains and tools). */
  readonly registry: Registry;
  /** As RegistryStore.findKeyHits, with `typos` for the key's deletion variants (deletionVariants). */
  findKeyHits(key: string, typos: boolean): KeyHit[];
  tool(id: string): Tool | null;
  toolRefs(ids: readonly string[]): ToolRef[];
  listTools(region: string, category: string | null, limit: number): { tools: ToolListing[]; total: number };
  categories(): Array<{ category: string; count: number }>;
  person(user: string): Person | null;
  approverGroup(id: string): ApproverGroup | null;
  approvalChain(risk: RiskClass): string[];
}

export interface RegistryStore {
  /**
   * The registry snapshot, with every change committed before the call in it (a change made by
   * another process too). Cheap when nothing changed; read again when something did.
   */
  registrySnapshot(): Promise<RegistrySnapshot>;
  /** Keys equal to `key`, sharing one of `variants` (its deletion variants; none for exact only), or starting with it. */
  findKeyHits(key: string, variants: readonly string[]): Promise<KeyHit[]>;
  getTool(id: string): Promise<Tool | null>;
  toolRefs(ids: readonly string[]): Promise<ToolRef[]>;
  listTools(region: string, category: string | null, limit: number): Promise<{ tools: ToolListing[]; total: number }>;
  categories(): Promise<Array<{ category: string; count: number }>>;
  /** The names people read for region and category ids. */
  displayNames(): Promise<DisplayNames>;
  /** The registry's region ids, in the file's order. */
  regions(): Promise<string[]>;
  getPerson(user: string): Promise<Person | null>;
  approverGroup(id: string): Promise<ApproverGroup | null>;
  approvalChain(risk: RiskClass): Promise<string[]>;
  /** The registry's `region_rules`, in order (first match wins). */
  regionRules(): Promise<RegionRule[]>;
  admins(): Promise<string[]>;
  reviewChannel(): Promise<string | null>;
  /** The registry's changes to the assessment rubric's defaults, if any. */
  rubric(): Promise<RubricOverrides | null>;
  /** Where the audit log's head is published (`audit_channel`), if anywhere. */
  auditChannel(): Promise<string | null>;
  toolCount(): Promise<number>;
  /** Replace the registry's settings and upsert its tools, atomically. */
  importRegistry(registry: Registry, options: ImportOptions): Promise<ImportSummary>;
  /**
   * Replaces one tool's entry and carries out what that does to its exceptions and requests, with
   * their audit entries, history and messages, in one transaction.
   */
  changeTool(tool: Tool, options: ToolChangeOptions): Promise<ToolChangeResult>;
  /** A tool's classification over time, oldest first. */
  toolHistory(toolId: string): Promise<HistoryEntry[]>;
  /** Whether a tool has any history to show (for the answer's History button). */
  hasToolHistory(toolId: string): Promise<boolean>;
  exportRegistry(): Promise<Registry>;
  ping(): Promise<boolean>;
  close(): void;
}

export type FileResult = { ok: true; request: ExceptionRequest } | { ok: false; refusal: RequestRefusal };
export type EndResult =
  { ok: true; request: ExceptionRequest } | { ok: false; refusal: EndRefusal | { kind: 'not_found' } };
export type StoredDecision = DecisionResult | { ok: false; refusal: { kind: 'not_found' } };
/** Decides, inside the filing transaction, whether the request may be filed given what the person has now. */
export type FilingCheck = (open: ExceptionRequest[], active: ExceptionRequest | null) => RequestRefusal | null;

/** Exception requests. Every state change is atomic with its audit entries and its outbox messages. */
export interface ExceptionStore {
  getRequest(id: number): Promise<ExceptionRequest | null>;
  /** Where a DM with a button was posted about a request, if it was. */
  requestDm(requestId: number, event: RefreshedDm): Promise<{ channel: string; ts: string } | null>;
  fileRequest(
    draft: RequestDraft,
    chain: readonly string[],
    check: FilingCheck,
    now: Date,
    answer?: AnswerToRefresh | null,
  ): Promise<FileResult>;
  decide(requestId: number, cmd: Omit<DecisionCommand, 'actorGroups'>, now: Date): Promise<StoredDecision>;
  decisionGroups(actor: string): Promise<Set<string>>;
  cancel(requestId: number, actor: string, now: Date): Promise<EndResult>;
  revoke(requestId: number, actor: string, reason: string, now: Date): Promise<EndResult>;
  isAdmin(user: string): Promise<boolean>;
  sweep(now: Date): Promise<SweepCounts>;
  activeException(user: string, toolId: string, now: Date): Promise<ActiveException | null>;
  /**
   * What an answer needs of the asker's own state for one tool: their active exception, and (only
   * when they hold none) their open request for it. As of the caller's last registrySnapshot(): an
   * answer takes one first, and this does not look for commits again (a backend may keep what it
   * read until that look sees a commit).
   */
  askerToolState(user: string, toolId: string, now: Date): Promise<AskerToolState>;
  openRequestsOf(user: string): Promise<ExceptionRequest[]>;
  activeExceptionsOf(user: string, now: Date): Promise<ExceptionRequest[]>;
  /** Pending requests at groups the person decides in at `now` (as a member or a delegate). */
  approvalQueueOf(user: string, now?: Date): Promise<ExceptionRequest[]>;
  listRequests(status: string | null, limit: number): Promise<ExceptionRequest[]>;
  recordEvent(t: Omit<Transition, 'request'>, now: Date): Promise<void>;
  /**
   * Records a review request and its post, unless `check` refuses it given the person's review
   * requests in the last hour and anyone's for the same name within the same-name window.
   */
  /** Takes a submitted view (by id and hash) for acting on; false when it was taken before. */
  claimViewSubmission(view: { id: string; hash: string }, user: string, now: Date): Promise<boolean>;
  /** Gives a claimed view back: it changed nothing and stays open (e.g. a field error to fix). */
  releaseViewSubmission(view: { id: string; hash: string }): Promise<void>;
  fileReviewRequest(
    event: Omit<Transition, 'request'>,
    who: { user: string; key: string; now: Date },
    check: (recent: { byPerson: number; forName: number }) => ReviewRefusal | null,
  ): Promise<ReviewRefusal | null>;
}

export type ReviewFiling =
  | { ok: true; review: ToolReview; joined: boolean; already: boolean }
  | { ok: false; refusal: Extract<ReviewRefusal, { kind: 'too_many' }> };
export type ReviewDecisionResult = { ok: true; review: ToolReview } | { ok: false; refusal: ReviewDecisionRefusal };

/** Review requests for tools not in the registry. Each change is atomic with its registry change, audit entries and messages. */
export interface ReviewStore {
  getToolReview(id: number): Promise<ToolReview | null>;
  /** Whether `user` may decide review requests (a member of the review group; without one, an admin). */
  isReviewer(user: string): Promise<boolean>;
  /**
   * Files a review request, or joins the open one for the same name (`key`); `already` when this
   * person had asked before (nothing changes). At most REVIEW_LIMITS.perPersonPerHour asks an hour.
   */
  fileToolReview(draft: ReviewFormValues & { user: string; key: string }, now: Date): Promise<ReviewFiling>;
  /** Decides an open review request; the actor is checked as a reviewer in the same transaction. */
  decideToolReview(id: number, actor: string, decision: ReviewDecision, now: Date): Promise<ReviewDecisionResult>;
}

export interface OutboxItem {
  id: number;
  lane: string;
  notice: Notice;
  attempts: number;
  createdAt: string;
  /** An earlier attempt may have reached Slack (its sender died, or Slack did not answer in time). */
  inDoubt: boolean;
}

/** Where a message that is later updated in place was posted: an approval message, or a DM with a button. */
export type DeliveredPost =
  | { reviewId: number; channel: string; ts: string }
  | { requestId: number; position: number; channel: string; ts: string }
  | { requestId: number; dm: RefreshedDm; channel: string; ts: string };

/**
 * Messages waiting to be sent. A worker claims due items (a lease with its owner id and an expiry,
 * so no two workers send the same one), sends them, and marks them; every mark gives the lease back.
 */
export interface OutboxStore {
  /** Due items, first in their lane, whoever holds them (for looking, not sending). */
  due(now: Date, limit: number): Promise<OutboxItem[]>;
  /**
   * Claims up to `limit` due items for `owner`, in one step: each is first in its lane and not
   * leased by anyone else (or their lease ran out), so a lane's messages still go out in order.
   * A lease taken over from an owner who never gave it back puts the item in doubt.
   */
  claim(owner: string, now: Date, leaseMs: number, limit: number): Promise<OutboxItem[]>;
  /** Marks a message sent; for an approval message, records where it was posted, in the same step. */
  markDelivered(id: number, now: Date, post?: DeliveredPost | null): Promise<void>;
  /** To be tried again at `at`; `inDoubt` when this attempt may have reached Slack (e.g. a timeout). */
  markRetry(id: number, at: Date, error: string, inDoubt?: boolean): Promise<void>;
  markFailed(id: number, now: Date, error: string): Promise<void>;
  /** Owners holding a lease that has not run out (to find those whose process is gone). */
  leaseHolders(now: Date): Promise<string[]>;
  /** Ends the leases of an owner known to be dead, so they are taken over at once. Returns how many. */
  endLeases(owner: string, now: Date): Promise<number>;
  /** Deletes delivered messages delivered before `before` (the audit log is not touched). Returns how many. */
  pruneDelivered(before: Date): Promise<number>;
  nextDueAt(): Promise<string | null>;
  pendingCount(): Promise<number>;
  /** Messages given up on, for an admin to look at and send again. */
  failedMessages(): Promise<
    Array<{ id: number; notice: Notice; attempts: number; lastError: string | null; failedAt: string }>
  >;
  /** Send given-up messages again (all of them, or these ids). Returns how many. */
  retryFailed(ids: readonly number[] | null, now: Date): Promise<number>;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  at: string;
  prevHash: string;
  hash: string;
  /** The rule the entry is hashed under: 1 the first one, 2 unkeyed, 3 keyed (HMAC). */
  scheme: number;
  keyId: string | null;
}

export type { AuditKeying, AuditVerification } from '../domain/audit.ts';

export interface AuditSnapshot {
  verification: AuditVerification;
  /** Which entries are under which rule, and which key this store writes with. */
  keying: AuditKeying;
  entries: AuditRecord[];
  /** Every exception request with its stages, as stored: to replay the log against. */
  requests: ExceptionRequest[];
}

/** Decides, inside the publishing transaction, whether to publish the head and what that writes. */
export type HeadPlan = (
  state: HeadState,
) => { publication: HeadPublication; audit: AuditEntry[]; notices: Notice[] } | null;

export interface AuditStore {
  auditEntries(since: string | null): Promise<AuditRecord[]>;
  auditFor(subjectType: string, subjectId: string): Promise<AuditRecord[]>;
  /** The hash chain and the stored head: every problem, not only the first. */
  verifyAudit(): Promise<AuditVerification>;
  /** Everything `audit verify` reads, from one snapshot of the database, so a write meanwhile is no "difference". */
  auditSnapshot(): Promise<AuditSnapshot>;
  /** Publishes the head if `plan` says so: its audit entry and message in one transaction. */
  publishAuditHead(plan: HeadPlan, now: Date): Promise<HeadPublication | null>;
}

/** Demand (issue 12): the /can-i-use query log, the report's rows, and periodic digests. */
export interface DemandStore {
  /**
   * Records a question without waiting for the database: kept in memory and written in batches
   * (soon after, and before the store closes or is read for a report), so an answer never waits on it.
   */
  logQuery(entry: QueryLogEntry): void;
  /** Writes the questions kept in memory now. Returns how many. */
  flushQueryLog(): Promise<number>;
  /** Deletes questions asked before `before`. Returns how many. */
  pruneQueryLog(before: Date): Promise<number>;
  /** The report's rows: questions and requests since `since`, exceptions ending between `now` and `expiringBy`. */
  reportRows(since: Date, now: Date, expiringBy: Date): Promise<ReportRows>;
  /**
   * Sends a periodic digest if `plan` says so, given when it was last sent: its messages and audit
   * entry with the record that it was sent, in one transaction. Returns how many messages it queued, or null if not due.
   */
  sendDigest(
    kind: string,
    plan: (lastSentAt: string | null) => { notices: StaleDigestNotice[] } | null,
    actor: string,
    now: Date,
  ): Promise<number | null>;
}

/** What Slack said about people (region rules), kept between answers. */
export interface DirectoryStore {
  cachedProfile(user: string): Promise<CachedProfile | null>;
  /**
   * Keeps a profile read from Slack and, in the same transaction, makes the changes `plan` says the
   * person's active exceptions need now (a transfer): their audit entries and messages with them.
   */
  saveProfile(
    profile: CachedProfile,
    plan: (active: ExceptionRequest[]) => Transition[],
    now: Date,
  ): Promise<Transition[]>;
  /** Remembers the workspace a person asked from, for `team` rules read without a request (events, CLI). */
  rememberTeam(user: string, teamId: string): Promise<void>;
  /** The workspace's custom profile field labels by id, as last read, and when. */
  fieldLabels(): Promise<{ labels: Record<string, string>; fetchedAt: string } | null>;
  saveFieldLabels(labels: Readonly<Record<string, string>>, now: Date): Promise<void>;
}

export type Store = RegistryStore &
  ExceptionStore &
  OutboxStore &
  AuditStore &
  DemandStore &
  DirectoryStore &
  ApproverStore &
  ReviewStore;

/**
 * Slack's directory, as the bot reads it for region rules (users.info, users.profile.get,
 * team.profile.get). Never throws: what did not answer in time is null.
 */
export interface SlackDirectory {
  person(
    user: string,
  ): Promise<{ userFacts: UserFacts | null; fieldValues: Record<string, string> | null; teamId: string | null }>;
  fieldLabels(): Promise<Record<string, string> | null>;
}

export interface DirectorySettings {
  /** Null: no Slack to ask (the CLI): the cache and the registry only. */
  slack: SlackDirectory | null;
  /** PROFILE_TTL_HOURS. */
  profileTtlHours: number;
  /** A profile read ended exceptions (a transfer): their messages are waiting in the outbox. */
  onStateChange?: () => void;
}

/** What may decide for an actor now: their groups, and by group whom they stand in for (approvers.ts). */
export interface DecisionAuthority {
  groups: Set<string>;
  standsInFor: Map<string, string[]>;
}

/** What the cache knows of a Slack user group: its id, handle, and when its members were last read (null: never). */
export interface UsergroupCacheState {
  id: string;
  handle: string | null;
  membersReadAt: string | null;
}

/**
 * Approver groups as they are now (registry lists and cached Slack user groups), absences, and the
 * user group cache behind them (migrations 015 and 016).
 */
export interface ApproverStore {
  /** One approver group with its members now and its backup group's. */
  groupNow(groupId: string): Promise<GroupNow | null>;
  approverGroupsNow(): Promise<GroupNow[]>;
  decisionAuthority(actor: string, now: Date): Promise<DecisionAuthority>;
  stageAvailability(groupId: string, now: Date): Promise<StageAvailability>;
  absenceOf(user: string): Promise<Absence | null>;
  /** Sets (or replaces) the person's absence, with its audit entry. */
  setAbsence(absence: Absence, now: Date): Promise<void>;
  /** Ends the person's absence, with its audit entry; false when there was none. */
  clearAbsence(user: string, now: Date): Promise<boolean>;
  /** The `usergroup` values of the registry's approver groups (S… ids and @handles). */
  usergroupRefs(): Promise<string[]>;
  /** The cached group an S… id or "@handle" names, if the cache knows it. */
  usergroupCache(ref: string): Promise<UsergroupCacheState | null>;
  /** Ids and handles from usergroups.list, so a handle finds its id. */
  saveUsergroupHandles(groups: ReadonlyArray<{ id: string; handle: string }>): Promise<void>;
  /** A group's members as usergroups.users.list gave them, read at `now`. */
  saveUsergroupMembers(id: string, users: readonly string[], now: Date): Promise<void>;
  /** Who subteam_members_changed says joined and left, for when the members cannot be read again. */
  applyUsergroupChange(id: string, change: { added: readonly string[]; removed: readonly string[] }): Promise<void>;
}

/** Slack's user groups, as the bot reads them (usergroups:read): the Slack side of the membership cache. */
export interface UsergroupSource {
  list(): Promise<Array<{ id: string; handle: string }>>;
  members(id: string): Promise<string[]>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Everything a use case may touch, handed in rather than reached for. */
export interface ServiceContext {
  store: Store;
  clock: Clock;
  defaultRegion: string;
  /** Delivered outbox messages are deleted after this many days (the sweep does it). */
  outboxKeepDays: number;
  /** /can-i-use questions are deleted after this many days (the sweep does it); default 90. */
  queryLogDays?: number;
  /** A tool whose review and facts are both older than this is stale (report, weekly digest); default 365. */
  reviewMaxAgeDays?: number;
  /** Where people's profiles come from for region rules; absent: the cache only, read as fresh. */
  directory?: DirectorySettings;
  /** Slack's user groups, where the bot can read them (not in the CLI): refreshes the membership cache. */
  usergroups?: UsergroupSource | null;
  /** The membership cache is read again from Slack when older than this (USERGROUP_TTL_MINUTES). */
  usergroupTtlMs?: number;
  /** Where the use cases say what went wrong on the way (Slack unreachable); the console by default. */
  log?: { warn(line: string): void };
}
