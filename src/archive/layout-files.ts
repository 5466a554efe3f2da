import { blobPath, nameAnnotations } from '../oci/layout-format.js';
import type { Descriptor } from '../oci/manifest.js';
import { OCI_INDEX } from '../oci/media-types.js';
import { familiarReference, formatReference, parseReference } from '../ref/parse.js';
import { impliedTag } from '../ref/selector.js';

/** One image recorded in an archive: a name, what index.json points at, and the image docker's manifest.json describes. */
export interface SavedImage {
  /** Reference as given (`alpine`, `docker.io/library/alpine:latest`, `reg:5000/app@sha256:…`); undefined for none. */
  name?: string;
  /** The manifest or index index.json names (for an index: saved whole, with the children that were pushed). */
  top: Descriptor;
  /** The single-platform image for docker's manifest.json (for an index: the platform the caller picked). */
  image?: { manifest: Descriptor; configDigest: string; layerDigests: string[] };
}

export { blobPath, OCI_LAYOUT_CONTENT, OCI_LAYOUT_FILE } from '../oci/layout-format.js';

interface Named {
  full: string;
  tag?: string;
  familiarRepo: string;
}

function named(name: string | undefined): Named | undefined {
  if (name === undefined) return undefined;
  const ref = parseReference(name);
  const tag = impliedTag(ref);
  if (tag === undefined) return { full: ref.name, familiarRepo: '' };
  const tagged = { registry: ref.registry, repository: ref.repository, tag };
  const familiar = familiarReference(tagged);
  return { full: formatReference(tagged), tag, familiarRepo: familiar.slice(0, familiar.length - tag.length - 1) };
}

/**
 * The metadata files of a saved archive, as docker 25 writes them: `index.json` (one entry per image name, with
 * containerd's and OCI's name annotations), docker's `manifest.json` (one entry per single-platform image, names
 * merged into RepoTags, paths into blobs/) and `repositories` (familiar name → tag → top layer file's hex),
 * the last only when some image has a tag. Keys are written in a fixed order, so equal input gives equal bytes.
 */
export function layoutFiles(images: SavedImage[], format: 'docker' | 'oci' = 'docker'): Array<[string, string]> {
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: images.map((img) => {
      const n = format === 'docker' ? named(img.name) : undefined;
      const names = format === 'oci' ? (img.name === undefined ? {} : { ref: img.name }) : n ? { full: n.full, ...(n.tag ? { ref: n.tag } : {}) } : {};
      const annotations: Record<string, string> = { ...(img.top.annotations ?? {}), ...nameAnnotations(names) };
      const d: Record<string, unknown> = { mediaType: img.top.mediaType, digest: img.top.digest, size: img.top.size };
      if (img.top.platform) d.platform = img.top.platform;
      if (Object.keys(annotations).length > 0) d.annotations = sortKeys(annotations);
      return d;
    }),
  };

  const entries: Array<{ key: string; Config: string; RepoTags: string[] | null; Layers: string[] }> = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const img of images) {
    if (!img.image) continue;
    const key = `${img.image.configDigest} ${img.image.layerDigests.join(' ')}`;
    let entry = entries.find((e) => e.key === key);
    if (!entry) {
      entry = { key, Config: blobPath(img.image.configDigest), RepoTags: null, Layers: img.image.layerDigests.map((d) => blobPath(d)) };
      entries.push(entry);
    }
    const n = named(img.name);
    if (!n?.tag) continue;
    // Full names: docker normalizes either form, but podman reads a name without a registry as localhost/NAME.
    const tag = n.full;
    if (!entry.RepoTags?.includes(tag)) entry.RepoTags = [...(entry.RepoTags ?? []), tag];
    const top = img.image.layerDigests.at(-1);
    if (top !== undefined) (repositories[n.familiarRepo] ??= {})[n.tag] = top.slice(top.indexOf(':') + 1);
  }
  const manifest = entries.map(({ Config, RepoTags, Layers }) => ({ Config, RepoTags, Layers }));
  if (format === 'oci') return [['index.json', `${JSON.stringify(index)}\n`]];

  const files: Array<[string, string]> = [
    ['index.json', `${JSON.stringify(index)}\n`],
    ['manifest.json', `${JSON.stringify(manifest)}\n`],
  ];
  if (Object.keys(repositories).length > 0) {
    const sorted = sortKeys(Object.fromEntries(Object.entries(repositories).map(([k, v]) => [k, sortKeys(v)])));
    files.push(['repositories', `${JSON.stringify(sorted)}\n`]);
  }
  return files;
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
