import { IntegrityError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { DOCKER_CONFIG, DOCKER_LAYER_GZIP, DOCKER_MANIFEST_V2, OCI_LAYER_ZSTD } from '../oci/media-types.js';
import type { ArchiveFile, ArchiveTree } from './archive-tree.js';
import type { ArchiveBlobs } from './blob-store.js';
import { parseJson } from '../oci/json.js';

/** Docker's media type of an uncompressed layer (distribution's schema2 MediaTypeUncompressedLayer). */
export const DOCKER_LAYER_TAR = 'application/vnd.docker.image.rootfs.diff.tar';

/** One entry of docker's `manifest.json`, its paths resolved to the archive's files. */
export interface DockerEntry {
  config: ArchiveFile;
  layers: ArchiveFile[];
  /** Familiar names as docker writes them: `alpine:latest`, `reg:5000/app:1`. */
  repoTags: string[];
}

function corrupt(message: string): IntegrityError {
  return new IntegrityError(`archive is corrupt: manifest.json: ${message}`, { code: 'ERR_ARCHIVE_CORRUPT' });
}

/** Reads docker's manifest.json: `[{"Config":PATH,"RepoTags":[…]|null,"Layers":[PATH,…]},…]`; paths follow the archive's links. */
export function dockerEntries(tree: ArchiveTree, text: string): DockerEntry[] {
  let doc: unknown;
  try {
    doc = parseJson(text, 'manifest.json');
  } catch {
    throw corrupt('not valid JSON (or nested too deep)');
  }
  if (!Array.isArray(doc)) throw corrupt('expected a list of images');
  return doc.map((raw: unknown, i) => {
    const e = raw as { Config?: unknown; RepoTags?: unknown; Layers?: unknown };
    if (typeof e?.Config !== 'string') throw corrupt(`entry ${i} has no Config`);
    if (!Array.isArray(e.Layers) || !e.Layers.every((l) => typeof l === 'string')) throw corrupt(`entry ${i} has no list of Layers`);
    const tags = e.RepoTags ?? [];
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) throw corrupt(`entry ${i} has malformed RepoTags`);
    const file = (path: string) => {
      const f = tree.file(path);
      if (!f) throw new IntegrityError(`archive is incomplete: manifest.json names ${path}, which is not in the archive`, { code: 'ERR_ARCHIVE_CORRUPT' });
      return f;
    };
    return { config: file(e.Config), layers: (e.Layers as string[]).map(file), repoTags: tags as string[] };
  });
}

/**
 * A Docker schema 2 manifest for an entry that has none in the archive (legacy saves): the config file as
 * config, the layer files as layers with the media type their content has (uncompressed tar for docker's own
 * saves). Its files and bytes are added to `blobs`; returns the manifest's descriptor.
 */
export function synthesizeManifest(entry: DockerEntry, blobs: ArchiveBlobs): Descriptor {
  blobs.addFile(entry.config);
  for (const l of entry.layers) blobs.addFile(l);
  const manifest = {
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST_V2,
    config: { mediaType: DOCKER_CONFIG, size: entry.config.size, digest: entry.config.digest },
    layers: entry.layers.map((l) => ({ mediaType: layerMediaType(l), size: l.size, digest: l.digest })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest, null, 3));
  return { mediaType: DOCKER_MANIFEST_V2, digest: blobs.addBytes(bytes), size: bytes.length };
}

function layerMediaType(f: ArchiveFile): string {
  if (f.compression === 'gzip') return DOCKER_LAYER_GZIP;
  if (f.compression === 'zstd') return OCI_LAYER_ZSTD;
  return DOCKER_LAYER_TAR;
}
