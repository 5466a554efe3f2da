import { prune as pruneOp, type PruneOptions as PruneOpOptions, type PruneReport } from '../ops/prune.js';
import { operation, type CallOptions } from './context.js';
import { boolean, count, credentials, func, pattern, positive, string, time, wrongType, type Check } from './options.js';

export type { PruneAction, PruneProgress, PruneReport, TagDecision, TagPlan } from '../ops/prune.js';

export interface PruneOptions extends Omit<PruneOpOptions, 'now'>, CallOptions {
  /** The time `olderThanMs` counts back from: a Date or milliseconds since the epoch (default: the current time). */
  now?: Date | number | undefined;
}

/** An array of patterns (strings or RegExps), each checked under its index (`keepTags[1]`). */
const patterns: Check = (v, name) => {
  if (!Array.isArray(v)) throw wrongType(name, 'an array of strings or RegExps', v);
  return v.map((p, i) => pattern(p, `${name}[${i}]`));
};

const PRUNE_OPTIONS = {
  keep: count,
  olderThanMs: count,
  match: pattern,
  exclude: pattern,
  semver: string,
  keepTags: patterns,
  deleteUntagged: boolean,
  withSignatures: boolean,
  dryRun: boolean,
  keepGoing: boolean,
  jobs: positive,
  now: time,
  onProgress: func,
  credentials,
};

/**
 * Retention for a registry repository: select tags (`match`, `exclude`, `semver`; `keepTags` always stay), keep the
 * newest `keep` images (digests) they name, each with all its tags, and those created less than `olderThanMs` before
 * `now`, and remove the rest, one tag at a
 * time so that other tags on the same digest survive. A manifest whose last tag goes is deleted only with
 * `deleteUntagged` (its signatures and referrers too with `withSignatures`). `dryRun` plans and writes nothing.
 * The report lists every tag's decision and every write; with `keepGoing` a failed write does not stop the others
 * (the report counts it in `failed`).
 *
 * @example
 * const plan = await prune('localhost:5000/app', { keep: 10, dryRun: true });
 */
export function prune(repository: string, options: PruneOptions = {}): Promise<PruneReport> {
  return operation(options, PRUNE_OPTIONS, (ctx, o: PruneOpOptions) => pruneOp(ctx, repository, o));
}
