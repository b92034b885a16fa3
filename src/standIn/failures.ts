/**
 * Failure injection, so tests can see how the bot copes with Slack failing: failNext makes the
 * next requests fail once each, setDown makes every request answer 503 until it is lifted.
 * Injected failures answer before anything else and change no state.
 */
import { emit } from './changes.ts';
import type { ApiReply } from './replies.ts';
import type { StandInState } from './state.ts';
import type { Failure } from './types.ts';

/** The next `count` requests (to `methods`, if given) fail with `failure`. */
export function failNext(state: StandInState, count: number, failure: Failure, methods?: readonly string[]): void {
  if (count > 0) state.failRules.push({ remaining: count, failure, ...(methods ? { methods: [...methods] } : {}) });
}

export function setDown(state: StandInState, down: boolean): void {
  state.down = down;
  emit(state, { kind: 'down', down });
}

/** The reply for a request to `method` (`response_url` for response URLs) when a failure is due, else undefined. */
export function injectedFailure(state: StandInState, method: string): ApiReply | undefined {
  if (state.down) return failureReply({ status: 503 });
  const failure = takeFailure(state, method);
  return failure ? failureReply(failure) : undefined;
}

/** Uses up one failure of the first rule that applies to `method`. */
function takeFailure(state: StandInState, method: string): Failure | undefined {
  const rule = state.failRules.find((r) => r.remaining > 0 && (!r.methods || r.methods.includes(method)));
  if (!rule) return undefined;
  rule.remaining -= 1;
  state.failRules = state.failRules.filter((r) => r.remaining > 0);
  return rule.failure;
}

/** What Slack answers for each failure: a Slack error with HTTP 200, or an HTTP error (429 with retry-after). */
function failureReply(failure: Failure): ApiReply {
  if ('error' in failure) return { status: 200, body: { ok: false, error: failure.error } };
  if (failure.status === 429) {
    return {
      status: 429,
      body: { ok: false, error: 'ratelimited' },
      headers: { 'retry-after': String(failure.retryAfter) },
    };
  }
  return {
    status: failure.status,
    body: { ok: false, error: failure.status === 503 ? 'service_unavailable' : 'internal_error' },
  };
}
