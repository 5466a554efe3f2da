import type { RateLimitResult } from '../ops/ratelimit.js';

/** What `ratelimit --format json` prints and a template sees (capitalised): null where no limit was announced. */
export function rateLimitView(result: RateLimitResult) {
  const rl = result.rateLimit;
  return {
    name: result.name,
    registry: result.registry,
    limited: rl !== undefined,
    limit: rl?.limit ?? null,
    remaining: rl?.remaining ?? null,
    window: rl?.window ?? null,
    source: rl?.source ?? null,
    headers: rl?.headers ?? {},
  };
}

/**
 * text: one `header: value` line per rate-limit header as the registry sent it, or a sentence saying there was
 * none; json: rateLimitView.
 */
export function renderRateLimit(result: RateLimitResult, format: 'text' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(rateLimitView(result), null, 2)}\n`;
  const rl = result.rateLimit;
  if (!rl) return `${result.registry} sent no rate-limit headers for ${result.name}: no pull limit applies\n`;
  return Object.entries(rl.headers).map(([k, v]) => `${k}: ${v}\n`).join('');
}
