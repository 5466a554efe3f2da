import { IntegrityError, UsageError } from '../errors.js';
import type { Descriptor, ImageManifest } from '../oci/manifest.js';
import { baseMediaType, DOCKER_MANIFEST_V2, DOCKER_LAYER_GZIP, OCI_LAYER_GZIP, OCI_LAYER_ZSTD } from '../oci/media-types.js';
import { rfc3339, rootfsOf, withRootfs, type ImageConfig } from './config-edit.js';
import type { ImageParts } from './edit-image.js';
import type { EditedSource } from './edited-source.js';
import type { BuiltLayer } from './layer-writer.js';

/** A layer of the image's layer list, with the diff_id the config names for it. */
export interface LayerRef {
  desc: Descriptor;
  diffId: string;
}

/** The media type of a new layer in a manifest of this type. zstd needs an OCI manifest (`converting` to OCI counts). */
export function newLayerType(manifestType: string, compression: BuiltLayer['compression'], converting?: 'oci' | 'docker'): string {
  const docker = baseMediaType(manifestType) === DOCKER_MANIFEST_V2 ? converting !== 'oci' : converting === 'docker';
  if (compression === 'zstd') {
    if (docker) {
      throw new UsageError("zstd layers need an OCI manifest: Docker's format has no zstd layer type", { option: 'manifestFormat', hint: 'write the image in OCI format: option manifestFormat oci' });
    }
    return OCI_LAYER_ZSTD;
  }
  return docker ? DOCKER_LAYER_GZIP : OCI_LAYER_GZIP;
}

/** A new layer as a LayerRef of this image, its file added to `out`. */
export function newLayer(parts: ImageParts, layer: BuiltLayer, out: EditedSource, converting?: 'oci' | 'docker'): LayerRef {
  out.addFile(layer.digest, layer.path);
  const mediaType = newLayerType(String(parts.manifest.mediaType ?? parts.doc.mediaType), layer.compression, converting);
  return { desc: { mediaType, digest: layer.digest, size: layer.size }, diffId: layer.diffId };
}

/** A history entry for a layer regctl made. */
export function historyEntry(createdBy: string, created: Date, comment?: string): Record<string, string> {
  return { created: rfc3339(created), created_by: createdBy, ...(comment ? { comment } : {}) };
}

/** The image with exactly these layers, diff_ids and history. */
export function setLayers(parts: ImageParts, layers: LayerRef[], history: unknown[]): { manifest: Record<string, unknown>; config: ImageParts['config'] } {
  return {
    manifest: { ...parts.manifest, layers: layers.map((l) => l.desc) },
    config: withRootfs(parts.config, layers.map((l) => l.diffId), history),
  };
}

/** An image's layers paired with the diff_ids its config names; IntegrityError when the two lists differ in length. */
export function layersOf(doc: ImageManifest, config: ImageConfig, what: string): LayerRef[] {
  const { diffIds } = rootfsOf(config);
  if (diffIds.length !== doc.layers.length) {
    throw new IntegrityError(`${what}: the manifest names ${doc.layers.length} layers, the config ${diffIds.length} diff_ids`, { code: 'ERR_CONFIG_INVALID' });
  }
  return doc.layers.map((desc, i) => ({ desc, diffId: diffIds[i]! }));
}
