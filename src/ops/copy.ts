import { copyImage, type CopyProgress, type CopyResult } from '../content/copy.js';
import type { CopySession } from '../content/session.js';
import { writeTo } from '../content/target.js';
import { IntegrityError } from '../errors.js';
import type { ManifestFormat } from '../content/convert.js';
import type { Platform } from '../oci/platform.js';
import type { OpsContext } from './context.js';
import { transferContexts, type CredentialOptions } from './credentials.js';
import { locationRegistries, parseLocation } from './transports/index.js';

export interface CopyOptions {
  /** Copy only this platform's image out of an index (NotFound when nothing matches). */
  platform?: Platform;
  jobs?: number;
  session?: CopySession;
  referrers?: boolean;
  includeNondistributable?: boolean;
  /** Convert manifests and layer media types (manifest digests change). */
  format?: ManifestFormat;
  /** Called with warnings (a Docker-format manifest written into an OCI layout); the library never prints. */
  onWarning?: (message: string) => void;
  onProgress?: (event: CopyProgress) => void;
  /** Credentials for the source's registry and for the destination's (stored ones when not given). */
  sourceCredentials?: CredentialOptions;
  destinationCredentials?: CredentialOptions;
}

/**
 * Copies an image between two locations (registry references, `oci:DIR[:TAG]`, `docker-archive:FILE[:NAME]`, …).
 * A multi-platform index is copied whole (keeping its digest) unless a platform is given or the destination holds
 * one platform only (a docker archive: the host's); nothing is left half-written when it fails.
 */
export async function copy(ctx: OpsContext, source: string, destination: string, opts: CopyOptions = {}): Promise<CopyResult> {
  const from = parseLocation(source);
  const to = parseLocation(destination);
  const [srcCtx, dstCtx] = await transferContexts(ctx,
    { registries: locationRegistries(source), credentials: opts.sourceCredentials },
    { registries: locationRegistries(destination), credentials: opts.destinationCredentials });
  const src = await from.openSource(srcCtx);
  try {
    const dst = await to.openDestination(dstCtx, {
      ...(src.name ? { sourceName: src.name } : {}),
      ...(from.digestOnly ? { sourceDigestOnly: true } : {}),
      ...(opts.onWarning ? { warn: opts.onWarning } : {}),
    });
    try {
      const platform = opts.platform ?? (to.singlePlatform ? ctx.platform : undefined);
      return await writeTo(dst.target, async (target) => {
        const { onWarning: _, sourceCredentials: _s, destinationCredentials: _d, ...copyOpts } = opts;
        const result = await copyImage(src.target, target, {
          ...copyOpts,
          ...(platform ? { platform, strictPlatform: opts.platform !== undefined } : {}),
          ...(dst.tag ? { tag: dst.tag } : {}),
        });
        if (to.expectDigest && to.expectDigest !== result.digest) {
          throw new IntegrityError(`${destination} names digest ${to.expectDigest} but the copied manifest is ${result.digest}`);
        }
        return result;
      });
    } finally {
      await dst.close();
    }
  } finally {
    await src.close();
  }
}
