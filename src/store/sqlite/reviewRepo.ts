// Review requests for tools not in the registry: filing (a new request or joining the open one for
// the same name) and deciding (classify, same as, reject), each one transaction with the registry
// change, its audit entries and its outbox messages.
import { z } from 'zod';
import { DATA_CLASSES } from '../../domain/exceptions.ts';
import {
  REVIEW_ACTION,
  REVIEW_JOINED_ACTION,
  REVIEW_LIMITS,
  REVIEW_STATUSES,
  reviewAsked,
  reviewDecided,
  type ReviewAsker,
  type ToolReview,
} from '../../domain/review.ts';
import type { ReviewStore } from '../../service/ports.ts';
import type { AuditRepo } from './auditRepo.ts';
import { writeTransaction, type Db } from './db.ts';
import type { OutboxRepo } from './outboxRepo.ts';
import type { RegistryRepo } from './registryRepo.ts';

interface ReviewRow {
  id: number;
  name_key: string;
  name: string;
  vendor: string;
  status: string;
  created_at: string;
  decided_at: string | null;
  decided_by: string | null;
  tool_id: string | null;
  reason: string | null;
  message_channel: string | null;
  message_ts: string | null;
}
interface AskerRow {
  user_id: string;
  usage: string;
  data_class: string;
  asked_at: string;
}

const statusSchema = z.enum(REVIEW_STATUSES);
const dataClassSchema = z.enum(DATA_CLASSES);

