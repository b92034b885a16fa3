/**
 * Trigger ids: Slack hands one out with every interaction, and views.open/push accept each once
 * (and, when triggerTtlMs is set, only while fresh). The trigger remembers whose modal it opens.
 */
import { nextTriggerId } from './ids.ts';
import { SlackError, invalid } from './replies.ts';
import type { StandInState, Trigger } from './state.ts';

/** A fresh trigger id, bound to `user`. */
export function newTriggerId(state: StandInState, user: string): string {
  const id = nextTriggerId(state.ids);
  state.triggers.set(id, { user, createdAt: Date.now(), used: false });
  return id;
}

/** Uses up a trigger id, or throws the error Slack answers for a missing, used or expired one. */
export function takeTrigger(state: StandInState, triggerId: string | undefined): Trigger {
  if (!triggerId) throw invalid('invalid_arguments', ['trigger_id is required']);
  const trigger = state.triggers.get(triggerId);
  if (!trigger) throw new SlackError('invalid_trigger_id');
  if (trigger.used) throw new SlackError('exchanged_trigger_id');
  const ttl = state.options.triggerTtlMs;
  if (ttl !== undefined && Date.now() - trigger.createdAt > ttl) {
    throw new SlackError('expired_trigger_id');
  }
  trigger.used = true;
  return trigger;
}
