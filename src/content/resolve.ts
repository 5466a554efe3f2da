import { IntegrityError, NotFoundError } from '../errors.js';
import { verifyBytes } from '../oci/digest.js';
import { parseManifest, type Descriptor, type ImageIndex, type ImageManifest } from '../oci/manifest.js';
import { formatPlatform, platformMatches, type Platform } from '../oci/platform.js';
import { selectPlatform } from '../oci/select-platform.js';
import { MAX_CONFIG_BYTES } from '../util/limits.js';
import type { SourceTarget } from './target.js';
import { verified } from './verify.js';
import { parseJson } from '../oci/json.js';

export interface PlatformChoice {
  /** The platform to copy out of an index. */
  platform?: Platform;
  /** Strict: a single-platform image of another platform is NotFound too. Default: only indexes are filtered
   * (what pull and save do with the host's platform, like docker). */
  strict?: boolean;
}

export interface ResolvedImage {
  /** What the source reference points at (the index when a platform was picked out of one). */
  source: Descriptor;
  /** The manifest the copy writes as its top: the source's own, or the chosen platform's image. */
  top: Descriptor;
  bytes: Buffer;
  doc: ImageIndex | ImageManifest;
}

/** Resolves the source's reference and, when a platform is asked for, picks it (NotFound when nothing matches). */
export async function resolveImage(src: SourceTarget, choice: PlatformChoice = {}): Promise<ResolvedImage> {
  const source = await src.resolve();
  let top = source;
  let { bytes, doc } = await readManifest(src, top);
  if (choice.platform && doc.kind === 'index') {
    top = selectPlatform(doc, choice.platform, src.description);
    ({ bytes, doc } = await readManifest(src, top));
  } else if (choice.platform && choice.strict && doc.kind === 'image') {
    checkImagePlatform(src.description, await imagePlatform(src, doc), choice.platform);
  }
  return { source, top, bytes, doc };
}

/** NotFound unless a single image's platform (from its config; none for an artifact) is the one asked for. */
export function checkImagePlatform(description: string, have: Platform | undefined, want: Platform): void {
  if (have && platformMatches(want, have)) return;
  throw new NotFoundError(`${description} is ${have ? `a single-platform image for ${formatPlatform(have)}` : 'an image with no platform'}, not ${formatPlatform(want)}`, {
    code: 'ERR_PLATFORM_NOT_FOUND',
  });
}

/** A manifest's bytes from the source, checked against its descriptor, and parsed. */
export async function readManifest(src: SourceTarget, desc: Descriptor): Promise<{ bytes: Buffer; doc: ImageIndex | ImageManifest }> {
  const bytes = verifyBytes(desc, await src.fetchManifest(desc), `${src.description}: manifest ${desc.digest}`);
  return { bytes, doc: parseManifest(bytes, desc.mediaType, src.description) };
}

/** A small blob (a config) read whole, checked, refusing more than `max` bytes. */
export async function readSmallBlob(src: SourceTarget, desc: Descriptor, max = MAX_CONFIG_BYTES): Promise<Buffer> {
  if (desc.size > max) throw new IntegrityError(`${src.description}: blob ${desc.digest} is larger than the ${max} bytes allowed for a config`, { code: 'ERR_BLOB_TOO_LARGE' });
  const { stream } = await src.fetchBlob(desc);
  const chunks: Buffer[] = [];
  for await (const chunk of verified(stream, desc, `${src.description}: blob ${desc.digest}`)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The platform a single image's config declares, when it declares one. */
async function imagePlatform(src: SourceTarget, doc: ImageManifest): Promise<Platform | undefined> {
  const bytes = await readSmallBlob(src, doc.config);
  let config: Record<string, unknown>;
  try {
    config = parseJson(bytes, 'config') as Record<string, unknown>;
  } catch {
    return undefined; // an artifact's config need not be JSON (and one nested too deep is not read)
  }
  if (typeof config?.os !== 'string' || typeof config.architecture !== 'string') return undefined;
  return { os: config.os, architecture: config.architecture, ...(typeof config.variant === 'string' ? { variant: config.variant } : {}) };
}
