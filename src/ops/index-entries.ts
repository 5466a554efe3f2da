import { copyImage, type CopyOptions } from '../content/copy.js';
import { convertManifests, type ManifestFormat } from '../content/convert.js';
import { keptChildren } from '../content/plan.js';
import { readManifest, readSmallBlob } from '../content/resolve.js';
import type { DestinationTarget, SourceTarget } from '../content/target.js';
import { NotFoundError, UsageError } from '../errors.js';
import { REFERENCE_TYPE, type Descriptor, type ImageIndex } from '../oci/manifest.js';
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
  /**
   * List the same image twice, or two images of one platform. Without it either is a UsageError naming both, and
   * nothing is written.
   */
  allowDuplicates?: boolean;
}

/** How the entries are gathered for the index they go into. */
export interface GatherOptions {
  /** `docker`: the index is a Docker manifest list, so each image is converted to a Docker manifest on the way. */
  format?: ManifestFormat;
  /** The entries the index has already (index add), checked with the new ones; `name` says whose they are. */
  existing?: { name: string; entries: IndexEntry[] };
}

/** An entry found in an image, before anything is copied. */
interface Found {
  entry: IndexEntry;
  src: SourceTarget;
  /** The image argument it came from (with the platform, for an index's entry). */
  from: string;
}

/**
 * The index entries for `images` (any location), each copied into `dst` first (blobs mounted where the registry
 * allows, by digest, no tag): a single image becomes one entry whose platform comes from its config (os,
 * architecture, variant, os.version, os.features); an index gives its entries (with their attestations), those of
 * `platforms` when given. Every image is read before anything is copied, so that one image given twice, or two of
 * one platform, is refused (unless `allowDuplicates`) with nothing written. For a Docker manifest list
 * (`how.format`) OCI images are converted to Docker manifests (their blobs unchanged; zstd layers and artifacts
 * cannot be: a UsageError), and attestation entries, which name the unconverted images, are left out.
 */
export async function gatherEntries(ctx: OpsContext, dst: DestinationTarget, images: string[], opts: EntryOptions = {}, how: GatherOptions = {}): Promise<IndexEntry[]> {
  const copyOpts: CopyOptions = { session: copySession(ctx, opts.jobs), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) };
  const docker = how.format === 'docker';
  dst = unnamed(dst);
  const opened: Array<{ close(): Promise<void> }> = [];
  try {
    const found: Found[] = [];
    for (const image of images) {
      const source = await parseLocation(image).openSource(ctx);
      opened.push(source);
      const src = source.target;
      const top = await src.resolve();
      const { bytes, doc } = await readManifest(src, top);
      if (doc.kind === 'index') {
        const kept = new Set(keptChildren(doc, opts.platforms));
        if (!kept.size) throw new NotFoundError(`${src.description} has none of the platforms asked for`, { code: 'ERR_PLATFORM_NOT_FOUND' });
        for (const entry of indexEntries(bytes, doc)) {
          if (!kept.has(entry.desc) || (src.hasManifest && !(await src.hasManifest(entry.desc)))) continue;
          if (docker && entry.desc.annotations?.[REFERENCE_TYPE]) continue;
          found.push({ entry, src: pinned(src, entry.desc), from: entry.desc.platform ? `${image} (${formatPlatform(entry.desc.platform)})` : `${image} (${entry.desc.digest})` });
        }
        continue;
      }
      const config = configPlatform(await readSmallBlob(src, doc.config));
      const platform = config && { os: String(config.os), architecture: String(config.architecture), ...(config.variant ? { variant: String(config.variant) } : {}), ...(config['os.version'] ? { osVersion: String(config['os.version']) } : {}) };
      if (opts.platforms && !(platform && opts.platforms.some((p) => platformMatches(p, platform)))) {
        throw new NotFoundError(`${src.description} is ${platform ? formatPlatform(platform) : 'an image with no platform'}, not one of the platforms asked for`, { code: 'ERR_PLATFORM_NOT_FOUND' });
      }
      const desc = { mediaType: top.mediaType, digest: top.digest, size: top.size, ...(platform ? { platform } : {}) };
      found.push({ entry: { desc, json: { mediaType: desc.mediaType, digest: desc.digest, size: desc.size, ...(config ? { platform: config } : {}) } }, src, from: image });
    }
    if (!opts.allowDuplicates) refuseDuplicates(found, how.existing);
    // Every image must convert before any is copied: a list refused half-way would leave manifests behind.
    if (docker) {
      for (const { entry, src, from } of found) {
        const { bytes } = await readManifest(src, entry.desc);
        notForDockerList(from, () => convertManifests([{ desc: entry.desc, bytes, how: {} }], 'docker'));
      }
    }

    const entries: IndexEntry[] = [];
    for (const { entry, src, from } of found) {
      if (!docker) {
        await copyImage(src, dst, copyOpts);
        entries.push(entry);
        continue;
      }
      const copied = await notForDockerList(from, () => copyImage(src, dst, { ...copyOpts, format: 'docker' }));
      const desc: Descriptor = { ...entry.desc, mediaType: copied.top.mediaType, digest: copied.top.digest, size: copied.top.size };
      delete desc.annotations;
      const { annotations: _, ...json } = entry.json;
      entries.push({ desc, json: { ...json, mediaType: desc.mediaType, digest: desc.digest, size: desc.size } });
    }
    return entries;
  } finally {
    for (const o of opened) await o.close();
  }
}

