import { readManifest } from '../content/resolve.js';
import { writeTo, type DestinationTarget } from '../content/target.js';
import { NotFoundError, UsageError } from '../errors.js';
import { sha256Digest } from '../oci/digest.js';
import { REFERENCE_DIGEST, type Descriptor } from '../oci/manifest.js';
import { DOCKER_MANIFEST_LIST, OCI_INDEX, isIndexMediaType } from '../oci/media-types.js';
import { formatPlatform, platformMatches, type Platform } from '../oci/platform.js';
import { parseReference, withTag } from '../ref/parse.js';
import type { OpsContext } from './context.js';
import { sideContext, transferContexts, type WithCredentials, type WithTransferCredentials } from './credentials.js';
import { gatherEntries, indexEntries, type EntryOptions, type IndexEntry } from './index-entries.js';
import { locationRegistries, parseLocation, withSource } from './transports/index.js';

/** `sourceCredentials` apply to the images added, `destinationCredentials` to the index's registry. */
export interface IndexCreateOptions extends EntryOptions, WithTransferCredentials {
  /** OCI image index (default) or Docker manifest list. */
  manifestFormat?: 'oci' | 'docker';
  /** The index's annotations (OCI only). */
  annotations?: Record<string, string>;
}

/** `sourceCredentials` apply to the images added, `destinationCredentials` to the index's registry (read and written). */
export interface IndexEditOptions extends EntryOptions, WithTransferCredentials {
  /** Write the new index under this tag of the same repository instead of the index's own tag. */
  tag?: string;
  /** Annotations to set on the index (OCI only). */
  annotations?: Record<string, string>;
}

export interface IndexResult {
  /** Where it was written. */
  name: string;
  digest: string;
  mediaType: string;
  /** Its entries. */
  manifests: Descriptor[];
}

/**
 * Builds an index at `destination` (a registry reference, `oci:DIR:REF` or `local:IMAGE`) from images in any
 * location: each is copied there first (mounted within a registry), then the index naming them is pushed. A Docker
 * manifest list gets Docker manifests: OCI images are converted on the way (same blobs, new manifest digests), and
 * one that cannot be (zstd layers, an artifact) is refused. The same image twice, or two images of one platform,
 * are refused unless `allowDuplicates`.
 */
export async function indexCreate(ctx: OpsContext, destination: string, images: string[], opts: IndexCreateOptions = {}): Promise<IndexResult> {
  if (!images.length) throw new UsageError('no images given: an index lists at least one');
  const mediaType = opts.manifestFormat === 'docker' ? DOCKER_MANIFEST_LIST : OCI_INDEX;
  if (mediaType === DOCKER_MANIFEST_LIST && Object.keys(opts.annotations ?? {}).length) throw new UsageError(NO_ANNOTATIONS, { option: 'annotations' });
  const [srcCtx, dstCtx] = await indexContexts(ctx, destination, images, opts);
  const format = mediaType === DOCKER_MANIFEST_LIST ? { format: 'docker' as const } : {};
  return writeIndex(dstCtx, destination, async (dst) => ({ mediaType, entries: await gatherEntries(srcCtx, dst, images, opts, format), annotations: opts.annotations }));
}

/** A new index with `images` added to the index at `index` (entries already there are kept once), under the same or `opts.tag`. */
export async function indexAdd(ctx: OpsContext, index: string, images: string[], opts: IndexEditOptions = {}): Promise<IndexResult> {
  if (!images.length) throw new UsageError('no images given to add');
  const target = editTarget(index, opts.tag);
  const [srcCtx, dstCtx] = await indexContexts(ctx, target, images, opts);
  const current = await readIndex(dstCtx, index);
  return writeIndex(dstCtx, target, async (dst) => {
    // A Docker manifest list stays one: the images added are converted as index create converts them.
    const added = await gatherEntries(srcCtx, dst, images, opts, {
      ...(current.mediaType === DOCKER_MANIFEST_LIST ? { format: 'docker' as const } : {}),
      existing: { name: index, entries: current.entries },
    });
    const have = new Set(current.entries.map((e) => e.desc.digest));
    return { ...current, entries: [...current.entries, ...added.filter((e) => !have.has(e.desc.digest))], annotations: { ...current.annotations, ...opts.annotations } };
  });
}

export interface IndexRemoveOptions extends WithCredentials {
  /** Remove the entries of these platforms. */
  platforms?: Platform[];
  /** Remove the entries of these digests. */
  digests?: string[];
  /** Write the new index under this tag of the same repository instead of the index's own tag. */
  tag?: string;
}

