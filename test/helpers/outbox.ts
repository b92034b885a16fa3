// What the outbox worker tests share: a quiet logger, the system clock and a request draft.
import type { RequestDraft } from '../../src/domain/exceptions.ts';
import { silentLogger } from '../standIn/silentLogger.ts';

export const quiet = silentLogger();
export const clock = { now: () => new Date() };

/** A request for Cursor (one approval stage), as the store files it. */
export const draftFor = (requester = 'U0BOB'): RequestDraft => ({
  toolId: 'cursor',
  requester,
  region: 'global',
  department: null,
  justification: 'Needed for the open-source SDK work, nothing confidential.',
  usage: 'github.com/acme/sdk',
  dataClass: 'internal',
  durationDays: 30,
  renewalOf: null,
});
