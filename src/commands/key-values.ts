import { UsageError } from '../errors.js';

/** Repeated `KEY=VALUE` flags (`--label`, `--env`, `--annotation`) as a record, in order; UsageError naming the flag for one without `=` or key. */
export function keyValues(list: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid ${flag} "${item}": want KEY=VALUE`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}
