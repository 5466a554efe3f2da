// The image-changing operations (mutate, append, flatten, rebase, export) without a context. `credentials` apply to
// the image's registry and `destinationCredentials` to where the result goes (`to`), when they differ.
import type { ChangeOptions, ChangeResult } from '../ops/change-image.js';
import { append as appendOp, type AppendOptions } from '../ops/append.js';
import type { OpsContext } from '../ops/context.js';
import { combinedContext, type CredentialOptions } from '../ops/credentials.js';
import { exportImage as exportOp, type ExportOptions, type ExportOutput } from '../ops/export.js';
import { flatten as flattenOp, type FlattenOptions } from '../ops/flatten.js';
import { mutate as mutateOp, type MutateOptions } from '../ops/mutate.js';
import { rebase as rebaseOp, type RebaseOptions } from '../ops/rebase.js';
import { locationRegistries } from '../ops/transports/index.js';
import { operationOptions, withContext, type CallOptions } from './context.js';

export interface ChangeCallOptions extends CallOptions {
  /** Credentials for the image's registry (stored ones when not given). */
  credentials?: CredentialOptions | undefined;
  /** Credentials for the registry of `to`; default: `credentials`. */
  destinationCredentials?: CredentialOptions | undefined;
}

/** Runs a change of `image` in a context whose credentials apply to its registry and to that of `to`. */
function change<O extends ChangeOptions & ChangeCallOptions, T>(image: string, options: O, work: (ctx: OpsContext, opts: Omit<O, keyof ChangeCallOptions>) => Promise<T>): Promise<T> {
  const { credentials, destinationCredentials, ...rest } = options;
  return withContext(options, async (ctx) => {
    const side = await combinedContext(ctx,
      { registries: locationRegistries(image), credentials },
      { registries: locationRegistries(options.to ?? image), credentials: destinationCredentials ?? credentials });
    return work(side, operationOptions(rest) as Omit<O, keyof ChangeCallOptions>);
  });
}

/** Changes an image's config (labels, env, entrypoint, …) and writes the result (to `to`, else back). */
export function mutate(image: string, options: MutateOptions & ChangeCallOptions): Promise<ChangeResult> {
  return change(image, options, (ctx, opts) => mutateOp(ctx, image, opts));
}

/** Adds layers (tarballs or directories) on top of an image (`SCRATCH` for none). */
export function append(base: string, options: AppendOptions & ChangeCallOptions): Promise<ChangeResult> {
  return change(base, options, (ctx, opts) => appendOp(ctx, base, opts));
}

/** Squashes an image's layers into one. */
export function flatten(image: string, options: FlattenOptions & ChangeCallOptions = {}): Promise<ChangeResult> {
  return change(image, options, (ctx, opts) => flattenOp(ctx, image, opts));
}

/** Moves an image's own layers from its old base onto a new one. */
export function rebase(image: string, options: RebaseOptions & ChangeCallOptions): Promise<ChangeResult> {
  return change(image, options, (ctx, opts) => rebaseOp(ctx, image, opts));
}

/** Writes an image's merged filesystem as one tarball (a path or a stream). */
export function exportImage(image: string, output: ExportOutput, options: ExportOptions & Omit<ChangeCallOptions, 'destinationCredentials'> = {}): Promise<void> {
  return change(image, options, (ctx, opts) => exportOp(ctx, image, output, opts));
}
