import { readSmallBlob, resolveImage } from '../content/resolve.js';
import { IntegrityError, UsageError } from '../errors.js';
import type { ImageConfig } from '../oci/image-config.js';
import { parseJson } from '../oci/json.js';
import { baseMediaType, DOCKER_CONFIG, OCI_CONFIG } from '../oci/media-types.js';
import type { Platform } from '../oci/platform.js';
import type { OpsContext } from './context.js';
import type { WithCredentials } from './credentials.js';
import { withSource } from './transports/index.js';

export interface ConfigRead {
  /** The config's digest and media type, as the manifest names them. */
  digest: string;
  mediaType: string;
  size: number;
  /** Exactly the bytes stored (checked against the digest): what `digest` is the hash of. */
  bytes: Buffer;
  /** The bytes parsed; absent when they are not JSON (an artifact's config may be anything). */
  config?: ImageConfig;
}

/**
 * The config of the image a location points at; in an index, the given platform's image (default: the host's,
 * like pull; an explicit platform a single image lacks is NotFound). Any location.
 */
export async function imageConfig(ctx: OpsContext, image: string, opts: { platform?: Platform | undefined } & WithCredentials = {}): Promise<ConfigRead> {
  return withSource(ctx, image, async ({ target: src }) => {
    const { doc } = await resolveImage(src, { platform: opts.platform ?? ctx.platform, strict: opts.platform !== undefined });
    if (doc.kind !== 'image') throw new UsageError(`${src.description} is an index of indexes; name one of its images`);
    const { digest, mediaType } = doc.config;
    const bytes = await readSmallBlob(src, doc.config);
    const config = parseImageConfig(bytes, mediaType, `${src.description}: config ${digest}`);
    return { digest, mediaType, size: bytes.length, bytes, ...(config ? { config } : {}) };
  }, opts.credentials);
}

/**
 * Config bytes as an ImageConfig: any JSON object. Undefined when the bytes are not one and the media type is not an
 * image config's (an artifact's config may be anything); an image config that is not a JSON object is an
 * IntegrityError (exit 6).
 */
function parseImageConfig(bytes: Buffer, mediaType: string, what: string): ImageConfig | undefined {
  let doc: unknown;
  try {
    doc = parseJson(bytes, what);
  } catch (err) {
    if (err instanceof IntegrityError) throw err;
  }
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) return doc as ImageConfig;
  const type = baseMediaType(mediaType);
  if (type === OCI_CONFIG || type === DOCKER_CONFIG) throw new IntegrityError(`${what}: the image config is not a JSON object`, { code: 'ERR_CONFIG_INVALID' });
  return undefined;
}
