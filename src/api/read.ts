// The read operations: digests, inspection, tag and repository lists, referrers, search, rate limits and sizes.
// Each checks its options at the door (operation(), options.ts) before anything runs.
import { digest as digestOp, digests as digestsOp, type DigestOptions } from '../ops/digest.js';
import type { BatchInput, BatchSummary, OnResult, Outcome } from '../ops/batch.js';
import { inspect as inspectOp, inspectMany as inspectManyOp, type InspectOptions, type InspectResult } from '../ops/inspect.js';
import { catalog as catalogOp, eachRepository, tags as tagsOp, type CatalogOptions, type TagsOptions } from '../ops/list.js';
import { referrers as referrersOp, type ReferrersOptions, type ReferrersResult } from '../ops/referrers.js';
import { rateLimit as rateLimitOp, type RateLimitOptions, type RateLimitResult } from '../ops/ratelimit.js';
import { search as searchOp, type SearchOptions } from '../ops/search.js';
import { size as sizeOp, type SizeOptions, type SizeReport } from '../ops/size.js';
import { tagsForDigest as tagsForDigestOp, type TagsForDigestOptions } from '../ops/tags-for-digest.js';
import type { SearchResult } from '../registry/search.js';
import type { OpsContext } from '../ops/context.js';
import { UsageError } from '../errors.js';
import { parseDigest } from '../ref/parse.js';
import { operation, type CallOptions } from './context.js';
import { argument, batchInputs, boolean, count, credentials, func, object, patternList, positive, platform, string, wrongType, type Check, type PlatformSpec } from './options.js';

export type { BatchInput, BatchSummary, OnResult, Outcome } from '../ops/batch.js';
export type { DescriptorView, ImageSummary, InspectResult } from '../ops/inspect.js';
export type { ReferrerNode, ReferrersResult } from '../ops/referrers.js';
export type { RateLimit, RateLimitResult } from '../ops/ratelimit.js';
export type { SearchFilters } from '../ops/search.js';
export type { SearchResult } from '../registry/search.js';
export type { ImageSize, SizeFigures, SizeReport } from '../ops/size.js';
export type { ImageConfig, ContainerConfig, ImageHistory } from '../oci/image-config.js';
export type { ImageIndex, ImageManifest } from '../oci/manifest.js';
/** A registry host as the catalog names it (`localhost:5000`; Docker Hub's other names are `docker.io`). */
export { registryHost } from '../ops/list.js';

/** The options of digest and digests. */
export interface DigestCallOptions extends Omit<DigestOptions, 'platform'>, CallOptions {
  /** The digest of this platform's manifest in an index (`'linux/arm64'` or an object). */
  platform?: PlatformSpec | undefined;
}

const DIGEST_OPTIONS = { platform, verify: boolean, credentials };

/**
 * The digest an image points at (a registry reference, `oci:DIR[:TAG]`, `docker-archive:FILE`, `local:IMAGE`, …):
 * of a registry tag, from one HEAD request. `verify` (and any reference by digest) fetches and hashes the manifest.
 *
 * @example
 * const d = await digest('localhost:5000/app:1');
 */
export function digest(image: string, options: DigestCallOptions = {}): Promise<string> {
  return operation(options, DIGEST_OPTIONS, (ctx, o: DigestOptions) => digestOp(ctx, image, o));
}

/**
 * The options of a batch operation (digests, inspectMany, manifestHeads, tagsMany) that hands each outcome on as it
 * comes instead of returning them all.
 */
export interface BatchStreamOptions<T> {
  /**
   * Called with each input's outcome in input order, as soon as it and those before it are known (a returned promise
   * is awaited before the next: back-pressure). Nothing is kept: the call resolves to a BatchSummary. With it the
   * inputs may be an endless async iterable (the lines of a file or of stdin), read as they are needed: at most a
   * window of outcomes is held to keep the order (256; 64 for inspectMany and tagsMany), and repeated inputs are
   * asked once while among the last 4,096 distinct ones (256 for inspectMany and tagsMany).
   */
  onResult: OnResult<T>;
}

const DIGESTS_OPTIONS = { ...DIGEST_OPTIONS, onResult: func };

/**
 * The digest of each image (see digest), 8 at a time over one set of connections and tokens, a repeated image asked
 * once: an outcome per image in input order (`result`, or the `error` it failed with); one failure does not stop the
 * others. `images`: an array, or any iterable or async iterable of strings; with `onResult`, streamed (BatchStreamOptions).
 *
 * @example
 * await digests(lines, { onResult: (o) => console.log(o.input, 'result' in o ? o.result : o.error) });
 */
