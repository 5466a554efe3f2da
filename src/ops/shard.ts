// Splitting a sync across machines: shard K of N takes the repositories (or images) whose name hashes to K, so N
// processes given 1/N … N/N mirror disjoint parts that together are exactly the whole, with no coordination.
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';

/** What a shard is a share of: whole repositories (each tag list read by one shard only), or single images. */
export type ShardBy = 'repository' | 'image';

/** Shard `index` of `count` (counted from 1, as `--shard 2/4`). */
export interface Shard {
  index: number;
  count: number;
  /** Default `repository`. */
  by?: ShardBy | undefined;
}

/** Checks a shard given to the library (option `shard`). */
export function checkShard(shard: Shard): Required<Shard> {
  const { index, count, by = 'repository' } = shard;
  if (!Number.isSafeInteger(count) || count < 1) throw new UsageError(`option shard.count: ${count} is not a whole number of shards (1 or more)`, { option: 'shard.count' });
  if (!Number.isSafeInteger(index) || index < 1 || index > count) {
    throw new UsageError(`option shard.index: ${index} is not a shard of ${count} (1 to ${count})`, { option: 'shard.index' });
  }
  if (by !== 'repository' && by !== 'image') throw new UsageError(`option shard.by: '${String(by)}' is neither 'repository' nor 'image'`, { option: 'shard.by' });
  return { index, count, by };
}

/**
 * Whether `key` (a source repository's name, or a source image's `repo:tag`) belongs to the shard: the first 48 bits
 * of its SHA-256, modulo the number of shards, is the shard's index − 1. The same on every machine and in every
 * release, so a rerun of one shard (after a kill, on another machine) takes the same share.
 */
export function inShard(key: string, shard: Shard): boolean {
  if (shard.count === 1) return true;
  const n = createHash('sha256').update(key).digest().readUIntBE(0, 6);
  return n % shard.count === shard.index - 1;
}
