/**
 * Docker Hub's rate-limit headers (docs.docker.com/docker-hub/usage/pulls): `ratelimit-limit: 100;w=21600`,
 * `ratelimit-remaining: 76;w=21600` and `docker-ratelimit-source: <ip or account>`. No headers means no limit.
 */
import { header, type HttpResponse } from './http.js';

export interface RateLimit {
  /** Pulls allowed per window. */
  limit?: number;
  /** Pulls left in the current window. */
  remaining?: number;
  /** Window length in seconds (`w=`). */
  window?: number;
  /** Who the limit is counted against (`docker-ratelimit-source`). */
  source?: string;
  /** The header values as received. */
  headers: { 'ratelimit-limit'?: string; 'ratelimit-remaining'?: string; 'docker-ratelimit-source'?: string };
}

/** The rate limit a response announces; undefined when it carries none of the headers. */
export function parseRateLimit(res: HttpResponse): RateLimit | undefined {
  const limit = header(res, 'ratelimit-limit');
  const remaining = header(res, 'ratelimit-remaining');
  const source = header(res, 'docker-ratelimit-source');
  if (limit === undefined && remaining === undefined && source === undefined) return undefined;
  const l = parseValue(limit);
  const r = parseValue(remaining);
  const window = l.window ?? r.window;
  return {
    ...(l.count !== undefined ? { limit: l.count } : {}),
    ...(r.count !== undefined ? { remaining: r.count } : {}),
    ...(window !== undefined ? { window } : {}),
    ...(source ? { source } : {}),
    headers: {
      ...(limit !== undefined ? { 'ratelimit-limit': limit } : {}),
      ...(remaining !== undefined ? { 'ratelimit-remaining': remaining } : {}),
      ...(source !== undefined ? { 'docker-ratelimit-source': source } : {}),
    },
  };
}

/** Low: fewer than 10 pulls left, or under 10% of the limit. */
export function rateLimitLow(rl: RateLimit): boolean {
  if (rl.remaining === undefined) return false;
  return rl.remaining < 10 || (rl.limit !== undefined && rl.remaining < rl.limit * 0.1);
}

/** `21600` → `6 h`; other lengths in seconds. */
export function formatWindow(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

/** `100;w=21600` → count 100, window 21600 (the first list member when there are several). */
function parseValue(value: string | undefined): { count?: number; window?: number } {
  if (value === undefined) return {};
  const first = value.split(',')[0]!;
  const [count, ...params] = first.split(';').map((p) => p.trim());
  const out: { count?: number; window?: number } = {};
  if (count && /^\d+$/.test(count)) out.count = Number(count);
  for (const p of params) {
    const m = /^w=(\d+)$/.exec(p);
    if (m) out.window = Number(m[1]);
  }
  return out;
}
