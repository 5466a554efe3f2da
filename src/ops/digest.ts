import { resolveImage } from '../content/resolve.js';
import type { Platform } from '../oci/platform.js';
import type { OpsContext } from './context.js';
import type { CredentialOptions } from './credentials.js';
import { runBatch, type BatchInput, type BatchSummary, type OnResult, type Outcome } from './batch.js';
import { parseLocation, withSource } from './transports/index.js';

export interface DigestOptions {
  /** The digest of this platform's manifest in an index (a single image must be that platform). */
  platform?: Platform | undefined;
  /** Fetch the manifest and hash it instead of trusting the registry's digest header. */
  verify?: boolean;
  credentials?: CredentialOptions | undefined;
}

/**
 * The digest a location (a registry reference, `oci:DIR[:TAG]`, `docker-archive:FILE[:NAME]`, `local:IMAGE`, …)
 * points at; of a registry tag from one HEAD request (GET and hash when the registry sends no digest).
 * With `verify`, and always for a reference by digest, the manifest is fetched and hashed: the answer is proven,
 * not taken from the registry's Docker-Content-Digest header (a mismatch is an IntegrityError, exit 6).
 * With a platform: that platform's manifest in an index (read and hashed; NotFound when it has none), or a single
 * image of that platform.
 */
export async function digest(ctx: OpsContext, image: string, opts: DigestOptions = {}): Promise<string> {
  const verify = opts.verify === true || parseLocation(image).expectDigest !== undefined;
  return withSource(ctx, image, async ({ target: src }) => {
    if (opts.platform) return (await resolveImage(src, { platform: opts.platform, strict: true })).top.digest;
    return (await (verify ? src.resolve() : src.head())).digest;
  }, opts.credentials);
}

/**
 * The digest of each image (see digest), 8 at a time in one context (one ping per registry, one token per
 * repository), repeated images asked once; outcomes in input order, a failure one image's outcome. Streamed
 * (batch.ts eachInputStream) to `onResult` when given.
 */
export async function digests(ctx: OpsContext, images: BatchInput, opts: DigestOptions = {}, onResult?: OnResult<string>): Promise<Outcome<string>[] | BatchSummary> {
  const one = { ...opts, credentials: undefined };
  return runBatch(ctx, images, opts.credentials, (shared, image) => digest(shared, image, one), onResult);
}
