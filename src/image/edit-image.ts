import { readManifest, readSmallBlob, checkImagePlatform } from '../content/resolve.js';
import type { SourceTarget } from '../content/target.js';
import { NotFoundError } from '../errors.js';
import { REFERENCE_DIGEST, REFERENCE_TYPE, type Descriptor, type ImageManifest } from '../oci/manifest.js';
import { formatPlatform, platformMatches, type Platform } from '../oci/platform.js';
import { isImageManifestMediaType } from '../oci/media-types.js';
import { isObject, parseConfig, type ImageConfig } from './config-edit.js';
import { EditedSource } from './edited-source.js';

/** One platform's image as an edit sees it: manifest and config as JSON, to be returned changed. */
export interface ImageParts {
  manifest: Record<string, unknown>;
  config: ImageConfig;
  /** The parsed manifest (layer descriptors). */
  doc: ImageManifest;
  /** From the index entry, else from the config; undefined for an image that names none. */
  platform?: Platform;
}

/** Changes one image: the new manifest and config (new blobs it names are added to `out`). */
export type ImageEdit = (image: ImageParts, out: EditedSource) => Promise<{ manifest: Record<string, unknown>; config: ImageConfig }>;

export interface EditOptions {
  /** Change only this platform's image of an index (the others are kept as they are). NotFound when none matches. */
  platform?: Platform;
  /** Annotations set on the index, when the source is one. */
  indexAnnotations?: Record<string, string>;
}

/**
 * Applies `edit` to the image the source points at, or to each image of an index (those of `platform` only when
 * given), and returns the source with the changes on top, resolving to the new image or the new index. Entries
 * that are not images (artifacts, nested indexes) are kept; attestation manifests of a changed image are dropped,
 * since what they attest is gone.
 */
export async function editImage(src: SourceTarget, edit: ImageEdit, opts: EditOptions = {}): Promise<EditedSource> {
  const out = new EditedSource(src);
  const top = await src.resolve();
  const { bytes, doc } = await readManifest(src, top);
  if (doc.kind === 'image') {
    out.setTop(await editOne(src, top, doc, bytes, undefined, edit, out, opts.platform));
    return out;
  }
  const changed = new Map<string, Descriptor>();
  for (const child of doc.manifests) {
    if (!isImageManifestMediaType(child.mediaType) || child.annotations?.[REFERENCE_TYPE] || child.platform?.os === 'unknown') continue;
    if (opts.platform && !(child.platform && platformMatches(opts.platform, child.platform))) continue;
    if (src.hasManifest && !(await src.hasManifest(child))) continue; // an archive holding part of the index
    const m = await readManifest(src, child);
    if (m.doc.kind !== 'image') continue;
    changed.set(child.digest, await editOne(src, child, m.doc, m.bytes, child.platform, edit, out));
  }
  if (opts.platform && changed.size === 0) {
    throw new NotFoundError(`no image for platform ${formatPlatform(opts.platform)} in ${src.description}`, { code: 'ERR_PLATFORM_NOT_FOUND' });
  }
  const index = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  index.manifests = (index.manifests as Array<Record<string, unknown>>)
    .filter((c) => !(isObject(c.annotations) && c.annotations[REFERENCE_TYPE] && changed.has(String(c.annotations[REFERENCE_DIGEST]))))
    .map((c) => {
      const next = changed.get(String(c.digest));
      return next ? { ...c, mediaType: next.mediaType, digest: next.digest, size: next.size } : c;
    });
  if (opts.indexAnnotations) index.annotations = { ...(isObject(index.annotations) ? index.annotations : {}), ...opts.indexAnnotations };
  out.setTop(out.addManifest(top.mediaType || doc.mediaType, index));
  return out;
}

async function editOne(
  src: SourceTarget, desc: Descriptor, doc: ImageManifest, bytes: Buffer, platform: Platform | undefined, edit: ImageEdit, out: EditedSource, want?: Platform,
): Promise<Descriptor> {
  const config = parseConfig(await readSmallBlob(src, doc.config), `${src.description}: ${desc.digest}`);
  const own = platform ?? configPlatform(config);
  if (want) checkImagePlatform(src.description, own, want);
  const manifest = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  const next = await edit({ manifest, config, doc, ...(own ? { platform: own } : {}) }, out);
  const configDesc = out.addBlob(doc.config.mediaType, Buffer.from(JSON.stringify(next.config)));
  return out.addManifest(desc.mediaType || doc.mediaType, { ...next.manifest, config: { ...(next.manifest.config as object), ...configDesc } });
}

/** The platform an image's config declares. */
export function configPlatform(config: ImageConfig): Platform | undefined {
  if (typeof config.os !== 'string' || typeof config.architecture !== 'string') return undefined;
  return { os: config.os, architecture: config.architecture, ...(typeof config.variant === 'string' ? { variant: config.variant } : {}) };
}