/** Runs `fn`; a UsageError of Docker's format (zstd layers, an artifact) says which image cannot go into the list. */
function notForDockerList<T>(from: string, fn: () => T): T {
  const refuse = (err: unknown): never => {
    if (!(err instanceof UsageError)) throw err;
    throw new UsageError(`${from} cannot go into a Docker manifest list: ${err.message}`, { option: 'manifestFormat', hint: "write an OCI index (option manifestFormat 'oci'), which holds any image" });
  };
  try {
    const out = fn();
    return (out instanceof Promise ? out.catch(refuse) : out) as T;
  } catch (err) {
    return refuse(err);
  }
}

/**
 * A UsageError naming both when one image is listed twice, or two images of one platform (os, architecture,
 * variant, os.version) would share the index. Attestation entries are not images of a platform. An image the index
 * has already is kept once (index add), not a duplicate.
 */
function refuseDuplicates(found: Found[], existing: GatherOptions['existing']): void {
  const images = (entries: IndexEntry[]) => entries.filter((e) => !e.desc.annotations?.[REFERENCE_TYPE]);
  const have = new Set(images(existing?.entries ?? []).map((e) => e.desc.digest));
  const byDigest = new Map<string, string>();
  const byPlatform = new Map<string, string>();
  for (const e of images(existing?.entries ?? [])) {
    if (e.desc.platform) byPlatform.set(formatPlatform(e.desc.platform), `${existing!.name}'s entry ${e.desc.digest}`);
  }
  for (const { entry: { desc }, from } of found) {
    if (desc.annotations?.[REFERENCE_TYPE] || have.has(desc.digest)) continue;
    const same = byDigest.get(desc.digest);
    if (same !== undefined) {
      throw new UsageError(`${same} and ${from} are the same image (${desc.digest}): an index lists it once`, { option: 'allowDuplicates', hint: 'give it once, or option allowDuplicates to list it twice' });
    }
    byDigest.set(desc.digest, from);
    if (!desc.platform) continue;
    const key = formatPlatform(desc.platform);
    const other = byPlatform.get(key);
    if (other !== undefined) {
      throw new UsageError(`${other} and ${from} are both ${key}: an index has one image per platform`, { option: 'allowDuplicates', hint: 'keep one of them (option platform picks out of an index), or option allowDuplicates to list both' });
    }
    byPlatform.set(key, from);
  }
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
