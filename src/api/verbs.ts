// The registry verbs (manifests, blobs, configs, indexes, tags) without a context; `credentials` apply to the
// registry the first argument names.
import type { Descriptor } from '../oci/manifest.js';
import type { Platform } from '../oci/platform.js';
import { blobDelete as blobDeleteOp, blobGet as blobGetOp, blobHead as blobHeadOp, blobPut as blobPutOp, type BlobRead } from '../ops/blob.js';
import { imageConfig as imageConfigOp, type ConfigRead } from '../ops/config.js';
import type { OpsContext } from '../ops/context.js';
import { sideContext, type CredentialOptions } from '../ops/credentials.js';
import { manifestDelete as manifestDeleteOp, type ManifestDeleteResult } from '../ops/delete.js';
import { indexAdd as indexAddOp, indexCreate as indexCreateOp, indexRemove as indexRemoveOp, type IndexCreateOptions, type IndexEditOptions, type IndexResult } from '../ops/image-index.js';
import { manifestGet as manifestGetOp, manifestHead as manifestHeadOp, manifestPut as manifestPutOp, type ManifestPutOptions, type ManifestRead } from '../ops/manifest.js';
import { tagsForDigest as tagsForDigestOp, type TagsForDigestOptions } from '../ops/tags-for-digest.js';
import { locationRegistries } from '../ops/transports/index.js';
import { untag as untagOp, type UntagOptions, type UntagResult } from '../ops/untag.js';
import { withContext, type CallOptions } from './context.js';

export interface VerbOptions extends CallOptions {
  /** Credentials for the registry the call names (stored ones when not given). */
  credentials?: CredentialOptions | undefined;
}

/** Runs `work` in a context whose credentials apply to the registry `location` names. */
function onRegistry<T>(location: string, options: VerbOptions, work: (ctx: OpsContext) => Promise<T>): Promise<T> {
  return withContext(options, async (ctx) => work(await sideContext(ctx, locationRegistries(location), options.credentials)));
}

/** A manifest's bytes as the registry (or any location) holds them, with its descriptor. */
export function manifestGet(image: string, options: { platform?: Platform } & VerbOptions = {}): Promise<ManifestRead> {
  return onRegistry(image, options, (ctx) => manifestGetOp(ctx, image, options.platform ? { platform: options.platform } : {}));
}

/** A manifest's descriptor from one HEAD request. */
export function manifestHead(image: string, options: VerbOptions = {}): Promise<Descriptor> {
  return onRegistry(image, options, (ctx) => manifestHeadOp(ctx, image));
}

/** Pushes manifest bytes as given to `REPO:TAG` (or `REPO@DIGEST`). */
export function manifestPut(image: string, bytes: Buffer, options: ManifestPutOptions & VerbOptions = {}): Promise<Descriptor> {
  const { mediaType, force } = options;
  return onRegistry(image, options, (ctx) => manifestPutOp(ctx, image, bytes, { ...(mediaType ? { mediaType } : {}), ...(force ? { force } : {}) }));
}

/** Deletes a manifest by digest (`REPO@DIGEST`) and every tag on it; says which tags went. */
export function manifestDelete(image: string, options: TagsForDigestOptions & VerbOptions = {}): Promise<ManifestDeleteResult> {
  return onRegistry(image, options, (ctx) => manifestDeleteOp(ctx, image, options));
}

/** Removes one tag (`REPO:TAG`) and leaves the manifest and its other tags alone. */
export function untag(image: string, options: UntagOptions & VerbOptions = {}): Promise<UntagResult> {
  return onRegistry(image, options, (ctx) => untagOp(ctx, image, options));
}

/** The tags of a repository that point at a digest. */
export function tagsForDigest(repository: string, digest: string, options: TagsForDigestOptions & VerbOptions = {}): Promise<string[]> {
  return onRegistry(repository, options, (ctx) => tagsForDigestOp(ctx, repository, digest, options));
}

/** A blob by digest: `REPO@DIGEST`, or a location and the digest apart. The caller reads (or destroys) its stream. */
export function blobGet(location: string, digest?: string, options: VerbOptions = {}): Promise<BlobRead> {
  return onRegistry(location, options, (ctx) => blobGetOp(ctx, location, digest));
}

/** A blob's descriptor (digest and size) without its bytes. */
export function blobHead(location: string, digest?: string, options: VerbOptions = {}): Promise<Descriptor> {
  return onRegistry(location, options, (ctx) => blobHeadOp(ctx, location, digest));
}

/** Uploads a file or a stream as a blob of a repository; returns its digest and size. */
export function blobPut(repository: string, input: { path: string } | { stream: AsyncIterable<Buffer> }, options: VerbOptions = {}): Promise<{ digest: string; size: number }> {
  return onRegistry(repository, options, (ctx) => blobPutOp(ctx, repository, input));
}

/** Deletes a blob from a repository. */
export function blobDelete(repository: string, digest?: string, options: VerbOptions = {}): Promise<void> {
  return onRegistry(repository, options, (ctx) => blobDeleteOp(ctx, repository, digest));
}

/** An image's config (of one platform of an index), parsed and as bytes. */
export function imageConfig(image: string, options: { platform?: Platform } & VerbOptions = {}): Promise<ConfigRead> {
  return onRegistry(image, options, (ctx) => imageConfigOp(ctx, image, options.platform ? { platform: options.platform } : {}));
}

/** Creates an index of these images at `destination`. */
export function indexCreate(destination: string, images: string[], options: IndexCreateOptions & VerbOptions = {}): Promise<IndexResult> {
  return onRegistry(destination, options, (ctx) => indexCreateOp(ctx, destination, images, options));
}

/** Adds images to an index. */
export function indexAdd(index: string, images: string[], options: IndexEditOptions & VerbOptions = {}): Promise<IndexResult> {
  return onRegistry(index, options, (ctx) => indexAddOp(ctx, index, images, options));
}

/** Removes entries (by platform or digest) from an index. */
export function indexRemove(index: string, remove: { platforms?: Platform[]; digests?: string[] }, options: Pick<IndexEditOptions, 'tag'> & VerbOptions = {}): Promise<IndexResult> {
  return onRegistry(index, options, (ctx) => indexRemoveOp(ctx, index, remove, options.tag !== undefined ? { tag: options.tag } : {}));
}