/**
 * A new index without the entries of the given platforms or digests (and the attestation manifests of what goes),
 * under the same tag or `opts.tag`. NotFound when nothing matches; refusing to leave an empty index.
 */
export async function indexRemove(ctx: OpsContext, index: string, opts: IndexRemoveOptions): Promise<IndexResult> {
  const { platforms, digests } = opts;
  if (!platforms?.length && !digests?.length) throw new UsageError('nothing to remove: give option platform or option digests', { option: 'platform' });
  ctx = await sideContext(ctx, locationRegistries(index), opts.credentials);
  const current = await readIndex(ctx, index);
  const hit = (e: IndexEntry) => digests?.includes(e.desc.digest) || (e.desc.platform && platforms?.some((p) => platformMatches(p, e.desc.platform!)));
  const gone = new Set(current.entries.filter(hit).map((e) => e.desc.digest));
  if (!gone.size) throw new NotFoundError(`${index} has no entry of ${[...(platforms ?? []).map(formatPlatform), ...(digests ?? [])].join(', ')}`);
  const entries = current.entries.filter((e) => !gone.has(e.desc.digest) && !gone.has(e.desc.annotations?.[REFERENCE_DIGEST] ?? ''));
  if (!entries.length) throw new UsageError(`that would leave ${index} empty`, { hint: 'delete the index instead' });
  return writeIndex(ctx, editTarget(index, opts.tag), async () => ({ ...current, entries }));
}

/** The contexts the images are read in and the index is written in. */
function indexContexts(ctx: OpsContext, index: string, images: string[], opts: WithTransferCredentials): Promise<[OpsContext, OpsContext]> {
  return transferContexts(ctx,
    { registries: images.flatMap(locationRegistries), credentials: opts.sourceCredentials },
    { registries: locationRegistries(index), credentials: opts.destinationCredentials });
}

const NO_ANNOTATIONS = 'a Docker manifest list has no annotations; use the OCI format';

interface IndexContent {
  mediaType: string;
  entries: IndexEntry[];
  annotations?: Record<string, string> | undefined;
}

async function readIndex(ctx: OpsContext, index: string): Promise<IndexContent> {
  return withSource(ctx, index, async ({ target: src }) => {
    const top = await src.resolve();
    const { bytes, doc } = await readManifest(src, top);
    if (doc.kind !== 'index' || !isIndexMediaType(top.mediaType)) throw new UsageError(`${src.description} is a single image, not an index`, { hint: 'create an index of it first' });
    return { mediaType: top.mediaType, entries: indexEntries(bytes, doc), ...(doc.annotations ? { annotations: doc.annotations } : {}) };
  });
}

/** The index's own location, or its repository at `tag`. */
function editTarget(index: string, tag: string | undefined): string {
  if (tag === undefined) return index;
  const location = parseLocation(index);
  if (location.transport.name !== 'docker') throw new UsageError(`option tag: works with an index in a registry; name the destination in ${index} instead`, { option: 'tag' });
  return withTag(parseReference(index.replace(/^docker:\/\//, '')), tag).name;
}

/** Opens the destination, lets `build` copy what it needs there, then pushes the index and commits. */
async function writeIndex(ctx: OpsContext, destination: string, build: (dst: DestinationTarget) => Promise<IndexContent>): Promise<IndexResult> {
  const location = parseLocation(destination);
  if (location.singlePlatform) throw new UsageError(`${destination} holds single images; an index cannot be written there`);
  const opened = await location.openDestination(ctx, {});
  try {
    return await writeTo(opened.target, async (dst) => {
      const { mediaType, entries, annotations } = await build(dst);
      if (annotations && Object.keys(annotations).length && mediaType === DOCKER_MANIFEST_LIST) {
        throw new UsageError(NO_ANNOTATIONS, { option: 'annotations' });
      }
      const doc = { schemaVersion: 2, mediaType, manifests: entries.map((e) => e.json), ...(annotations && Object.keys(annotations).length ? { annotations } : {}) };
      const bytes = Buffer.from(JSON.stringify(doc, null, 2));
      const desc = { mediaType, digest: sha256Digest(bytes), size: bytes.length };
      await dst.pushManifest(desc, bytes, { top: true, ...(opened.name ? { tag: opened.name } : {}) });
      return { name: destination, digest: desc.digest, mediaType, manifests: entries.map((e) => e.desc) };
    });
  } finally {
    await opened.close();
  }
}
