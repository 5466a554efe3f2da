// The registry verbs (manifests, blobs, configs, indexes, tags) without a context; `credentials` apply to the
// registries the call names (an index's: `sourceCredentials` for the images added, `destinationCredentials` for it).
import type { Descriptor } from '../oci/manifest.js';
import { blobDelete as blobDeleteOp, blobGet as blobGetOp, blobHead as blobHeadOp, blobPut as blobPutOp, type BlobRead } from '../ops/blob.js';
import { imageConfig as imageConfigOp, type ConfigRead } from '../ops/config.js';
import type { WithCredentials } from '../ops/credentials.js';
import { manifestDelete as manifestDeleteOp, type DeleteOptions, type ManifestDeleteResult } from '../ops/delete.js';
import { indexAdd as indexAddOp, indexCreate as indexCreateOp, indexRemove as indexRemoveOp, type IndexCreateOptions, type IndexEditOptions, type IndexResult } from '../ops/image-index.js';
import { manifestGet as manifestGetOp, manifestHead as manifestHeadOp, manifestPut as manifestPutOp, type ManifestPutOptions, type ManifestRead } from '../ops/manifest.js';
import { tagsForDigest as tagsForDigestOp, type TagsForDigestOptions } from '../ops/tags-for-digest.js';
import { untag as untagOp, type UntagOptions, type UntagResult } from '../ops/untag.js';
import type { Platform } from '../oci/platform.js';
import { operationOptions, withContext, type CallOptions } from './context.js';

/** Options of a verb on one registry: its credentials, and the call's context settings. */
export interface VerbOptions extends CallOptions, WithCredentials {}

/** A manifest's bytes as the registry (or any location) holds them, with its descriptor. */
export function manifestGet(image: string, options: { platform?: Platform } & VerbOptions = {}): Promise<ManifestRead> {
  return withContext(options, (ctx) => manifestGetOp(ctx, image, operationOptions(options)));
}

/** A manifest's descriptor from one HEAD request. */
export function manifestHead(image: string, options: VerbOptions = {}): Promise<Descriptor> {
  return withContext(options, (ctx) => manifestHeadOp(ctx, image, operationOptions(options)));
}

/** Pushes manifest bytes as given to `REPO:TAG` (or `REPO@DIGEST`). */
export function manifestPut(image: string, bytes: Buffer, options: ManifestPutOptions & VerbOptions = {}): Promise<Descriptor> {
  return withContext(options, (ctx) => manifestPutOp(ctx, image, bytes, operationOptions(options)));
}

/** Deletes a manifest by digest (`REPO@DIGEST`) and every tag on it; says which tags went. */
export function manifestDelete(image: string, options: DeleteOptions & VerbOptions = {}): Promise<ManifestDeleteResult> {
  return withContext(options, (ctx) => manifestDeleteOp(ctx, image, operationOptions(options)));
}

/** Removes one tag (`REPO:TAG`) and leaves the manifest and its other tags alone. */
export function untag(image: string, options: UntagOptions & VerbOptions = {}): Promise<UntagResult> {
  return withContext(options, (ctx) => untagOp(ctx, image, operationOptions(options)));
}

/** The tags of a repository that point at a digest. */
export function tagsForDigest(repository: string, digest: string, options: TagsForDigestOptions & VerbOptions = {}): Promise<string[]> {
  return withContext(options, (ctx) => tagsForDigestOp(ctx, repository, digest, operationOptions(options)));
}

/** A blob by digest: `REPO@DIGEST`, or a location and the digest apart. The caller reads (or destroys) its stream. */
export function blobGet(location: string, digest?: string, options: VerbOptions = {}): Promise<BlobRead> {
  return withContext(options, (ctx) => blobGetOp(ctx, location, digest, operationOptions(options)));
}

/** A blob's descriptor (digest and size) without its bytes. */
export function blobHead(location: string, digest?: string, options: VerbOptions = {}): Promise<Descriptor> {
  return withContext(options, (ctx) => blobHeadOp(ctx, location, digest, operationOptions(options)));
}

/** Uploads a file or a stream as a blob of a repository; returns its digest and size. */
export function blobPut(repository: string, input: { path: string } | { stream: AsyncIterable<Buffer> }, options: VerbOptions = {}): Promise<{ digest: string; size: number }> {
  return withContext(options, (ctx) => blobPutOp(ctx, repository, input, operationOptions(options)));
}

/** Deletes a blob from a repository. */
export function blobDelete(repository: string, digest?: string, options: VerbOptions = {}): Promise<void> {
  return withContext(options, (ctx) => blobDeleteOp(ctx, repository, digest, operationOptions(options)));
}

/** An image's config (of one platform of an index), parsed and as bytes. */
export function imageConfig(image: string, options: { platform?: Platform } & VerbOptions = {}): Promise<ConfigRead> {
  return withContext(options, (ctx) => imageConfigOp(ctx, image, operationOptions(options)));
}

/** Creates an index of these images at `destination`. */
export function indexCreate(destination: string, images: string[], options: IndexCreateOptions & CallOptions = {}): Promise<IndexResult> {
  return withContext(options, (ctx) => indexCreateOp(ctx, destination, images, operationOptions(options)));
}

/** Adds images to an index. */
export function indexAdd(index: string, images: string[], options: IndexEditOptions & CallOptions = {}): Promise<IndexResult> {
  return withContext(options, (ctx) => indexAddOp(ctx, index, images, operationOptions(options)));
}

/** Removes entries (by platform or digest) from an index. */
export function indexRemove(index: string, remove: { platforms?: Platform[]; digests?: string[] }, options: Pick<IndexEditOptions, 'tag'> & VerbOptions = {}): Promise<IndexResult> {
  return withContext(options, (ctx) => indexRemoveOp(ctx, index, remove, operationOptions(options)));
}
