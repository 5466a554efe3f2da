import { parseDigest, parseRepository } from '../ref/parse.js';
import { currentDigest } from '../registry/manifests.js';
import { listTags } from '../registry/tags.js';
import type { RegistryClient } from '../transport/registry-client.js';
import { runPool } from '../util/pool.js';
import type { OpsContext } from './context.js';
import { tagsKept, type TagsOptions } from './list.js';
import { sideClient } from './credentials.js';

export interface TagsForDigestOptions extends TagsOptions {
  /** HEAD requests at once (default 8). */
  jobs?: number;
  /** After each tag checked: how many of how many. */
  onProgress?: (done: number, total: number) => void;
}

const DEFAULT_JOBS = 8;

/**
 * The tags of a repository that point at `digest`, sorted. No registry API answers this, so
 * every tag is asked for with a HEAD (no pull counted on Docker Hub); a tag removed meanwhile is left out.
 */
export async function tagsForDigest(ctx: OpsContext, repository: string, digest: string, opts: TagsForDigestOptions = {}): Promise<string[]> {
  const repo = parseRepository(repository);
  parseDigest(digest);
  const client = await sideClient(ctx, repo.registry, opts.credentials);
  return tagsPointingAt(client, repo.repository, digest, opts);
}

/** tagsForDigest on a client (delete by digest reports them too). */
export async function tagsPointingAt(client: RegistryClient, repository: string, digest: string, opts: TagsForDigestOptions = {}): Promise<string[]> {
  const name = `${client.registry}/${repository}`;
  const keep = tagsKept(opts);
  const all = (await listTags(client, repository, `listing tags of ${name}`)).filter(keep);
  const hits = new Set<string>();
  let done = 0;
  await runPool(all, opts.jobs ?? DEFAULT_JOBS, async (tag) => {
    const at = await currentDigest(client, repository, tag, `checking ${name}:${tag}`);
    if (at === digest) hits.add(tag);
    opts.onProgress?.(++done, all.length);
  });
  return [...hits].sort();
}
