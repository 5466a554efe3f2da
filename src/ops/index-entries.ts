import { copyImage, type CopyOptions } from '../content/copy.js';
import { keptChildren } from '../content/plan.js';
import { readManifest, readSmallBlob } from '../content/resolve.js';
import type { DestinationTarget, SourceTarget } from '../content/target.js';
import { NotFoundError } from '../errors.js';
import type { Descriptor, ImageIndex } from '../oci/manifest.js';
import { formatPlatform, platformMatches, type Platform } from '../oci/platform.js';
import type { OpsContext } from './context.js';
import { copySession } from './copy-session.js';
import { parseLocation } from './transports/index.js';

export interface EntryOptions {
  /** Take only these platforms out of the images (an index's images, and each single image must be one). */
  platforms?: Platform[];
  /** Blobs moved at once, over all images. */
  jobs?: number;
  onProgress?: CopyOptions['onProgress'];
}

/**
 * The index entries for `images` (any location), each copied into `dst` first (blobs mounted where the registry
 * allows, by digest, no tag): a single image becomes one entry whose platform comes from its config (os,
 * architecture, variant, os.version, os.features); an index gives its entries (with their attestations), those of
 * `platforms` when given.
 */
export async function gatherEntries(ctx: OpsContext, dst: DestinationTarget, images: string[], opts: EntryOptions = {}): Promise<IndexEntry[]> {
  const copyOpts: CopyOptions = { session: copySession(ctx, opts.jobs), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) };
  const entries: IndexEntry[] = [];
  dst = unnamed(dst);
  for (const image of images) {
    const opened = await parseLocation(image).openSource(ctx);
    try {
      const src = opened.target;
      const top = await src.resolve();
      const { bytes, doc } = await readManifest(src, top);
      if (doc.kind === 'index') {
        const kept = new Set(keptChildren(doc, opts.platforms));
        if (!kept.size) throw new NotFoundError(`${src.description} has none of the platforms asked for`, { code: 'ERR_PLATFORM_NOT_FOUND' });
        for (const entry of indexEntries(bytes, doc)) {
          if (!kept.has(entry.desc) || (src.hasManifest && !(await src.hasManifest(entry.desc)))) continue;
          await copyImage(pinned(src, entry.desc), dst, copyOpts);
          entries.push(entry);
        }
        continue;
      }
      const config = configPlatform(await readSmallBlob(src, doc.config));
      const platform = config && { os: String(config.os), architecture: String(config.architecture), ...(config.variant ? { variant: String(config.variant) } : {}) };
      if (opts.platforms && !(platform && opts.platforms.some((p) => platformMatches(p, platform)))) {
        throw new NotFoundError(`${src.description} is ${platform ? formatPlatform(platform) : 'an image with no platform'}, not one of the platforms asked for`, { code: 'ERR_PLATFORM_NOT_FOUND' });
      }
      await copyImage(src, dst, copyOpts);
      const desc = { mediaType: top.mediaType, digest: top.digest, size: top.size, ...(platform ? { platform } : {}) };
      entries.push({ desc, json: { mediaType: desc.mediaType, digest: desc.digest, size: desc.size, ...(config ? { platform: config } : {}) } });
    } finally {
      await opened.close();
    }
  }
  return entries;
}

/** The destination for an index's entries: each image copied is named by the index, not on its own (a layout would
 * record it as an unnamed image of its own). */
function unnamed(dst: DestinationTarget): DestinationTarget {
  const push = dst.pushManifest.bind(dst);
  const at: Partial<DestinationTarget> = { pushManifest: (desc, bytes, how = {}) => push(desc, bytes, { ...how, top: false }) };
  return Object.assign(Object.create(dst) as DestinationTarget, at);
}

/** The source, pointed at one of its manifests instead of its reference. */
function pinned(src: SourceTarget, desc: Descriptor): SourceTarget {
  const at: Partial<SourceTarget> = { resolve: async () => desc, head: async () => desc };
  return Object.assign(Object.create(src) as SourceTarget, at);
}

/** An index entry: typed, and as the JSON it is written as (unknown fields such as `os.features` kept). */
export interface IndexEntry {
  desc: Descriptor;
  json: Record<string, unknown>;
}

/** The entries of an index, each with its JSON as the index holds it. */
export function indexEntries(bytes: Buffer, doc: ImageIndex): IndexEntry[] {
  const raw = (JSON.parse(bytes.toString('utf8')) as { manifests: Record<string, unknown>[] }).manifests;
  return doc.manifests.map((desc, i) => ({ desc, json: raw[i]! }));
}

/** The platform object an image config declares, in an index entry's JSON shape (none for an artifact's config). */
function configPlatform(bytes: Buffer): Record<string, unknown> | undefined {
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof c?.os !== 'string' || typeof c.architecture !== 'string') return undefined;
  const features = Array.isArray(c['os.features']) && c['os.features'].every((f) => typeof f === 'string') ? c['os.features'] as string[] : undefined;
  return {
    architecture: c.architecture,
    os: c.os,
    ...(typeof c['os.version'] === 'string' ? { 'os.version': c['os.version'] } : {}),
    ...(features ? { 'os.features': features } : {}),
    ...(typeof c.variant === 'string' ? { variant: c.variant } : {}),
  };
}
