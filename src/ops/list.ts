import { isReferrersTag } from '../content/referrers.js';
import { UsageError } from '../errors.js';
import { parseRepository } from '../ref/parse.js';
import { listCatalog } from '../registry/catalog.js';
import { listTags } from '../registry/tags.js';
import { filterYielding } from '../util/yielding.js';
import { LARGE_RESULTS, runBatch, type BatchInput, type BatchSummary, type OnResult, type Outcome } from './batch.js';
import type { OpsContext } from './context.js';
import { sideClient, type CredentialOptions } from './credentials.js';
import { patternOf } from './tag-filter.js';

export interface TagsOptions {
  /** Leave out tags in which any of these regular expressions is found (unanchored, like sync's `exclude`). */
  exclude?: readonly (string | RegExp)[];
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
  return filterYielding(await listTags(client, ref.repository, `listing tags of ${ref.registry}/${ref.repository}`), keep, ctx.transport.signal);
}

/**
 * The tags of each repository (see tags), 8 at a time in one context (one ping per registry, one token per
 * repository), repeated repositories asked once; outcomes in input order, a failure one repository's outcome.
 * `list` lists one repository. Streamed to `onResult` when given.
 */
export async function eachRepository<O extends { credentials?: CredentialOptions | undefined }>(ctx: OpsContext, repositories: BatchInput, opts: O,
  list: (ctx: OpsContext, repository: string, opts: O) => Promise<string[]>, onResult?: OnResult<string[]>): Promise<Outcome<string[]>[] | BatchSummary> {
  const one = { ...opts, credentials: undefined };
  return runBatch(ctx, repositories, opts.credentials, (shared, repository) => list(shared, repository, one), onResult, { ...LARGE_RESULTS, registriesOf: (r) => [parseRepository(r).registry] });
}

/** TagsOptions as a test on one tag (patterns checked now: a bad one is a UsageError before any request). */
export function tagsKept(opts: TagsOptions): (tag: string) => boolean {
  const exclude = (opts.exclude ?? []).map((p) => patternOf(p, 'exclude'));
  return (t) => !(opts.omitDigestTags && isReferrersTag(t)) && !exclude.some((re) => re.test(t));
}

/** Every repository in a registry's catalog. */
export async function catalog(ctx: OpsContext, registry: string, opts: CatalogOptions = {}): Promise<string[]> {
  const host = registryHost(registry);
  const client = await sideClient(ctx, host, opts.credentials);
  return listCatalog(client, `listing the catalog of ${host}`);
}

const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]{1,5})?$/;

/**
 * A bare registry host (`localhost:5000`, `docker.io`); Docker Hub's other names map to `docker.io`. A malformed one
 * is a UsageError (naming `option`, the library option it came from, when given).
 */
export function registryHost(input: string, option?: string): string {
  const host = input.replace(/\/+$/, '');
  if (!HOST.test(host)) throw new UsageError(`${option ? `option ${option}: ` : ''}invalid registry "${input}": want HOST[:PORT]`, option ? { option } : {});
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}
