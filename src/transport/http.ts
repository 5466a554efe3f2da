import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { networkError } from './network-error.js';
import { backoffDelay, isRetryableError, isRetryableStatus, parseRetryAfter, type RetryPolicy } from './retry.js';
import { redactUrl } from './redact.js';
import { RegctlError } from '../errors.js';
import { raced } from '../util/signals.js';
import { checkRedirect } from './url-safety.js';
import { abortableSleep, type Timeouts } from './timeouts.js';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: Method;
  url: URL;
  headers?: Record<string, string>;
  /** A replayable body (string or Buffer) or a stream (never retried). */
  body?: string | Buffer | Readable;
  /** Follow redirects (default: for GET and HEAD). */
  followRedirects?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  /** The URL that answered, after redirects. */
  url: URL;
}

export interface HttpContext {
  dispatcher: Dispatcher;
  retry: RetryPolicy;
  userAgent: string;
  debug?: (line: string) => void;
  /** Headers and idle-body timeouts per request (the connect timeout lives in the dispatcher). */
  timeouts?: Pick<Timeouts, 'headersMs' | 'idleMs'>;
  /** Aborted when the call is cancelled or its time limit runs out; the reason is what fails. */
  signal?: AbortSignal;
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Sends one request. Idempotent requests with a replayable body are retried on connection resets, 408, 429
 * and 5xx (honouring Retry-After). Redirects are followed for GET/HEAD; `Authorization` is dropped as soon as
 * a redirect leaves the original origin.
 */
export async function send(ctx: HttpContext, req: HttpRequest): Promise<HttpResponse> {
  const idempotent = req.method === 'GET' || req.method === 'HEAD' || req.method === 'PUT' || req.method === 'DELETE';
  const replayable = req.body === undefined || typeof req.body === 'string' || Buffer.isBuffer(req.body);
  const canRetry = idempotent && replayable;
  const follow = req.followRedirects ?? (req.method === 'GET' || req.method === 'HEAD');
  const origin = req.url.origin;
  let url = req.url;
  let headers: Record<string, string> = { 'user-agent': ctx.userAgent, ...req.headers };
  let redirects = 0;
  const signal = ctx.signal;
  const timeouts = ctx.timeouts ? { headersTimeout: ctx.timeouts.headersMs, bodyTimeout: ctx.timeouts.idleMs } : {};
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw signal.reason;
    let res: Dispatcher.ResponseData;
    try {
      // A connection that just finished a response is told it is free one turn of the event loop later: without
      // this wait, a request sent at once (the next of a sequence) finds every connection busy and opens another.
      await new Promise<void>((resolve) => setImmediate(resolve));
      // The dispatcher's own request() (what undici's top-level request() calls), so this module needs no undici.
      // undici heeds the signal once the request has a connection: until then (a connection being made) the race does.
      // A HEAD keeps its connection (undici closes it by default, in case a server sends a body anyway): a registry
      // answers HEAD as the protocol says, and a digest or existence check is a HEAD, often thousands in a row.
      res = await raced(ctx.dispatcher.request({
        origin: url.origin, path: url.pathname + url.search, method: req.method, headers, body: req.body, ...timeouts, ...(signal ? { signal } : {}),
        ...(req.method === 'HEAD' ? { reset: false } : {}),
      }), signal, (late) => late.body.destroy());
    } catch (err) {
      if (err instanceof RegctlError) throw err; // raised by the request body (e.g. a digest check), not the network
      if (signal?.aborted) throw signal.reason;
      ctx.debug?.(`${req.method} ${redactUrl(url)} failed: ${(err as Error).message}`);
      if (canRetry && attempt < ctx.retry.attempts && isRetryableError(err)) {
        await abortableSleep(backoffDelay(ctx.retry, attempt), signal);
        continue;
      }
      throw networkError(err, url);
    }
    ctx.debug?.(`${req.method} ${redactUrl(url)} -> ${res.statusCode}`);
    if (follow && REDIRECTS.has(res.statusCode) && res.headers.location && redirects < MAX_REDIRECTS) {
      await res.body.dump();
      redirects++;
      attempt--; // a redirect is not a failed attempt
      const from = url;
      url = new URL(String(res.headers.location), url);
      checkRedirect(url, from);
      if (url.origin !== origin) headers = withoutAuthorization(headers);
      continue;
    }
    if (canRetry && attempt < ctx.retry.attempts && isRetryableStatus(res.statusCode)) {
      const delay = parseRetryAfter(res.headers['retry-after'], ctx.retry) ?? backoffDelay(ctx.retry, attempt);
      await res.body.dump();
      ctx.debug?.(`retrying in ${delay} ms`);
      await abortableSleep(delay, signal);
      continue;
    }
    return { status: res.statusCode, headers: res.headers, body: res.body, url };
  }
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() !== 'authorization') out[k] = v;
  return out;
}

export function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
