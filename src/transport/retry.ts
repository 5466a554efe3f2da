/** Retry policy for idempotent requests: connection resets, 408, 429 and 5xx, with backoff, jitter and Retry-After. */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  /** First backoff delay; doubles each retry. */
  baseDelayMs: number;
  /** Cap for the computed backoff. */
  maxDelayMs: number;
  /** Cap for a server's Retry-After. */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 };

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
// Not a connect timeout: a host that made no connection in the connect timeout (TCP retransmits included) is not
// coming back in a second, and five more waits would keep a black hole's caller for minutes.
const RETRY_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'EAI_AGAIN']);

export const isRetryableStatus = (status: number): boolean => RETRY_STATUS.has(status);

export function isRetryableError(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  return code !== undefined && RETRY_CODES.has(code);
}

/** Exponential backoff with ±25% jitter. `retry` counts from 1. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(raw * (0.75 + random() * 0.5));
}

/** Parses Retry-After (delta seconds or an HTTP date) into milliseconds, capped; undefined when absent or invalid. */
export function parseRetryAfter(value: string | string[] | undefined, policy: RetryPolicy, now: number = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  const t = v.trim();
  let ms: number;
  if (/^\d+$/.test(t)) ms = Number(t) * 1000;
  else {
    const date = Date.parse(t);
    if (Number.isNaN(date)) return undefined;
    ms = Math.max(0, date - now);
  }
  return Math.min(ms, policy.maxRetryAfterMs);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
