import type { RateLimitResult } from '../ops/ratelimit.js';

/**
 * text: one `header: value` line per rate-limit header as the registry sent it, or a sentence saying there was
 * none; json: `{name, registry, limited, limit, remaining, window, source, headers}`.
 */
export function renderRateLimit(result: RateLimitResult, format: 'text' | 'json'): string {
  const rl = result.rateLimit;
  if (format === 'json') {
    return `${JSON.stringify({
      name: result.name,
      registry: result.registry,
      limited: rl !== undefined,
      limit: rl?.limit ?? null,
      remaining: rl?.remaining ?? null,
      window: rl?.window ?? null,
      source: rl?.source ?? null,
      headers: rl?.headers ?? {},
    }, null, 2)}\n`;
  }
  if (!rl) return `${result.registry} sent no rate-limit headers for ${result.name}: no pull limit applies\n`;
  return Object.entries(rl.headers).map(([k, v]) => `${k}: ${v}\n`).join('');
}
