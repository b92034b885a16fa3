/**
 * The stand-in's HTTP side: decoding requests the way Slack's API servers do (form-encoded or
 * JSON bodies, query strings, JSON-encoded `blocks`/`view` fields, Bearer tokens), routing them
 * to the Web API or to a response URL, recording each call, and writing the answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { nonEmpty } from './args.ts';
import { isRecord, type JsonObject } from './blocks.ts';
import { emit } from './changes.ts';
import { answerDelay, injectedFailure } from './failures.ts';
import { SlackError, type ApiReply } from './replies.ts';
import { postToResponseUrl } from './responseUrls.ts';
import type { StandInState } from './state.ts';
import type { ApiCall } from './types.ts';
import { callWebApi } from './webApi.ts';

/** Starts the HTTP server on `host:port` (0: any free port) and resolves once it listens. */
export async function startHttpServer(state: StandInState, host: string, port: number): Promise<Server> {
  const server: Server = createServer((req, res) => {
    handleRequest(state, host, req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: 'internal_error', detail: String(error) }));
      } else {
        res.end();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

async function handleRequest(
  state: StandInState,
  host: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  if (!isLocalRequest(req, host)) {
    res.writeHead(403, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ ok: false, error: 'forbidden' }));
    return;
  }
  const raw = await readBody(req);
  let args: JsonObject;
  try {
    args = parseBody(raw, req.headers['content-type']);
    for (const [k, v] of url.searchParams) if (!(k in args)) args[k] = v;
    args = decodeNested(args);
  } catch (error) {
    const code = error instanceof SlackError ? error.code : 'invalid_json';
    const extra = error instanceof SlackError ? error.extra : {};
    send(res, { status: 200, body: { ok: false, error: code, ...extra } });
    return;
  }
  const routed = route(state, req, url, args);
  if (!routed) {
    send(res, { status: 404, body: { ok: false, error: 'not_found' } });
    return;
  }
  const { reply, call } = routed;
  const delay = answerDelay(state, call.method);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  const ok = reply.body.ok === true;
  const error = typeof reply.body.error === 'string' ? reply.body.error : undefined;
  recordCall(state, {
    ...call,
    status: reply.status,
    at: Date.now(),
    ok,
    ...(error ? { error } : {}),
    response: reply.body,
  });
  send(res, reply);
}

/** Only the bot, on this machine, talks to the stand-in: no browser preflights, no foreign Host (DNS rebinding). */
/**
 * Only programs on this machine talk to the stand-in (the bot, tests): never a web page. A browser
 * marks every request a page makes with Origin or Sec-Fetch-Site; Node's fetch sends neither.
 */
function isLocalRequest(req: IncomingMessage, host: string): boolean {
  const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const fromBrowser = req.headers.origin !== undefined || req.headers['sec-fetch-site'] !== undefined;
  return req.method !== 'OPTIONS' && !fromBrowser && ['127.0.0.1', 'localhost', '::1', host].includes(hostHeader);
}

/**
 * `/api/<method>` goes to the Web API, a POST to `/response/<id>` to that response URL; either
 * may first meet an injected failure. Anything else is not found (undefined).
 */
function route(
  state: StandInState,
  req: IncomingMessage,
  url: URL,
  args: JsonObject,
): { reply: ApiReply; call: Omit<ApiCall, 'status' | 'at' | 'ok' | 'response'> } | undefined {
  const apiMatch = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
  const responseMatch = /^\/response\/([^/]+)$/.exec(url.pathname);
  if (apiMatch?.[1]) {
    const method = apiMatch[1];
    const token = tokenOf(req, args);
    const reply = injectedFailure(state, method) ?? callWebApi(state, method, args, token);
    return { reply, call: { method, args, token } };
  }
  if (responseMatch?.[1] && req.method === 'POST') {
    const id = responseMatch[1];
    const reply = injectedFailure(state, 'response_url') ?? postToResponseUrl(state, id, args);
    return { reply, call: { method: 'response_url', args, token: undefined, responseUrlId: id } };
  }
  return undefined;
}

function recordCall(state: StandInState, call: ApiCall): void {
  state.calls.push(call);
  emit(state, { kind: 'call', call });
}

function send(res: ServerResponse, reply: ApiReply): void {
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    ...reply.headers,
  });
  res.end(JSON.stringify(reply.body));
}

/** The token from `Authorization: Bearer`, else the `token` argument. */
function tokenOf(req: IncomingMessage, args: JsonObject): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
  return nonEmpty(args.token);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string, contentType: string | undefined): JsonObject {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.trim() === '') return {};
  if (type === 'application/json' || (type === '' && raw.trim().startsWith('{'))) {
    const parsed: unknown = JSON.parse(raw);
    if (!isRecord(parsed)) throw new SlackError('invalid_json');
    return parsed;
  }
  const out: JsonObject = {};
  for (const [k, v] of new URLSearchParams(raw)) out[k] = v;
  // Interactive-style `payload=<json>` bodies (not used by the Web API, but harmless to accept).
  if (typeof out.payload === 'string' && Object.keys(out).length === 1) {
    try {
      const parsed: unknown = JSON.parse(out.payload);
      if (isRecord(parsed)) return parsed;
    } catch {
      /* keep as form */
    }
  }
  return out;
}

/** Fields Slack accepts JSON-encoded inside a form body. */
const NESTED_JSON_FIELDS = new Set(['blocks', 'view', 'attachments', 'metadata', 'users']);

/** Decodes the JSON-encoded fields, with the error Slack answers when one is not valid JSON. */
function decodeNested(args: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(args)) {
    if (NESTED_JSON_FIELDS.has(key) && typeof value === 'string') {
      const trimmed = value.trim();
      if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
        try {
          args[key] = JSON.parse(trimmed) as unknown;
        } catch {
          throw new SlackError(key === 'blocks' ? 'invalid_blocks_format' : 'invalid_arguments', {
            response_metadata: { messages: [`[ERROR] ${key} is not valid JSON`] },
          });
        }
      }
    }
  }
  return args;
}
