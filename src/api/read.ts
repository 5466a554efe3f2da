import { digest as digestOp, digests as digestsOp, type DigestOptions } from '../ops/digest.js';
export type { Outcome } from '../ops/batch.js';
import type { Outcome } from '../ops/batch.js';
import { inspect as inspectOp, type InspectOptions, type InspectResult } from '../ops/inspect.js';
import { catalog as catalogOp, tags as tagsOp, type CatalogOptions, type TagsOptions } from '../ops/list.js';
import { referrers as referrersOp, type ReferrersOptions, type ReferrersResult } from '../ops/referrers.js';
import { rateLimit as rateLimitOp, type RateLimitOptions, type RateLimitResult } from '../ops/ratelimit.js';
import { search as searchOp, type SearchOptions } from '../ops/search.js';
import type { SearchResult } from '../registry/search.js';
import { operation, operationOptions, withContext, type CallOptions } from './context.js';
import { boolean, credentials, platform, type PlatformSpec } from './options.js';

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
 * The digest of each image (see digest), 8 at a time over one set of connections and tokens: an outcome per image
 * in input order (`result`, or the `error` it failed with); one failure does not stop the others.
 */
export function digests(images: readonly string[], options: DigestCallOptions = {}): Promise<Outcome<string>[]> {
  return operation(options, DIGEST_OPTIONS, (ctx, o: DigestOptions) => digestsOp(ctx, images, o));
}

/** What an image points at: an index's platforms, or an image's config and layers (plus the raw manifest bytes). */
export function inspect(image: string, options: InspectOptions & CallOptions = {}): Promise<InspectResult> {
  return withContext(options, (ctx) => inspectOp(ctx, image, operationOptions(options)));
}

/** Every tag of a repository (`alpine`, `localhost:5000/app`), following the registry's pages. */
export function tags(repository: string, options: TagsOptions & CallOptions = {}): Promise<string[]> {
  return withContext(options, (ctx) => tagsOp(ctx, repository, operationOptions(options)));
}

/** Every repository of a registry's catalog (`localhost:5000`). */
export function catalog(registry: string, options: CatalogOptions & CallOptions = {}): Promise<string[]> {
  return withContext(options, (ctx) => catalogOp(ctx, registry, operationOptions(options)));
}

/** The signatures, SBOMs and attestations referring to an image (OCI 1.1 referrers, the tag schema, cosign tags), as a tree. */
export function referrers(image: string, options: ReferrersOptions & CallOptions = {}): Promise<ReferrersResult> {
  return withContext(options, (ctx) => referrersOp(ctx, image, operationOptions(options)));
}

/** Docker Hub's search (or another registry's catalog, filtered by the term). */
export function search(term: string, options: SearchOptions & CallOptions = {}): Promise<SearchResult[]> {
  return withContext(options, (ctx) => searchOp(ctx, term, operationOptions(options)));
}

/** Docker Hub's pull rate limit for these credentials, from one HEAD request (which costs no pull). */
export function rateLimit(image: string, options: RateLimitOptions & CallOptions = {}): Promise<RateLimitResult> {
  return withContext(options, (ctx) => rateLimitOp(ctx, image, operationOptions(options)));
}
