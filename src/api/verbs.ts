// The registry verbs (manifests, blobs, configs, indexes, tags) through the door: each checks its arguments and
// options first (UsageError naming them), then runs in the caller's context or one of its own. `credentials` apply to
// the registries the call names (an index's: `sourceCredentials` for the images added, `destinationCredentials` for it).
import { finished } from 'node:stream/promises';
import type { CopyProgress } from '../content/copy.js';
import { UsageError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import type { BatchInput, BatchSummary, Outcome } from '../ops/batch.js';
import type { BatchStreamOptions } from './read.js';
import { blobDelete as blobDeleteOp, blobGet as blobGetOp, blobHead as blobHeadOp, blobPut as blobPutOp, type BlobDeleteResult, type BlobInput, type BlobPutResult, type BlobRead } from '../ops/blob.js';
import { imageConfig as imageConfigOp, type ConfigRead } from '../ops/config.js';
import type { WithCredentials, WithTransferCredentials } from '../ops/credentials.js';
import { manifestDelete as manifestDeleteOp, type ManifestDeleteResult } from '../ops/delete.js';
import { indexAdd as indexAddOp, indexCreate as indexCreateOp, indexRemove as indexRemoveOp, type IndexResult } from '../ops/image-index.js';
import { manifestGet as manifestGetOp, manifestHead as manifestHeadOp, manifestHeads as manifestHeadsOp, manifestPut as manifestPutOp, type ManifestRead } from '../ops/manifest.js';
import { tagsForDigest as tagsForDigestOp } from '../ops/tags-for-digest.js';
import { untag as untagOp, type UntagResult } from '../ops/untag.js';
import { CALL_OPTIONS, createContext, libraryError, operation, type CallOptions } from './context.js';
import {
  argument, batchInputs, boolean, buffer, checkOptions, credentials, patternList, func, oneOf, platform, platforms, positive, string, stringRecord, strings, wrongType,
  type Check, type PlatformSpec, type PlatformsSpec,
} from './options.js';

export type { BlobDeleteResult, BlobInput, BlobPutResult, BlobRead, ConfigRead, IndexResult, ManifestDeleteResult, ManifestRead, Outcome, UntagResult };

/** Options of a verb on one registry: its credentials, and the call's context settings. */
export interface VerbOptions extends CallOptions, WithCredentials {}

/** Options of manifestGet and imageConfig. */
export interface PlatformVerbOptions extends VerbOptions {
  /** In an index, this platform's image (`'linux/arm64'` or an object); a single image must be of it. */
  platform?: PlatformSpec | undefined;
}

export interface ManifestPutOptions extends VerbOptions {
  /** The manifest's media type (Content-Type); default: the JSON's `mediaType`, else OCI's by its shape. */
  mediaType?: string | undefined;
  /** Push even when the repository lacks blobs or manifests it names. */
  force?: boolean | undefined;
}

/** Options of the calls that find the tags pointing at a digest (a HEAD per tag): tagsForDigest, manifestDelete, del. */
export interface TagScanOptions extends VerbOptions {
  /** Leave out tags in which any of these regular expressions is found. */
  exclude?: string | RegExp | readonly (string | RegExp)[] | undefined;
  /** Leave out the referrers-schema and cosign digest tags (`sha256-<hex>`, `sha256-<hex>.sig`, …). */
  omitDigestTags?: boolean | undefined;
  /** HEAD requests at once (default 8). */
  jobs?: number | undefined;
  /** After each tag checked: how many of how many. */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/** Options of manifestDelete and del. */
export type DeleteOptions = TagScanOptions;

export interface UntagOptions extends VerbOptions {
  /** Check that the tag exists and say what it points at; remove nothing. */
  dryRun?: boolean | undefined;
}

/** What index create and add take out of the images, and how they copy them into the index's repository. */
interface IndexEntryOptions extends CallOptions, WithTransferCredentials {
  /** Take only these platforms out of the images (each single image must be one of them); `'all'`: every one. */
  platform?: PlatformsSpec | undefined;
  /** The index's annotations (OCI only). */
  annotations?: Record<string, string> | undefined;
  /** Blobs copied at once, over all images. */
  jobs?: number | undefined;
  onProgress?: ((event: CopyProgress) => void) | undefined;
  /**
   * List the same image twice, or two images of one platform. Without it either is a UsageError (exit 2) naming
   * both, before anything is written. (index add keeps an image the index has already once, as before.)
   */
  allowDuplicates?: boolean | undefined;
}

export interface IndexCreateOptions extends IndexEntryOptions {
  /**
   * OCI image index (default) or Docker manifest list. A Docker manifest list holds Docker manifests only: OCI images
   * are converted on the way (same blobs, new manifest digests; attestation entries left out), and one Docker's
   * format cannot express (zstd layers, an artifact) is a UsageError.
   */
  manifestFormat?: 'oci' | 'docker' | undefined;
}

export interface IndexAddOptions extends IndexEntryOptions {
  /** Write the new index under this tag of the same repository instead of the index's own tag. */
  tag?: string | undefined;
}

export interface IndexRemoveOptions extends VerbOptions {
  /** Remove the entries of these platforms (one, or a list). */
  platform?: PlatformSpec | readonly PlatformSpec[] | undefined;
  /** Remove the entries of these digests. */
  digests?: string[] | undefined;
  /** Write the new index under this tag of the same repository instead of the index's own tag. */
  tag?: string | undefined;
}

/** The door's `platform` (one name in every operation) as the index operations take it (`platforms`). */
function entryPlatforms<O extends { platforms?: unknown }>(o: Omit<O, 'platforms'> & { platform?: O['platforms'] }): O {
  const { platform: p, ...rest } = o;
  return { ...rest, ...(p === undefined ? {} : { platforms: p }) } as unknown as O;
}

/** The options an ops function takes (its last parameter): what the door hands it, checked. */
export type OpOptions<F extends (...args: never[]) => unknown> = Required<Parameters<F>> extends [...unknown[], infer O] ? NonNullable<O> : never;

const ONE = { credentials };
const PICK = { platform, credentials };
/** The checks of TagScanOptions (del's too). */
export const TAG_SCAN = { exclude: patternList, omitDigestTags: boolean, jobs: positive, onProgress: func, credentials };

/** `'all'` (no filter) or the platforms to keep. */
const platformFilter: Check = (v, name) => {
  const list = platforms(v, name);
  return list === 'all' ? undefined : list;
};

const ENTRIES = { platform: platformFilter, annotations: stringRecord, jobs: positive, onProgress: func, allowDuplicates: boolean, sourceCredentials: credentials, destinationCredentials: credentials };

const REMOVE = {
  platform: (v: unknown, name: string) => {
    if (v === 'all') throw new UsageError(`option ${name}: "all" would leave the index empty`, { option: name });
    return platforms(v, name);
  },
  digests: strings,
  tag: string,
  credentials,
};

const blobInput: Check = (v, name) => {
  const o = (typeof v === 'object' && v !== null ? v : {}) as { path?: unknown; stream?: unknown };
  const keys = Object.keys(o);
  if (keys.length === 1 && typeof o.path === 'string') return v;
  if (keys.length === 1 && typeof (o.stream as AsyncIterable<unknown> | undefined)?.[Symbol.asyncIterator] === 'function') return v;
  throw wrongType(name, '{ path } (a file) or { stream } (an async iterable of bytes)', v);
};

const optionalDigest = (digest: unknown) => (digest === undefined ? undefined : argument<string>(digest, string, 'digest'));

/**
 * The manifest (or index) an image points at, parsed (`manifest`) and as the exact bytes stored (`bytes`, what
 * `digest` is the hash of). Any location: registry, `oci:`, archives, `local:`. With `platform`, that platform's
 * manifest out of an index.
 *
 * @example
 * const { manifest } = await manifestGet('localhost:5000/app:1');
 * if (manifest.kind === 'image') console.log(manifest.layers.length);
 */
export async function manifestGet(image: string, options: PlatformVerbOptions = {}): Promise<ManifestRead> {
  argument(image, string, 'image');
  return operation(options, PICK, (ctx, o: OpOptions<typeof manifestGetOp>) => manifestGetOp(ctx, image, o));
}

/** A manifest's descriptor (digest, media type, size); at a registry from one HEAD request (no pull counted). */
export async function manifestHead(image: string, options: VerbOptions = {}): Promise<Descriptor> {
  argument(image, string, 'image');
  return operation(options, ONE, (ctx, o: OpOptions<typeof manifestHeadOp>) => manifestHeadOp(ctx, image, o));
}

/**
 * The descriptor of each image (see manifestHead), 8 at a time over one set of connections and tokens, a repeated
 * image asked once: an outcome per image in input order (`result`, or the `error` it failed with); one failure does
 * not stop the others. `images`: an array, or any iterable or async iterable of strings; with `onResult`, streamed
 * (BatchStreamOptions).
 */
export async function manifestHeads(images: BatchInput, options?: VerbOptions & { onResult?: undefined }): Promise<Outcome<Descriptor>[]>;
export async function manifestHeads(images: BatchInput, options: VerbOptions & BatchStreamOptions<Descriptor>): Promise<BatchSummary>;
export async function manifestHeads(images: BatchInput, options: VerbOptions & Partial<BatchStreamOptions<Descriptor>> = {}): Promise<Outcome<Descriptor>[] | BatchSummary> {
  argument(images, batchInputs, 'images');
  return operation(options, { ...ONE, onResult: func }, (ctx, { onResult, ...o }: WithCredentials & Partial<BatchStreamOptions<Descriptor>>) => manifestHeadsOp(ctx, images, o, onResult));
}

/**
 * Pushes manifest bytes as given to `REPO:TAG` (or `REPO@DIGEST`, which must be their digest). Unless `force`, first
 * checks that the repository holds everything the manifest names, and refuses (NotFoundError) listing what it lacks.
 */
export async function manifestPut(image: string, bytes: Uint8Array, options: ManifestPutOptions = {}): Promise<Descriptor> {
  argument(image, string, 'image');
  const data = argument<Uint8Array>(bytes, buffer, 'bytes');
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return operation(options, { mediaType: string, force: boolean, credentials }, (ctx, o: OpOptions<typeof manifestPutOp>) => manifestPutOp(ctx, image, buf, o));
}

/** Deletes a manifest by digest (`REPO@DIGEST`) and every tag on it; says which tags went. */
export async function manifestDelete(image: string, options: DeleteOptions = {}): Promise<ManifestDeleteResult> {
  argument(image, string, 'image');
  return operation(options, TAG_SCAN, (ctx, o: OpOptions<typeof manifestDeleteOp>) => manifestDeleteOp(ctx, image, o));
}

/** Removes one tag (`REPO:TAG`) and leaves the manifest and its other tags alone. */
export async function untag(image: string, options: UntagOptions = {}): Promise<UntagResult> {
  argument(image, string, 'image');
  return operation(options, { dryRun: boolean, credentials }, (ctx, o: OpOptions<typeof untagOp>) => untagOp(ctx, image, o));
}

/** The tags of a repository that point at a digest (a HEAD per tag), sorted. */
export async function tagsForDigest(repository: string, digest: string, options: TagScanOptions = {}): Promise<string[]> {
  argument(repository, string, 'repository');
  argument(digest, string, 'digest');
  return operation(options, TAG_SCAN, (ctx, o: OpOptions<typeof tagsForDigestOp>) => tagsForDigestOp(ctx, repository, digest, o));
}

/**
 * A blob by digest: `REPO@DIGEST`, or a location (`REPO`, `oci:DIR[:REF]`, `local:IMAGE`, an archive) and the digest
 * apart. Its `stream` is checked against the digest as it is read; the caller reads (or destroys) it.
 */
export async function blobGet(location: string, digest?: string, options: VerbOptions = {}): Promise<BlobRead> {
  argument(location, string, 'location');
  const d = optionalDigest(digest);
  const get = (o: VerbOptions) => operation(o, ONE, (ctx, oo: OpOptions<typeof blobGetOp>) => blobGetOp(ctx, location, d, oo));
  if (options.context !== undefined) return get(options);
  // The stream is read after this call returns: the context made for it stays open until the stream ends.
  checkOptions(options, { ...CALL_OPTIONS, ...ONE });
  const { credentials: creds, signal, ...settings } = options;
  const context = await createContext(settings).catch((err: unknown) => Promise.reject(libraryError(err)));
  try {
    const read = await get({ context, signal, credentials: creds });
    void finished(read.stream).catch(() => undefined).finally(() => void context.close());
    return read;
  } catch (err) {
    await context.close();
    throw err;
  }
}

/** A blob's descriptor (digest and size) without its bytes; at a registry one HEAD request. */
export async function blobHead(location: string, digest?: string, options: VerbOptions = {}): Promise<Descriptor> {
  argument(location, string, 'location');
  const d = optionalDigest(digest);
  return operation(options, ONE, (ctx, o: OpOptions<typeof blobHeadOp>) => blobHeadOp(ctx, location, d, o));
}

/** Uploads a file (`{ path }`) or a stream (`{ stream }`) as a blob of a registry repository; returns its digest and size. */
export async function blobPut(repository: string, input: BlobInput, options: VerbOptions = {}): Promise<BlobPutResult> {
  argument(repository, string, 'repository');
  argument(input, blobInput, 'input');
  return operation(options, ONE, (ctx, o: OpOptions<typeof blobPutOp>) => blobPutOp(ctx, repository, input, o));
}

/** Deletes a blob from a registry repository (`REPO@DIGEST`, or `REPO` and the digest). */
export async function blobDelete(repository: string, digest?: string, options: VerbOptions = {}): Promise<BlobDeleteResult> {
  argument(repository, string, 'repository');
  const d = optionalDigest(digest);
  return operation(options, ONE, (ctx, o: OpOptions<typeof blobDeleteOp>) => blobDeleteOp(ctx, repository, d, o));
}

/**
 * An image's config, parsed (`config`) and as the exact bytes stored; in an index, the `platform` asked for (default:
 * the host's, like pull).
 *
 * @example
 * const { config } = await imageConfig('localhost:5000/app:1', { platform: 'linux/arm64' });
 * console.log(config?.config?.Env);
 */
export async function imageConfig(image: string, options: PlatformVerbOptions = {}): Promise<ConfigRead> {
  argument(image, string, 'image');
  return operation(options, PICK, (ctx, o: OpOptions<typeof imageConfigOp>) => imageConfigOp(ctx, image, o));
}

/**
 * Creates an index of these images (any location) at `destination` (a registry reference, `oci:DIR:REF` or
 * `local:IMAGE`): each is copied there first (mounted within a registry), then the index naming them is pushed.
 */
export async function indexCreate(destination: string, images: readonly string[], options: IndexCreateOptions = {}): Promise<IndexResult> {
  argument(destination, string, 'destination');
  argument(images, strings, 'images');
  return operation(options, { ...ENTRIES, manifestFormat: oneOf('oci', 'docker') }, (ctx, o) => indexCreateOp(ctx, destination, [...images], entryPlatforms<OpOptions<typeof indexCreateOp>>(o)));
}

/** Writes a new index with `images` added to the index at `index` (entries already there are kept once), under its tag or `tag`. */
export async function indexAdd(index: string, images: readonly string[], options: IndexAddOptions = {}): Promise<IndexResult> {
  argument(index, string, 'index');
  argument(images, strings, 'images');
  return operation(options, { ...ENTRIES, tag: string }, (ctx, o) => indexAddOp(ctx, index, [...images], entryPlatforms<OpOptions<typeof indexAddOp>>(o)));
}

/**
 * Writes a new index without the entries of `platform` or `digests` (and the attestations of what goes), under its
 * tag or `tag`. NotFound when nothing matches; refuses to leave an empty index.
 */
export async function indexRemove(index: string, options: IndexRemoveOptions): Promise<IndexResult> {
  argument(index, string, 'index');
  return operation(options, REMOVE, (ctx, o) => indexRemoveOp(ctx, index, entryPlatforms<OpOptions<typeof indexRemoveOp>>(o)));
}
