import { UsageError } from '../errors.js';
import { sha256Digest } from '../oci/digest.js';
import type { Descriptor } from '../oci/manifest.js';
import {
  baseMediaType,
  DOCKER_CONFIG,
  DOCKER_LAYER_FOREIGN_GZIP,
  DOCKER_LAYER_GZIP,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST_V2,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
} from '../oci/media-types.js';
import type { PlannedManifest } from './plan.js';

/** The manifest format a copy converts to: OCI image spec or Docker's schema 2. */
export type ManifestFormat = 'oci' | 'docker';

const DOCKER_LAYER_TAR = 'application/vnd.docker.image.rootfs.diff.tar';
const DOCKER_LAYER_FOREIGN_TAR = 'application/vnd.docker.image.rootfs.foreign.diff.tar';
const OCI_NONDIST_TAR = 'application/vnd.oci.image.layer.nondistributable.v1.tar';
const OCI_NONDIST_GZIP = 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';

/** Docker media type → OCI media type; the reverse map converts to Docker. Types not listed are kept. */
const TO_OCI: Record<string, string> = {
  [DOCKER_MANIFEST_LIST]: OCI_INDEX,
  [DOCKER_MANIFEST_V2]: OCI_MANIFEST,
  [DOCKER_CONFIG]: OCI_CONFIG,
  [DOCKER_LAYER_GZIP]: OCI_LAYER_GZIP,
  [DOCKER_LAYER_TAR]: OCI_LAYER,
  [DOCKER_LAYER_FOREIGN_GZIP]: OCI_NONDIST_GZIP,
  [DOCKER_LAYER_FOREIGN_TAR]: OCI_NONDIST_TAR,
};
const TO_DOCKER: Record<string, string> = Object.fromEntries(Object.entries(TO_OCI).map(([d, o]) => [o, d]));

/**
 * Rewrites planned manifests (children before their index) into `format`: the manifest's, config's and layers'
 * media types change, blobs do not (the same bytes under another name), and each index names its children's new
 * digests. Manifests already in the format keep their bytes. Returns the rewritten list, in the same order.
 * Content Docker's format cannot express (zstd layers, artifacts, a `subject`) is a UsageError.
 */
export function convertManifests(manifests: PlannedManifest[], format: ManifestFormat): PlannedManifest[] {
  const renamed = new Map<string, Descriptor>();
  return manifests.map((m) => {
    const doc = JSON.parse(m.bytes.toString('utf8')) as Record<string, unknown>;
    const what = `manifest ${m.desc.digest}`;
    const map = (mt: unknown, role: string): string => convertType(String(mt ?? ''), format, role, what);
    const isIndex = Array.isArray(doc.manifests);
    const changed = { value: false };
    const set = (obj: Record<string, unknown>, key: string, value: unknown) => {
      if (obj[key] !== value) {
        obj[key] = value;
        changed.value = true;
      }
    };
    if (format === 'docker' && (doc.subject !== undefined || doc.artifactType !== undefined)) {
      throw new UsageError(`${what} is an artifact (it has a subject or an artifactType): Docker's format cannot hold it`);
    }
    set(doc, 'mediaType', isIndex ? (format === 'oci' ? OCI_INDEX : DOCKER_MANIFEST_LIST) : format === 'oci' ? OCI_MANIFEST : DOCKER_MANIFEST_V2);
    if (isIndex) {
      for (const child of doc.manifests as Array<Record<string, unknown>>) {
        const next = renamed.get(String(child.digest));
        if (next) {
          set(child, 'mediaType', next.mediaType);
          set(child, 'digest', next.digest);
          set(child, 'size', next.size);
        } else {
          set(child, 'mediaType', map(child.mediaType, 'manifest'));
        }
      }
    } else {
      const config = doc.config as Record<string, unknown> | undefined;
      if (config) set(config, 'mediaType', map(config.mediaType, 'config'));
      for (const layer of (doc.layers as Array<Record<string, unknown>> | undefined) ?? []) set(layer, 'mediaType', map(layer.mediaType, 'layer'));
    }
    if (!changed.value) return m;
    const bytes = Buffer.from(JSON.stringify(doc));
    const desc: Descriptor = { ...m.desc, mediaType: String(doc.mediaType), digest: sha256Digest(bytes), size: bytes.length };
    renamed.set(m.desc.digest, desc);
    return { desc, bytes, how: m.how };
  });
}

function convertType(mediaType: string, format: ManifestFormat, role: string, what: string): string {
  const base = baseMediaType(mediaType);
  const mapped = (format === 'oci' ? TO_OCI : TO_DOCKER)[base];
  if (mapped) return mapped;
  if (format === 'docker' && base.startsWith('application/vnd.oci.image.') && role !== 'manifest') {
    throw new UsageError(`${what}: the ${role} type ${base} has no Docker equivalent`, { option: 'manifestFormat', hint: "copy it without option manifestFormat 'docker', or with 'oci'" });
  }
  return mediaType;
}
