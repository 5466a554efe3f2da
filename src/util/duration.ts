import { UsageError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a duration like `90s`, `2m`, `1h30m`, `500ms`, `30d`, `2w` or a bare number of seconds into milliseconds
 * (> 0, and at most `max`: by default what a timer takes, about 24 days).
 */
export function parseDuration(text: string, flag = '--timeout', max = 2 ** 31 - 1): number {
  const t = text.trim();
  let ms = 0;
  if (/^\d+(\.\d+)?$/.test(t)) ms = Number(t) * 1000;
  else {
    const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
    let m: RegExpExecArray | null;
    let end = 0;
    while ((m = re.exec(t)) !== null) {
      ms += Number(m[1]) * UNITS[m[2]!]!;
      end = re.lastIndex;
    }
    if (end === 0 || end !== t.length) ms = NaN;
  }
  if (!Number.isFinite(ms) || ms <= 0 || ms > max) {
    throw new UsageError(`${flag}: "${text}" is not a duration`, { hint: 'use a number with a unit: 30s, 5m, 1h30m, 7d (a bare number means seconds)' });
  }
  return Math.round(ms);
}
