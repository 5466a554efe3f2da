import { UsageError } from '../errors.js';
import { parseReference } from '../ref/parse.js';
import { givenSelector } from '../ref/selector.js';
import type { OpsContext } from './context.js';
import { sync, type SyncOptions, type SyncReport } from './sync.js';
import { repositoryJob } from './sync-jobs.js';

/**
 * Every tag of a repository into another: every tag the source lists (following Link pages), each manifest verbatim,
 * blobs shared between tags sent once; tags the destination already has with the same digest are left alone.
 */
export function copyAllTags(ctx: OpsContext, source: string, destination: string, opts: SyncOptions = {}): Promise<SyncReport> {
  const src = parseReference(source);
  if (givenSelector(src) !== undefined) {
    throw new UsageError(`copying every tag takes a whole repository: "${source}" names one image`, { hint: 'give the repository without a tag or digest' });
  }
  return sync(ctx, [repositoryJob(source, destination)], opts);
}