export function reviewRepo(
  db: Db,
  audit: AuditRepo,
  outbox: OutboxRepo,
  registry: Pick<RegistryRepo, 'writeToolSync' | 'recountSync'>,
) {
  const s = {
    byId: db.prepare<[number], ReviewRow>('SELECT * FROM tool_reviews WHERE id = ?'),
    openByKey: db.prepare<[string], ReviewRow>("SELECT * FROM tool_reviews WHERE name_key = ? AND status = 'open'"),
    askers: db.prepare<[number], AskerRow>(
      'SELECT user_id, usage, data_class, asked_at FROM tool_review_askers WHERE review_id = ? ORDER BY asked_at, user_id',
    ),
    insert: db.prepare<[string, string, string, string], { id: number }>(
      "INSERT INTO tool_reviews (name_key, name, vendor, status, created_at) VALUES (?, ?, ?, 'open', ?) RETURNING id",
    ),
    insertAsker: db.prepare<[number, string, string, string, string]>(
      'INSERT INTO tool_review_askers (review_id, user_id, usage, data_class, asked_at) VALUES (?, ?, ?, ?, ?)',
    ),
    asksByPerson: db.prepare<[string, string, string, string], { n: number }>(
      'SELECT COUNT(*) AS n FROM audit_log WHERE actor = ? AND action IN (?, ?) AND at >= ?',
    ),
    decide: db.prepare<{
      id: number;
      status: string;
      at: string;
      by: string;
      toolId: string | null;
      reason: string | null;
    }>(
      "UPDATE tool_reviews SET status = :status, decided_at = :at, decided_by = :by, tool_id = :toolId, reason = :reason WHERE id = :id AND status = 'open'",
    ),
    recordPost: db.prepare<[string, string, number]>(
      'UPDATE tool_reviews SET message_channel = ?, message_ts = ? WHERE id = ?',
    ),
    setting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
    member: db.prepare<[string, string], { n: number }>(
      'SELECT COUNT(*) AS n FROM approver_group_members WHERE group_id = ? AND user_id = ?',
    ),
    admin: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM admins WHERE user_id = ?'),
    toolExists: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM tools WHERE id = ?'),
  };

  const load = (id: number): ToolReview | null => {
    const r = s.byId.get(id);
    if (!r) return null;
    return {
      id: r.id,
      key: r.name_key,
      name: r.name,
      vendor: r.vendor,
      status: statusSchema.parse(r.status),
      createdAt: r.created_at,
      decidedAt: r.decided_at,
      decidedBy: r.decided_by,
      toolId: r.tool_id,
      reason: r.reason,
      messageChannel: r.message_channel,
      messageTs: r.message_ts,
      askers: s.askers.all(id).map((a): ReviewAsker => ({
        user: a.user_id,
        usage: a.usage,
        dataClass: dataClassSchema.parse(a.data_class),
        askedAt: a.asked_at,
      })),
    };
  };

  /** Members of the review group decide; where the registry names none, the admins. Read in the deciding transaction. */
  const isReviewerSync = (user: string): boolean => {
    const group = s.setting.get('review_group')?.value;
    return group ? (s.member.get(group, user)?.n ?? 0) > 0 : (s.admin.get(user)?.n ?? 0) > 0;
  };

  const store: ReviewStore & { recordReviewPostSync: (reviewId: number, channel: string, ts: string) => void } = {
    async getToolReview(id) {
      return load(id);
    },
    async isReviewer(user) {
      return isReviewerSync(user);
    },
    async fileToolReview(draft, now) {
      const hourAgo = new Date(now.getTime() - 3_600_000).toISOString();
      return writeTransaction(db, () => {
        const open = s.openByKey.get(draft.key);
        const existing = open ? load(open.id) : null;
        if (existing?.askers.some((a) => a.user === draft.user))
          return { ok: true as const, review: existing, joined: true, already: true };
        const recent = s.asksByPerson.get(draft.user, REVIEW_ACTION, REVIEW_JOINED_ACTION, hourAgo)?.n ?? 0;
        if (recent >= REVIEW_LIMITS.perPersonPerHour)
          return { ok: false as const, refusal: { kind: 'too_many' as const, max: REVIEW_LIMITS.perPersonPerHour } };
        const at = now.toISOString();
        const id = existing?.id ?? (s.insert.get(draft.key, draft.name, draft.vendor, at) as { id: number }).id;
        const asker: ReviewAsker = { user: draft.user, usage: draft.usage, dataClass: draft.dataClass, askedAt: at };
        s.insertAsker.run(id, asker.user, asker.usage, asker.dataClass, at);
        const t = reviewAsked(
          existing ?? { id, key: draft.key, name: draft.name, vendor: draft.vendor },
          asker,
          !!existing,
        );
        for (const entry of t.audit) audit.append(entry, now);
        outbox.enqueue(t.notices, now);
        return { ok: true as const, review: load(id) as ToolReview, joined: !!existing, already: false };
      });
    },
    async decideToolReview(id, actor, decision, now) {
      return writeTransaction(db, () => {
        const review = load(id);
        if (!review) return { ok: false as const, refusal: { kind: 'not_found' as const } };
        // Checked here, in the transaction that decides: what a button or a modal carried is not trusted.
        if (!isReviewerSync(actor)) return { ok: false as const, refusal: { kind: 'not_reviewer' as const } };
        if (review.status !== 'open')
          return {
            ok: false as const,
            refusal: { kind: 'decided' as const, status: review.status, by: review.decidedBy, toolId: review.toolId },
          };
        if (decision.kind === 'classify') {
          if ((s.toolExists.get(decision.tool.id)?.n ?? 0) > 0)
            return { ok: false as const, refusal: { kind: 'id_taken' as const, id: decision.tool.id } };
          registry.writeToolSync(decision.tool, now, false);
          registry.recountSync();
        }
        if (decision.kind === 'same_as') {
          if ((s.toolExists.get(decision.tool.id)?.n ?? 0) === 0)
            return { ok: false as const, refusal: { kind: 'unknown_tool' as const } };
          registry.writeToolSync(decision.tool, now, true);
        }
        const t = reviewDecided(review, decision, actor);
        s.decide.run({ id, status: t.status, at: now.toISOString(), by: actor, toolId: t.toolId, reason: t.reason });
        for (const entry of t.audit) audit.append(entry, now);
        outbox.enqueue(t.notices, now);
        return { ok: true as const, review: load(id) as ToolReview };
      });
    },
    /** Where a review request's post is; part of marking its outbox row delivered. */
    recordReviewPostSync: (reviewId, channel, ts) => {
      s.recordPost.run(channel, ts, reviewId);
    },
  };
  return store;
}
