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
  SweepCounts,
  Transition,
} from '../domain/exceptions.ts';
import type { ReviewRefusal } from '../domain/review.ts';
import type { ToolImpact } from '../domain/reclassification.ts';
import type { HistoryEntry } from '../domain/toolHistory.ts';
import type { AuditKeying, AuditVerification, HeadPublication, HeadState } from '../domain/audit.ts';
import type { KeyHit } from '../domain/match.ts';
import type { ActiveException } from '../domain/verdict.ts';
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
  openRequestsOf(user: string): Promise<ExceptionRequest[]>;
  activeExceptionsOf(user: string, now: Date): Promise<ExceptionRequest[]>;
  approvalQueueOf(user: string): Promise<ExceptionRequest[]>;
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

export type Store = RegistryStore & ExceptionStore & OutboxStore & AuditStore;

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
}
