import type { ManifestFormat } from '../content/convert.js';
import { copyImage, type CopyProgress } from '../content/copy.js';
import { writeTo, type SourceTarget } from '../content/target.js';
import { UsageError } from '../errors.js';
import type { Platform } from '../oci/platform.js';
import type { OpsContext } from './context.js';
import { copySession } from './copy-session.js';
import { transferContexts, type WithTransferCredentials } from './credentials.js';
import { withScratch } from './scratch.js';
import { locationRegistries, parseLocation, type ImageLocation, type OpenedSource } from './transports/index.js';

/**
 * Where and how a changed image is written (mutate, append, flatten, rebase). `sourceCredentials` apply to the
 * registries read (the image, rebase's bases), `destinationCredentials` to where the result goes.
 */
export interface ChangeOptions extends WithTransferCredentials {
  /** Where to write the result (any location); default: back to the source's own name. */
  to?: string;
  /** Change only this platform's image of an index (the others are kept); NotFound when none matches. */
  platform?: Platform;
  /** Write the result in this manifest format; default: the source's. */
  manifestFormat?: ManifestFormat;
  jobs?: number;
  onProgress?: (event: CopyProgress) => void;
}

export interface ChangeResult {
  /** Digest of the manifest (or index) written. */
  digest: string;
  /** Where it was written. */
  destination: string;
}

/** What a change does: the source with its changes on top, built with temp files in `scratch`. */
export type Change = (src: SourceTarget, scratch: string) => Promise<SourceTarget>;

/**
 * Reads `image`, applies `change` and writes the result with the copy engine to `opts.to` or back to `image`'s own
 * name; temp files are removed afterwards, and nothing is written when anything fails. `image` may be undefined
 * when `change` builds from nothing (append to `scratch`): then `opts.to` is required.
 */
export async function changeImage(ctx: OpsContext, image: string | undefined, opts: ChangeOptions, change: Change): Promise<ChangeResult> {
  const destination = opts.to ?? image;
  if (!destination) throw new UsageError('nowhere to write the result: give option to', { option: 'to' });
  const from = image === undefined ? undefined : parseLocation(image);
  const to = parseLocation(destination);
  if (!opts.to && from?.digestOnly) throw new UsageError(`${image} names a digest, which a changed image cannot keep: give option to`, { option: 'to' });
  if (to.expectDigest) {
    throw new UsageError(`${destination} names a digest, which a changed image cannot have: name a tag`, opts.to ? { option: 'to' } : {});
  }
  const [srcCtx, dstCtx] = await transferContexts(ctx,
    { registries: image === undefined ? [] : locationRegistries(image), credentials: opts.sourceCredentials },
    { registries: locationRegistries(destination), credentials: opts.destinationCredentials });
  const src = from ? await from.openSource(srcCtx) : undefined;
  try {
    return await withScratch(ctx, (scratch) => write(dstCtx, to, destination, src, opts, change, scratch));
  } finally {
    await src?.close();
  }
}

/** Applies the change and copies the result to the destination, committed only when everything is written. */
async function write(
  ctx: OpsContext, to: ImageLocation, destination: string, src: OpenedSource | undefined, opts: ChangeOptions, change: Change, scratch: string,
): Promise<ChangeResult> {
  const changed = await change(src?.target ?? NOTHING, scratch);
  const dst = await to.openDestination(ctx, src?.name ? { sourceName: src.name } : {});
  try {
    const platform = to.singlePlatform ? (opts.platform ?? ctx.platform) : undefined;
    const result = await writeTo(dst.target, (target) => copyImage(changed, target, {
      ...(platform ? { platform } : {}),
      ...(dst.name ? { tag: dst.name } : {}),
      ...(opts.manifestFormat ? { format: opts.manifestFormat } : {}),
      session: copySession(ctx, opts.jobs),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      signal: ctx.transport.signal,
    }));
    return { digest: result.digest, destination };
  } finally {
    await dst.close();
  }
}

/** The source of an image built from nothing: it holds nothing. */
const NOTHING: SourceTarget = {
  description: 'scratch',
  resolve: () => Promise.reject(new UsageError('scratch has no image')),
  head: () => Promise.reject(new UsageError('scratch has no image')),
  fetchManifest: (d) => Promise.reject(new UsageError(`scratch has no manifest ${d.digest}`)),
  fetchBlob: (d) => Promise.reject(new UsageError(`scratch has no blob ${d.digest}`)),
};
