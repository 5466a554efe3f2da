import { copyImage, type CopyProgress, type CopyResult } from '../content/copy.js';
import { IntegrityError } from '../errors.js';
import { hostPlatform, type Platform } from '../oci/platform.js';
import type { OpsContext } from './context.js';
import { openDestination, openSource } from './endpoints.js';
import { parseTargetSpec } from './target-spec.js';

export interface CopyOptions {
  platform?: Platform;
  jobs?: number;
  onProgress?: (event: CopyProgress) => void;
}

/**
 * Copies an image between two targets (registry references, `oci:DIR[:TAG]`, `docker-archive:FILE[:NAME]`).
 * A multi-platform index is copied whole (keeping its digest) unless a platform is given; nothing is left
 * half-written at the destination when it fails. Returns what was written.
 */
export async function copy(ctx: OpsContext, source: string, destination: string, opts: CopyOptions = {}): Promise<CopyResult> {
  const srcSpec = parseTargetSpec(source);
  const dstSpec = parseTargetSpec(destination);
  const src = await openSource(ctx, srcSpec);
  try {
    const dst = await openDestination(ctx, dstSpec, src.name);
    try {
      // docker's manifest.json names one image per tag: an archive gets the host's platform unless told otherwise.
      const platform = opts.platform ?? (dstSpec.kind === 'docker-archive' ? hostPlatform() : undefined);
      const result = await copyImage(src.target, dst.target, {
        ...opts,
        ...(platform ? { platform } : {}),
        ...(dst.tag ? { tag: dst.tag } : {}),
        leaveOpen: true,
      });
      if (dstSpec.kind === 'registry' && dstSpec.ref.digest && dstSpec.ref.digest !== result.digest) {
        throw new IntegrityError(`${destination} names digest ${dstSpec.ref.digest} but the copied manifest is ${result.digest}`);
      }
      await dst.finish(result);
      return result;
    } catch (err) {
      await dst.abort().catch(() => undefined);
      throw err;
    }
  } finally {
    await src.close();
  }
}
