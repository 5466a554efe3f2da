import { readSmallBlob, resolveImage } from '../content/resolve.js';
import { UsageError } from '../errors.js';
import type { Platform } from '../oci/platform.js';
import type { OpsContext } from './context.js';
import type { WithCredentials } from './credentials.js';
import { withSource } from './transports/index.js';

export interface ConfigRead {
  /** The config's digest and media type, as the manifest names them. */
  digest: string;
  mediaType: string;
  /** Exactly the bytes stored (checked against the digest). */
  bytes: Buffer;
}

/**
 * The config of the image a location points at; in an index, the given platform's image (default: the host's,
 * like pull; an explicit platform a single image lacks is NotFound). Any location.
 */
export async function imageConfig(ctx: OpsContext, image: string, opts: { platform?: Platform | undefined } & WithCredentials = {}): Promise<ConfigRead> {
  return withSource(ctx, image, async ({ target: src }) => {
    const { doc } = await resolveImage(src, { platform: opts.platform ?? ctx.platform, strict: opts.platform !== undefined });
    if (doc.kind !== 'image') throw new UsageError(`${src.description} is an index of indexes; name one of its images`);
    return { digest: doc.config.digest, mediaType: doc.config.mediaType, bytes: await readSmallBlob(src, doc.config) };
  }, opts.credentials);
}
