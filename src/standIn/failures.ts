/**
 * Failure injection, so tests can see how the bot copes with Slack failing: failNext makes the
 * next requests fail once each, setDown makes every request answer 503 until it is lifted.
 * Injected failures answer before anything else and change no state. Slowness is the other
 * kind: setLatency and slowNext delay answers after Slack has acted (a post is in the channel
 * before the bot hears it was taken, or after it stopped waiting).
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

/** Every answer (to `methods`, if given) takes `ms` more, after the request has had its effect; 0 lifts it. */
export function setLatency(state: StandInState, ms: number, methods?: readonly string[]): void {
  state.latency =
    ms > 0 ? { remaining: Number.POSITIVE_INFINITY, ms, ...(methods ? { methods: [...methods] } : {}) } : null;
}

/** The next `count` answers (to `methods`, if given) take `ms`, after the request has had its effect. */
export function slowNext(state: StandInState, count: number, ms: number, methods?: readonly string[]): void {
  if (count > 0) state.slowRules.push({ remaining: count, ms, ...(methods ? { methods: [...methods] } : {}) });
}

/** How long to hold the answer to a request to `method` (using up one slowNext), in ms. */
export function answerDelay(state: StandInState, method: string): number {
  const applies = (r: { methods?: readonly string[] }) => !r.methods || r.methods.includes(method);
  const rule = state.slowRules.find((r) => r.remaining > 0 && applies(r));
  if (rule) {
    rule.remaining -= 1;
    state.slowRules = state.slowRules.filter((r) => r.remaining > 0);
    return rule.ms;
  }
  return state.latency && applies(state.latency) ? state.latency.ms : 0;
}
