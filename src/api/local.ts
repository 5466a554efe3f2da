import { images as imagesOp, removeImages, tag as tagOp, type RemoveOutcome } from '../ops/local.js';
import type { StoreImage } from '../store/store.js';
import { withContext, type CallOptions } from './context.js';

/** Gives a local image another name (`tag('alpine', 'localhost:5000/alpine:3')`); no data is copied. */
export function tag(source: string, target: string, options: CallOptions = {}): Promise<void> {
  return withContext(options, (ctx) => tagOp(ctx, source, target));
}

/** The images of the local store; with `filter` (`REPOSITORY[:TAG]`), only those of that repository (and tag). */
export function images(filter?: string, options: CallOptions = {}): Promise<StoreImage[]> {
  return withContext(options, (ctx) => imagesOp(ctx, filter));
}

/**
 * Removes local images by name, digest or (short) image ID; blobs no other image needs are deleted. Each is reported
 * on its own (`result`, or the `error` it failed with): one failure does not stop the others.
 */
export function rmi(refs: string | string[], options: { force?: boolean } & CallOptions = {}): Promise<RemoveOutcome[]> {
  return withContext(options, (ctx) => removeImages(ctx, Array.isArray(refs) ? refs : [refs], { force: options.force ?? false }));
}
