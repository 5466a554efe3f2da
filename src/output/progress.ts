import type { Writable } from 'node:stream';
import type { CopyProgress } from '../content/copy.js';
import { humanSize } from './bytes.js';

/** One plain line per finished blob on stderr (never stdout); nothing when quiet. */
export function blobProgress(stderr: Writable, quiet: boolean): ((e: CopyProgress) => void) | undefined {
  if (quiet) return undefined;
  const verbs = { pushed: 'copied', mounted: 'mounted', exists: 'exists', skipped: 'exists' } as const;
  return (e) => {
    stderr.write(`${e.digest.slice(7, 19)}: ${verbs[e.result]} (${humanSize(e.size)})\n`);
  };
}
