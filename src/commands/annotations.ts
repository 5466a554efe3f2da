import { UsageError } from '../errors.js';

/** `--annotation KEY=VALUE` flags (repeated) as a map; UsageError for one without `=` or key. */
export function parseAnnotations(flags: string[]): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const a of flags) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid --annotation "${a}": want KEY=VALUE`);
    annotations[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return annotations;
}
