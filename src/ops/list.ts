import { isReferrersTag } from '../content/referrers.js';
import { UsageError } from '../errors.js';
import { parseRepository } from '../ref/parse.js';
import { listCatalog } from '../registry/catalog.js';
import { listTags } from '../registry/tags.js';
import type { OpsContext } from './context.js';
import { sideClient, type CredentialOptions } from './credentials.js';
import { tagRegex } from './tag-filter.js';

export interface TagsOptions {
  /** Leave out tags in which any of these regular expressions is found (unanchored, like sync's --exclude). */
  exclude?: string[];
  /** Leave out the referrers-schema and cosign digest tags (`sha256-<hex>`, `sha256-<hex>.sig`, …). */
  omitDigestTags?: boolean;
  credentials?: CredentialOptions | undefined;
}

export interface CatalogOptions {
  credentials?: CredentialOptions | undefined;
}

/** Every tag of a repository (`alpine`, `localhost:5000/app`), in the registry's order, less those filtered out. */
export async function tags(ctx: OpsContext, repository: string, opts: TagsOptions = {}): Promise<string[]> {
  const ref = parseRepository(repository);
  const keep = tagsKept(opts);
  const client = await sideClient(ctx, ref.registry, opts.credentials);
  return (await listTags(client, ref.repository, `listing tags of ${ref.registry}/${ref.repository}`)).filter(keep);
}

/** TagsOptions as a test on one tag (patterns checked now: a bad one is a UsageError before any request). */
export function tagsKept(opts: TagsOptions): (tag: string) => boolean {
  const exclude = (opts.exclude ?? []).map((p) => tagRegex(p, '--exclude'));
  return (t) => !(opts.omitDigestTags && isReferrersTag(t)) && !exclude.some((re) => re.test(t));
}

/** Every repository in a registry's catalog. */
export async function catalog(ctx: OpsContext, registry: string, opts: CatalogOptions = {}): Promise<string[]> {
  const host = registryHost(registry);
  const client = await sideClient(ctx, host, opts.credentials);
  return listCatalog(client, `listing the catalog of ${host}`);
}

const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]{1,5})?$/;

/** A bare registry host (`localhost:5000`, `docker.io`); Docker Hub's other names map to `docker.io`. */
export function registryHost(input: string): string {
  const host = input.replace(/\/+$/, '');
  if (!HOST.test(host)) throw new UsageError(`invalid registry "${input}": want HOST[:PORT]`);
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}
