// The image-changing operations (mutate, append, flatten, rebase, export) without a context. `sourceCredentials`
// apply to the registries read (the image, rebase's bases) and `destinationCredentials` to where the result goes.
import type { ChangeResult } from '../ops/change-image.js';
import { append as appendOp, type AppendOptions } from '../ops/append.js';
import { exportImage as exportOp, type ExportOptions, type ExportOutput } from '../ops/export.js';
import { flatten as flattenOp, type FlattenOptions } from '../ops/flatten.js';
import { mutate as mutateOp, type MutateOptions } from '../ops/mutate.js';
import { rebase as rebaseOp, type RebaseOptions } from '../ops/rebase.js';
import { operationOptions, withContext, type CallOptions } from './context.js';

/** Changes an image's config (labels, env, entrypoint, …) and writes the result (to `to`, else back). */
export function mutate(image: string, options: MutateOptions & CallOptions): Promise<ChangeResult> {
  return withContext(options, (ctx) => mutateOp(ctx, image, operationOptions(options)));
}

/** Adds layers (tarballs or directories) on top of an image (`SCRATCH` for none). */
export function append(base: string, options: AppendOptions & CallOptions): Promise<ChangeResult> {
  return withContext(options, (ctx) => appendOp(ctx, base, operationOptions(options)));
}

/** Squashes an image's layers into one. */
export function flatten(image: string, options: FlattenOptions & CallOptions = {}): Promise<ChangeResult> {
  return withContext(options, (ctx) => flattenOp(ctx, image, operationOptions(options)));
}

/** Moves an image's own layers from its old base onto a new one. */
export function rebase(image: string, options: RebaseOptions & CallOptions): Promise<ChangeResult> {
  return withContext(options, (ctx) => rebaseOp(ctx, image, operationOptions(options)));
}

/** Writes an image's merged filesystem as one tarball (a path or a stream). */
export function exportImage(image: string, output: ExportOutput, options: ExportOptions & CallOptions = {}): Promise<void> {
  return withContext(options, (ctx) => exportOp(ctx, image, output, operationOptions(options)));
}
