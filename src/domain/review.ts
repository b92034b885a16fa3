// Asking for a review of a tool that is not in the registry. One click is one post to the review
// channel, so clicks are limited: per person, and per name (after the same normalisation as
// matching, so "Some Tool" and "some-tool" are one name).
import type { AuditEntry, Notice } from './exceptions.ts';
import { normalizeKey } from './match.ts';
import { cleanUserText, cutText } from './text.ts';

export const REVIEW_LIMITS = {
  /** Review requests one person may make in an hour. */
  perPersonPerHour: 5,
  /** A name asked about is not posted again for this long; the review channel already has it. */
  sameNameHours: 24,
  /** The longest name kept. */
  maxQuery: 200,
} as const;

export type ReviewRefusal =
  | { kind: 'no_review_channel' }
  | { kind: 'empty' }
  | { kind: 'too_many'; max: number }
  | { kind: 'already_asked'; query: string };

/** What was asked about, as it is kept and shown, and the key that says whether two asks are one. */
export function reviewSubject(rawQuery: string): { query: string; key: string } {
  const query = cutText(cleanUserText(rawQuery).trim().replace(/\s+/g, ' '), REVIEW_LIMITS.maxQuery);
  return { query, key: normalizeKey(query) };
}

/** Whether this ask may go to the review channel, given what was asked recently. */
export function reviewRefusal(recent: { byPerson: number; forName: number }, query: string): ReviewRefusal | null {
  if (recent.byPerson >= REVIEW_LIMITS.perPersonPerHour)
    return { kind: 'too_many', max: REVIEW_LIMITS.perPersonPerHour };
  if (recent.forName > 0) return { kind: 'already_asked', query };
  return null;
}

export const REVIEW_ACTION = 'tool.review_requested';

/** The audit entry and the post of one review request. */
export function reviewRequested(
  user: string,
  subject: { query: string; key: string },
  channel: string,
): { audit: AuditEntry[]; notices: Notice[] } {
  return {
    audit: [
      {
        actor: user,
        action: REVIEW_ACTION,
        subjectType: 'tool',
        subjectId: subject.key,
        before: null,
        after: { query: subject.query },
      },
    ],
    notices: [{ kind: 'review_request', channel, user, query: subject.query }],
  };
}
