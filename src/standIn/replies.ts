/**
 * What the stand-in answers. A Web API method refuses by throwing a SlackError; the dispatcher
 * turns it into Slack's `{ ok: false, error }` reply.
 */
import type { JsonObject } from './blocks.ts';

/** An HTTP answer before it is written: status, JSON body, extra headers (retry-after). */
export interface ApiReply {
  status: number;
  body: JsonObject;
  headers?: Record<string, string>;
}

/** A Slack error code (`channel_not_found`) plus any fields Slack sends along with it. */
export class SlackError extends Error {
  constructor(
    readonly code: string,
    readonly extra: JsonObject = {},
  ) {
    super(code);
  }
}

/** A SlackError carrying `response_metadata.messages`, as Slack explains invalid arguments and blocks. */
export function invalid(code: string, problems: string[]): SlackError {
  return new SlackError(code, { response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
}

/** Slack answers refusals with HTTP 200 and `ok: false`. */
export function errorReply(error: SlackError): ApiReply {
  return { status: 200, body: { ok: false, error: error.code, ...error.extra } };
}
