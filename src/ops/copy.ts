import { copyImage, type CopyProgress, type CopyResult } from '../content/copy.js';
import { IntegrityError } from '../errors.js';
import type { Platform } from '../oci/platform.js';
import type { OpsContext } from './context.js';
import { registryDestination, registryReference, registrySource } from './registry-target.js';

export interface CopyOptions {
  platform?: Platform;
  jobs?: number;
  onProgress?: (event: CopyProgress) => void;
}

/**
 * Copies an image between two targets. A multi-platform index is copied whole (keeping its digest) unless a
 * platform is given. Returns the digest written at the destination.
 */
export async function copy(ctx: OpsContext, source: string, destination: string, opts: CopyOptions = {}): Promise<CopyResult> {
  const srcRef = registryReference(source);
  const dstRef = registryReference(destination);
  const src = await registrySource(ctx, srcRef);
  const { target, tag } = await registryDestination(ctx, dstRef);
  const result = await copyImage(src, target, { ...opts, ...(tag ? { tag } : {}) });
  if (dstRef.digest && dstRef.digest !== result.digest) {
    throw new IntegrityError(`${destination} names digest ${dstRef.digest} but the copied manifest is ${result.digest}`);
  }
  return result;
}
