import { resolveImage } from '../content/resolve.js';
import { NotFoundError, RegctlError, UsageError } from '../errors.js';
import { sha256Digest } from '../oci/digest.js';
import { imageBlobs, parseManifest, type Descriptor, type ImageIndex, type ImageManifest } from '../oci/manifest.js';
import { OCI_INDEX, OCI_MANIFEST, isNondistributable } from '../oci/media-types.js';
import type { Platform } from '../oci/platform.js';
import { parseReference } from '../ref/parse.js';
import { runPool } from '../util/pool.js';
import { runBatch, type BatchInput, type BatchSummary, type OnResult, type Outcome } from './batch.js';
import type { OpsContext } from './context.js';
import { sideContext, type WithCredentials } from './credentials.js';
import { registryDestination } from './registry-target.js';
import { withSource } from './transports/index.js';

export interface ManifestRead {
  digest: string;
  mediaType: string;
  size: number;
  /** Exactly the bytes the source holds (checked against the digest): what `digest` is the hash of. */
  bytes: Buffer;
  /** The bytes parsed: an image manifest (`kind: 'image'`) or an index (`kind: 'index'`). */
  manifest: ImageManifest | ImageIndex;
}

/**
 * The manifest (or index) an image location points at, bytes unchanged; with a platform, that platform's manifest
 * out of an index (a single image must be of that platform). Any location: registry, `oci:`, archives, `local:`.
 */
export async function manifestGet(ctx: OpsContext, image: string, opts: { platform?: Platform | undefined } & WithCredentials = {}): Promise<ManifestRead> {
  return withSource(ctx, image, async ({ target }) => {
    const { top, bytes, doc } = await resolveImage(target, opts.platform ? { platform: opts.platform, strict: true } : {});
    return { digest: top.digest, mediaType: top.mediaType, size: bytes.length, bytes, manifest: doc };
  }, opts.credentials);
}

/** Digest, media type and size of what a location points at; at a registry one HEAD (no GET, no pull counted). */
export async function manifestHead(ctx: OpsContext, image: string, opts: WithCredentials = {}): Promise<Descriptor> {
  return withSource(ctx, image, async ({ target: src }) => {
    const { mediaType, digest, size } = await src.head();
    return { mediaType, digest, size };
  }, opts.credentials);
}

/**
 * The descriptor of each image (see manifestHead), 8 at a time in one context, repeated images asked once; outcomes
 * in input order, a failure one image's outcome. Streamed to `onResult` when given.
 */
export async function manifestHeads(ctx: OpsContext, images: BatchInput, opts: WithCredentials = {}, onResult?: OnResult<Descriptor>): Promise<Outcome<Descriptor>[] | BatchSummary> {
  return runBatch(ctx, images, opts.credentials, (shared, image) => manifestHead(shared, image), onResult);
}

export interface ManifestPutOptions extends WithCredentials {
  /** The manifest's media type (Content-Type); default: read from the JSON (`mediaType`, else OCI by shape). */
  mediaType?: string;
  /** Push even when the registry lacks blobs or manifests it names. */
  force?: boolean;
}

/**
 * Pushes manifest bytes as given to `REPO:TAG` (or `REPO@DIGEST`, which must be their digest). Unless `force`,
 * first checks that the repository holds everything the manifest names (an index's manifests, an image's config
 * and layers) and refuses with the list of what is missing. Returns the manifest's descriptor.
 */
export async function manifestPut(ctx: OpsContext, image: string, bytes: Buffer, opts: ManifestPutOptions = {}): Promise<Descriptor> {
  const ref = parseReference(image);
  const mediaType = opts.mediaType ?? sniffMediaType(bytes);
  let doc: ImageIndex | ImageManifest;
  try {
    doc = parseManifest(bytes, mediaType, 'the manifest given');
  } catch (err) {
    throw new UsageError(err instanceof RegctlError ? err.message : String(err), { cause: err });
  }
  const desc = { mediaType, digest: sha256Digest(bytes), size: bytes.length };
  if (ref.digest && ref.digest !== desc.digest) throw new UsageError(`the manifest's digest is ${desc.digest}, not ${ref.digest}`);
  const dst = await registryDestination(await sideContext(ctx, [ref.registry], opts.credentials), ref);
  if (!opts.force) {
    const wanted = doc.kind === 'index' ? doc.manifests.map((d) => ({ d, kind: 'manifest' }))
      : imageBlobs(doc).filter((b) => !isNondistributable(b)).map((d) => ({ d, kind: 'blob' }));
    const missing: string[] = [];
    await runPool(wanted, 8, async ({ d, kind }) => {
      if (!(await (kind === 'manifest' ? dst.hasManifest(d) : dst.hasBlob(d)))) missing.push(`${kind} ${d.digest}`);
    });
    if (missing.length) {
      throw new NotFoundError(`${ref.registry}/${ref.repository} lacks ${missing.length} of what the manifest names: ${missing.sort().join(', ')}`, {
        code: 'ERR_MANIFEST_INCOMPLETE',
        hint: 'push them first, or push anyway with option force',
        option: 'force',
      });
    }
  }
  await dst.pushManifest(desc, bytes, { top: true, ...(ref.tag ? { tag: ref.tag } : {}) });
  return desc;
}

/** The media type a manifest declares, else OCI's index or manifest by its shape. */
export function sniffMediaType(bytes: Buffer): string {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new UsageError('the manifest given is not valid JSON');
  }
  if (typeof doc?.mediaType === 'string' && doc.mediaType) return doc.mediaType;
  if (Array.isArray(doc?.manifests)) return OCI_INDEX;
  if (doc?.config && typeof doc.config === 'object') return OCI_MANIFEST;
  throw new UsageError('cannot tell the manifest\'s media type from its JSON', { hint: 'give it with option mediaType', option: 'mediaType' });
}