export function digests(images: BatchInput, options?: DigestCallOptions & { onResult?: undefined }): Promise<Outcome<string>[]>;
export function digests(images: BatchInput, options: DigestCallOptions & BatchStreamOptions<string>): Promise<BatchSummary>;
export async function digests(images: BatchInput, options: DigestCallOptions & Partial<BatchStreamOptions<string>> = {}): Promise<Outcome<string>[] | BatchSummary> {
  argument(images, batchInputs, 'images');
  return operation(options, DIGESTS_OPTIONS, (ctx, { onResult, ...o }: DigestOptions & Partial<BatchStreamOptions<string>>) => digestsOp(ctx, images, o, onResult));
}

/** The options of inspect and inspectMany. */
export interface InspectCallOptions extends Omit<InspectOptions, 'platform'>, CallOptions {
  /** Descend into an index to this platform's image (`'linux/arm64'` or an object; a single image must be that platform). */
  platform?: PlatformSpec | undefined;
}

const INSPECT_OPTIONS = { platform, repoTags: boolean, platformImage: boolean, credentials };

/**
 * What an image points at: an index's platforms, or an image's config and layers. The manifest (`manifest`) and an
 * image's config (`config`) come parsed, their bytes beside (`raw`, `configRaw`).
 *
 * @example
 * const { manifest, config } = await inspect('localhost:5000/app:1', { platform: 'linux/arm64' });
 * console.log(manifest.kind === 'image' ? manifest.layers.length : 0, config?.config?.Entrypoint);
 */
export function inspect(image: string, options: InspectCallOptions = {}): Promise<InspectResult> {
  return operation(options, INSPECT_OPTIONS, (ctx, o: InspectOptions) => inspectOp(ctx, image, o));
}

const INSPECT_MANY_OPTIONS = { ...INSPECT_OPTIONS, onResult: func };

/**
 * Each image inspected (see inspect), 8 at a time over one set of connections and tokens, a repeated image asked
 * once: an outcome per image in input order (`result`, or the `error` it failed with); one failure does not stop the
 * others. `images`: an array, or any iterable or async iterable of strings; with `onResult`, streamed (BatchStreamOptions).
 */
export function inspectMany(images: BatchInput, options?: InspectCallOptions & { onResult?: undefined }): Promise<Outcome<InspectResult>[]>;
export function inspectMany(images: BatchInput, options: InspectCallOptions & BatchStreamOptions<InspectResult>): Promise<BatchSummary>;
export async function inspectMany(images: BatchInput, options: InspectCallOptions & Partial<BatchStreamOptions<InspectResult>> = {}): Promise<Outcome<InspectResult>[] | BatchSummary> {
  argument(images, batchInputs, 'images');
  return operation(options, INSPECT_MANY_OPTIONS, (ctx, { onResult, ...o }: InspectOptions & Partial<BatchStreamOptions<InspectResult>>) => inspectManyOp(ctx, images, o, onResult));
}

