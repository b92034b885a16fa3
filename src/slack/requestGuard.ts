// The door in front of Bolt's receiver, for requests to /slack/events. Before anything is parsed:
// the body is capped (413 without buffering the rest), and the v0 signature and its timestamp
// (within 5 minutes either way) are checked. After: a body the bot cannot use is answered 200 with
// nothing done. Only then does Bolt see the request, already buffered.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '@slack/bolt';
import { readSlackBody, unusablePayload } from './payloads.ts';

/** Slack's own payloads are a few kilobytes; the largest (a full modal's state) stays well under this. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** How far a signature's timestamp may be from now, either way, before the request counts as a replay. */
export const MAX_TIMESTAMP_SKEW_SECONDS = 5 * 60;

export interface GuardOptions {
  signingSecret: string;
  logger: Logger;
  endpoint?: string;
  bodyLimit?: number;
  now?: () => number;
}

type Refusal = { status: 400 | 401 | 413; reason: string };

/** After a 413, how long the connection stays half-closed (nothing more read) before it is destroyed. */
const LINGER_MS = 2000;

function answer(res: ServerResponse, status: number, body = ''): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Reads the body up to `limit` bytes; past that, stops reading and resolves null. */
function readCapped(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/** The v0 scheme: `v0=` + HMAC-SHA256(secret, `v0:<timestamp>:<body>`), compared in constant time. */
export function signatureProblem(req: IncomingMessage, body: Buffer, options: GuardOptions): Refusal | null {
  const signature = header(req, 'x-slack-signature');
  const timestamp = header(req, 'x-slack-request-timestamp');
  if (!signature || !timestamp) return { status: 401, reason: 'unsigned' };
  const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  const now = Math.floor((options.now ?? Date.now)() / 1000);
  if (!Number.isFinite(seconds) || Math.abs(now - seconds) > MAX_TIMESTAMP_SKEW_SECONDS) {
    return { status: 401, reason: 'timestamp more than 5 minutes away' };
  }
  const expected = `v0=${createHmac('sha256', options.signingSecret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
  const given = Buffer.from(signature);
  const wanted = Buffer.from(expected);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
    return { status: 401, reason: 'bad signature' };
  return null;
}

/** Slack's ssl_check (unsigned, form `ssl_check=1`): answered here, with nothing read beyond it. */
const isSslCheck = (req: IncomingMessage, body: Buffer) =>
  (header(req, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded') &&
  new URLSearchParams(body.toString('utf8')).get('ssl_check') === '1';

export function guardSlackRequests(bolt: RequestListener, options: GuardOptions): RequestListener {
  const endpoint = options.endpoint ?? '/slack/events';
  const limit = options.bodyLimit ?? BODY_LIMIT_BYTES;
  const tooLarge = (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('connection', 'close');
    // The connection ends with the answer, and what is still coming is never read. Destroying it at
    // once, with the client's data unread, makes the kernel reset it, and a reset can reach the
    // client before the answer; Node ends a `connection: close` answer with destroySoon(), which
    // does just that once the answer is written. So this socket only half-closes then, and is
    // destroyed after a grace period, in which the client (stalled on a full buffer) reads it.
    const { socket } = req;
    socket.destroySoon = () => void socket.end();
    answer(res, 413, `Request body over ${limit} bytes\n`);
    res.once('finish', () => {
      const timer = setTimeout(() => req.destroy(), LINGER_MS);
      timer.unref();
      req.socket.once('close', () => clearTimeout(timer));
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const declared = Number(header(req, 'content-length') ?? '0');
    if (declared > limit) return tooLarge(req, res);
    const body = await readCapped(req, limit);
    if (body === null) return tooLarge(req, res);
    const refusal = signatureProblem(req, body, options);
    // Slack's ssl_check comes unsigned; a signed one is answered the same, below. Only a body that
    // failed the signature is parsed to look for it, so a signed one is parsed once.
    if (refusal && isSslCheck(req, body)) return answer(res, 200);
    if (refusal) {
      options.logger.debug(`refused a request to ${endpoint}: ${refusal.reason}`);
      return answer(res, refusal.status);
    }
    let parsed: unknown;
    try {
      const read = readSlackBody(body.toString('utf8'), header(req, 'content-type'));
      if (read.sslCheck) return answer(res, 200);
      parsed = read.body;
    } catch {
      parsed = undefined;
    }
    const unusable = parsed === undefined ? 'the body does not parse' : unusablePayload(parsed);
    if (unusable) {
      options.logger.warn(`ignored a signed request the bot cannot use (${unusable}); answered 200`);
      return answer(res, 200);
    }
    // Bolt reads a body that is already buffered from `rawBody`, and checks the signature again.
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
    passOn(req, res);
  };

  // Bolt's listener throws for a path it has no route for: that is a 404, not a crash.
  const passOn = (req: IncomingMessage, res: ServerResponse) => {
    try {
      void bolt(req, res);
    } catch {
      answer(res, 404);
    }
  };

  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://toolgate').pathname;
    if (req.method !== 'POST' || path !== endpoint) return passOn(req, res);
    handle(req, res).catch((error: unknown) => {
      options.logger.error(
        `request to ${endpoint} failed before Bolt: ${error instanceof Error ? error.message : String(error)}`,
      );
      answer(res, 400);
    });
  };
}
