import { IntegrityError, type ErrorCode } from '../errors.js';
import { parseManifest, type Descriptor, type ImageManifest } from '../oci/manifest.js';
import { baseMediaType, DOCKER_CONFIG, OCI_CONFIG } from '../oci/media-types.js';
import { isNondistributable } from '../oci/media-types.js';
import type { ArchiveBlobs } from './blob-store.js';
import { zstdDiffId } from './zstd.js';
import { parseJson } from '../oci/json.js';

const MAX_DEPTH = 8;

/** The image manifests present under `top` (an index's missing children are skipped), and whether all of it is there. */
export interface Walk {
  complete: boolean;
  images: Array<{ desc: Descriptor; manifest: ImageManifest }>;
}

export async function walk(top: Descriptor, blobs: ArchiveBlobs, depth = 0): Promise<Walk> {
  if (!blobs.has(top.digest)) return { complete: false, images: [] };
  if (depth > MAX_DEPTH) throw new IntegrityError(`archive is corrupt: indexes nested deeper than ${MAX_DEPTH}`, { code: 'ERR_ARCHIVE_CORRUPT' });
  const bytes = await blobs.read(top.digest, 'manifest');
  let m: ReturnType<typeof parseManifest>;
  try {
    m = parseManifest(bytes, top.mediaType, `manifest ${top.digest}`);
  } catch (err) {
    throw new IntegrityError(`archive is corrupt: ${(err as Error).message}`, { code: 'ERR_ARCHIVE_CORRUPT', cause: err });
  }
  if (m.kind === 'image') {
    const complete = [m.config, ...m.layers].every((d) => blobs.has(d.digest));
    return { complete, images: [{ desc: top, manifest: m }] };
  }
  const out: Walk = { complete: true, images: [] };
  for (const child of m.manifests) {
    const w = await walk(child, blobs, depth + 1);
    out.complete &&= w.complete;
    out.images.push(...w.images);
  }
  return out;
}

/**
 * Checks one image of the archive: its config and layers are present, and for an image config each layer's
 * uncompressed content hashes to the config's `rootfs.diff_ids` entry (computed when the archive was read).
 * zstd layers are decoded here (zstd.ts). Foreign / non-distributable layers may be absent (saves leave them out).
 */
export async function verifyImage(desc: Descriptor, m: ImageManifest, blobs: ArchiveBlobs, what: string): Promise<void> {
  const fail = (message: string, code: ErrorCode = 'ERR_DIGEST_MISMATCH') => new IntegrityError(`${what}: ${message}`, { code });
  for (const d of [m.config, ...m.layers]) {
    if (!blobs.has(d.digest) && d !== m.config && isNondistributable(d)) continue;
    if (!blobs.has(d.digest)) throw fail(`archive is incomplete: blob ${d.digest} of manifest ${desc.digest} is missing`, 'ERR_ARCHIVE_CORRUPT');
    const size = blobs.size(d.digest);
    if (size !== d.size) throw fail(`blob ${d.digest} has ${size} bytes, the manifest says ${d.size}`, 'ERR_SIZE_MISMATCH');
  }
  const configType = baseMediaType(m.config.mediaType);
  if (configType !== DOCKER_CONFIG && configType !== OCI_CONFIG) return;
  let config: { rootfs?: { diff_ids?: unknown } };
  try {
    config = parseJson(await blobs.read(m.config.digest, 'config'), `config ${m.config.digest}`) as typeof config;
  } catch (err) {
    if (err instanceof IntegrityError) throw err;
    throw fail(`config ${m.config.digest} is not valid JSON`, 'ERR_ARCHIVE_CORRUPT');
  }
  const diffIds = config?.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || diffIds.length !== m.layers.length) {
    throw fail(`the config lists ${Array.isArray(diffIds) ? diffIds.length : 'no'} diff_ids for ${m.layers.length} layers`);
  }
  for (const [i, layer] of m.layers.entries()) {
    if (!blobs.has(layer.digest) && isNondistributable(layer)) continue;
    const file = blobs.file(layer.digest);
    if (!file) throw fail(`layer ${layer.digest} is missing`, 'ERR_ARCHIVE_CORRUPT');
    if (file.compression === 'zstd' && file.diffId === undefined) file.diffId = await zstdDiffId(file.file);
    if (file.diffIdError) throw fail(`layer ${i + 1} (${layer.digest}) cannot be decompressed: ${file.diffIdError}`);
    if (file.diffId !== diffIds[i]) {
      throw fail(`layer ${i + 1} (${layer.digest}) does not match the config: its content is ${file.diffId}, diff_ids[${i}] is ${String(diffIds[i])}`);
    }
  }
}