/** The options of tags and tagsMany. */
export interface TagsCallOptions extends Omit<TagsForDigestOptions, 'exclude' | 'jobs' | 'onProgress'>, CallOptions {
  /** Leave out tags in which this regular expression (or any of these) is found: unanchored, `^…$` for whole tags. */
  exclude?: string | RegExp | readonly (string | RegExp)[] | undefined;
  /** Only the tags pointing at this digest (a HEAD request per tag: no registry API answers it), sorted. */
  digest?: string | undefined;
  /** With `digest`: after each tag checked, how many of how many. */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/** `sha256:<hex>`, of an algorithm regctl verifies. */
const digestOption: Check = (v, name) => {
  if (typeof v !== 'string') throw wrongType(name, 'a digest ("sha256:…")', v);
  try {
    return parseDigest(v);
  } catch (err) {
    throw new UsageError(`option ${name}: ${(err as Error).message}`, { option: name, cause: err });
  }
};

const TAGS_ONE_OPTIONS = { exclude: patternList, omitDigestTags: boolean, digest: digestOption, credentials };
const TAGS_OPTIONS = { ...TAGS_ONE_OPTIONS, onProgress: func };
const TAGS_MANY_OPTIONS = { ...TAGS_ONE_OPTIONS, onResult: func };

type TagsOpOptions = TagsForDigestOptions & { digest?: string };

/** One repository's tags: all of them, or those on `digest`. */
function listTags(ctx: OpsContext, repository: string, { digest: on, ...o }: TagsOpOptions): Promise<string[]> {
  return on === undefined ? tagsOp(ctx, repository, o) : tagsForDigestOp(ctx, repository, on, o);
}

/**
 * Every tag of a repository (`alpine`, `localhost:5000/app`), following the registry's pages, less those `exclude`
 * finds (and `omitDigestTags`: referrers and cosign digest tags); with `digest`, only those pointing at it.
 *
 * @example
 * const releases = await tags('localhost:5000/app', { exclude: [/-rc\d*$/], omitDigestTags: true });
 */
export function tags(repository: string, options: TagsCallOptions = {}): Promise<string[]> {
  return operation(options, TAGS_OPTIONS, (ctx, o: TagsOpOptions) => listTags(ctx, repository, o));
}

/**
 * The tags of each repository (see tags), 8 at a time over one set of connections and tokens, a repeated repository
 * asked once: an outcome per repository in input order (`result`, or the `error` it failed with); one failure does
 * not stop the others. `repositories`: an array, or any iterable or async iterable of strings; with `onResult`,
 * streamed (BatchStreamOptions).
 */
export function tagsMany(repositories: BatchInput, options?: Omit<TagsCallOptions, 'onProgress'> & { onResult?: undefined }): Promise<Outcome<string[]>[]>;
export function tagsMany(repositories: BatchInput, options: Omit<TagsCallOptions, 'onProgress'> & BatchStreamOptions<string[]>): Promise<BatchSummary>;
export async function tagsMany(repositories: BatchInput, options: Omit<TagsCallOptions, 'onProgress'> & Partial<BatchStreamOptions<string[]>> = {}): Promise<Outcome<string[]>[] | BatchSummary> {
  argument(repositories, batchInputs, 'repositories');
  return operation(options, TAGS_MANY_OPTIONS, (ctx, { onResult, ...o }: TagsOpOptions & Partial<BatchStreamOptions<string[]>>) => eachRepository(ctx, repositories, o, listTags, onResult));
}

/** The options of catalog. */
export interface CatalogCallOptions extends CatalogOptions, CallOptions {}

/** Every repository of a registry's catalog (`localhost:5000`). */
export function catalog(registry: string, options: CatalogCallOptions = {}): Promise<string[]> {
  return operation(options, { credentials }, (ctx, o: CatalogOptions) => catalogOp(ctx, registry, o));
}

/** The options of referrers. */
export interface ReferrersCallOptions extends ReferrersOptions, CallOptions {}

/** The signatures, SBOMs and attestations referring to an image (OCI 1.1 referrers, the tag schema, cosign tags), as a tree. */
export function referrers(image: string, options: ReferrersCallOptions = {}): Promise<ReferrersResult> {
  return operation(options, { artifactType: string, credentials }, (ctx, o: ReferrersOptions) => referrersOp(ctx, image, o));
}

/** The options of search. */
export interface SearchCallOptions extends SearchOptions, CallOptions {}

const SEARCH_OPTIONS = { limit: positive, filters: object({ stars: count, official: boolean, automated: boolean }), registry: string, credentials };

/**
 * Docker Hub's search (or, with `registry`, another registry's catalog filtered by the term): at most `limit`
 * results (1–100, default 25), then `filters` applied, as docker search does.
 */
export function search(term: string, options: SearchCallOptions = {}): Promise<SearchResult[]> {
  return operation(options, SEARCH_OPTIONS, (ctx, o: SearchOptions) => searchOp(ctx, term, o));
}

/** The options of rateLimit. */
export interface RateLimitCallOptions extends RateLimitOptions, CallOptions {}

/** Docker Hub's pull rate limit for these credentials, from one HEAD request (which costs no pull). */
export function rateLimit(image: string, options: RateLimitCallOptions = {}): Promise<RateLimitResult> {
  return operation(options, { credentials }, (ctx, o: RateLimitOptions) => rateLimitOp(ctx, image, o));
}

/** The options of size. */
export interface SizeCallOptions extends Omit<SizeOptions, 'platform'>, CallOptions {
  /**
   * The image of this platform out of an index (`'linux/arm64'` or an object; default: the host's, as pull takes it),
   * or `'all'`: indexes whole, every platform's image.
   */
  platform?: PlatformSpec | 'all' | undefined;
}

/** `'all'`, or one platform. */
const platformOrAll: Check = (v, name) => {
  if (v === 'all') return v;
  if (typeof v !== 'string' && (typeof v !== 'object' || Array.isArray(v))) throw wrongType(name, 'a platform ("linux/arm64" or { os, architecture }) or "all"', v);
  return platform(v, name);
};

const SIZE_OPTIONS = { platform: platformOrAll, to: string, jobs: positive, credentials };

/**
 * What moving images would cost before moving them: each image's bytes as a registry stores them (manifests,
 * config, compressed layers), the total with shared blobs counted once and, with `to` (any location a copy writes
 * to), what that destination still lacks (a HEAD per blob). Reads manifests only; writes nothing.
 *
 * @example
 * const { total } = await size(['localhost:5000/app:1', 'localhost:5000/app:2'], { to: 'registry.example/app' });
 * console.log(total.missing?.bytes);
 */
export function size(images: readonly string[], options: SizeCallOptions = {}): Promise<SizeReport> {
  return operation(options, SIZE_OPTIONS, (ctx, o: SizeOptions) => sizeOp(ctx, images, o));
}
