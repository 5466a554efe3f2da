import { UsageError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a duration like `90s`, `2m`, `1h30m`, `500ms` or a bare number of seconds into milliseconds (> 0). */
export function parseDuration(text: string, flag = '--timeout'): number {
  const t = text.trim();
  let ms = 0;
  if (/^\d+(\.\d+)?$/.test(t)) ms = Number(t) * 1000;
  else {
    const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
    let m: RegExpExecArray | null;
    let end = 0;
    while ((m = re.exec(t)) !== null) {
      ms += Number(m[1]) * UNITS[m[2]!]!;
      end = re.lastIndex;
    }
    if (end === 0 || end !== t.length) ms = NaN;
  }
  if (!Number.isFinite(ms) || ms <= 0 || ms > 2 ** 31 - 1) {
    throw new UsageError(`${flag}: "${text}" is not a duration`, { hint: 'use a number with a unit: 30s, 5m, 1h30m (a bare number means seconds)' });
  }
  return Math.round(ms);
}
