import { readManifest, resolveImage } from '../content/resolve.js';
import type { SourceTarget } from '../content/target.js';
import { ExitCode, NotFoundError, RegctlError } from '../errors.js';
import { BASE_DIGEST, BASE_NAME } from '../oci/base-annotations.js';
import type { ImageIndex, ImageManifest } from '../oci/manifest.js';
import { formatPlatform, platformMatches, type Platform } from '../oci/platform.js';
import { selectPlatform } from '../oci/select-platform.js';
import { formatReference, parseReference } from '../ref/parse.js';
import type { OpsContext } from './context.js';
import { sideContext, type WithCredentials } from './credentials.js';
import { locationRegistries, parseLocation } from './transports/index.js';


export interface CheckBaseOptions extends WithCredentials {
  /** The base to check against (any location), instead of the one the image's annotations name. */
  base?: string;
  /** In an index, this platform's image (default: the host's). */
  platform?: Platform;
}

export interface CheckBaseResult {
  /** The base checked: `base`, else the image's `org.opencontainers.image.base.name`. */
  base: string;
  /** What the image records of it (`org.opencontainers.image.base.digest`), when it does. */
  recordedDigest?: string;
  /** What the base points at now. */
  currentDigest: string;
  /** The image is built on what the base points at now. */
  current: boolean;
  /** How it was told: the recorded digest compared with the base's, or (no digest recorded) the base's layers found under the image's. */
  method: 'digest' | 'layers';
}

/**
 * Has an image's base moved on (regclient `image check-base`)? The base is the one its annotations name
 * (`org.opencontainers.image.base.name` and `.base.digest`, which `append` and `rebase` write) or `base`; it is
 * current when it still points at the recorded digest (an index's, or the image's platform's manifest in it), or,
 * when no digest is recorded, when its layers are still the image's first layers. An image that names no base and
 * no `base` given: RegctlError `ERR_BASE_UNKNOWN` (exit 2).
 */
export async function checkBase(ctx: OpsContext, image: string, opts: CheckBaseOptions = {}): Promise<CheckBaseResult> {
  const fromImage = parseLocation(image);
  const side = await sideContext(ctx, [...locationRegistries(image), ...(opts.base ? locationRegistries(opts.base) : [])], opts.credentials);
  const opened = await fromImage.openSource(side);
  try {
    const src = opened.target;
    const platform = opts.platform ?? ctx.platform;
    const { annotations, manifest } = await imageAnnotations(src, platform, opts.platform !== undefined);
    const named = annotations[BASE_NAME];
    const base = opts.base ?? named;
    if (!base) {
      throw new RegctlError('ERR_BASE_UNKNOWN', `${src.description} does not say which image it is built on (no ${BASE_NAME} annotation)`, ExitCode.usage, {
        hint: 'name the base to check against with option base',
      });
    }
    const recordedDigest = opts.base === undefined || sameName(opts.base, named) ? annotations[BASE_DIGEST] : undefined;
    const baseSrc = await parseLocation(base).openSource(side);
    try {
      const head = await baseSrc.target.head();
      if (recordedDigest) {
        let current = head.digest === recordedDigest;
        if (!current && head.mediaType && /index|list/.test(head.mediaType)) {
          // a builder may have recorded the platform's manifest of the base index
          const { doc } = await readManifest(baseSrc.target, await baseSrc.target.resolve());
          current = doc.kind === 'index' && doc.manifests.some((m) => m.digest === recordedDigest && (!m.platform || platformMatches(platform, m.platform)));
        }
        return { base, recordedDigest, currentDigest: head.digest, current, method: 'digest' };
      }
      if (!manifest) throw new NotFoundError(`${src.description} holds no image for ${formatPlatform(platform)}`, { code: 'ERR_PLATFORM_NOT_FOUND' });
      const { doc: baseDoc } = await resolveImage(baseSrc.target, { platform });
      const baseLayers = baseDoc.kind === 'image' ? baseDoc.layers : [];
      const current = baseLayers.length > 0 && baseLayers.every((l, i) => manifest.layers[i]?.digest === l.digest);
      return { base, currentDigest: head.digest, current, method: 'layers' };
    } finally {
      await baseSrc.close();
    }
  } finally {
    await opened.close();
  }
}

/** The base annotations of the image: the top manifest's, else (an index that has none) its platform's image's. */
async function imageAnnotations(src: SourceTarget, platform: Platform, strict: boolean): Promise<{ annotations: Record<string, string>; manifest?: ImageManifest }> {
  const top = await src.resolve();
  const { doc } = await readManifest(src, top);
  if (doc.kind === 'image') return { annotations: doc.annotations ?? {}, manifest: doc };
  const own = doc.annotations ?? {};
  let child: ImageIndex | ImageManifest | undefined;
  try {
    child = (await readManifest(src, selectPlatform(doc, platform, src.description))).doc;
  } catch (err) {
    if (strict || own[BASE_NAME] === undefined) throw err;
  }
  const manifest = child?.kind === 'image' ? child : undefined;
  if (own[BASE_NAME] !== undefined) return { annotations: own, ...(manifest ? { manifest } : {}) };
  return { annotations: manifest?.annotations ?? {}, ...(manifest ? { manifest } : {}) };
}

/** Do two texts name the same registry image (normalized), or are they the same text? */
function sameName(a: string, b: string | undefined): boolean {
  if (b === undefined) return false;
  if (a === b) return true;
  try {
    return formatReference(parseReference(a)) === formatReference(parseReference(b));
  } catch {
    return false;
  }
}
