// The image-changing operations (mutate, append, flatten, rebase, export). `sourceCredentials` apply to the
// registries read (the image, rebase's bases) and `destinationCredentials` to where the result goes.
import type { Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import { append as appendOp, type AppendOptions as AppendOpOptions, type LayerInput } from '../ops/append.js';
import type { ChangeOptions as ChangeOpOptions, ChangeResult } from '../ops/change-image.js';
import { exportImage as exportOp, type ExportOptions as ExportOpOptions } from '../ops/export.js';
import { flatten as flattenOp, type FlattenOptions as FlattenOpOptions } from '../ops/flatten.js';
import { mutate as mutateOp, type MutateOptions as MutateOpOptions } from '../ops/mutate.js';
import { rebase as rebaseOp, type RebaseOptions as RebaseOpOptions } from '../ops/rebase.js';
import { operation, type CallOptions } from './context.js';
import {
  boolean, count, credentials, func, object, oneOf, platform, positive, string, stringRecord, strings, time, wrongType, type Check, type PlatformSpec,
} from './options.js';

export type { ChangeResult } from '../ops/change-image.js';
export type { ConfigChanges } from '../image/config-edit.js';
export type { LayerInput } from '../image/layer-input.js';
export type { LayerCompression } from '../image/layer-writer.js';
export { SCRATCH } from '../ops/append.js';

/** A platform as callers give it (`'linux/arm64'` or an object) where the operation takes a Platform. */
export type WithPlatformSpec<O> = Omit<O, 'platform'> & { platform?: PlatformSpec | undefined };

/**
 * Where and how a changed image is written: `to` (any location; default back to the source's own name), `platform`
 * (change only that platform's image of an index), `manifestFormat` (`'oci'` or `'docker'`; default the source's).
 */
export type ChangeOptions = WithPlatformSpec<ChangeOpOptions> & CallOptions;
export type MutateOptions = WithPlatformSpec<MutateOpOptions> & CallOptions;
export type AppendOptions = WithPlatformSpec<AppendOpOptions> & CallOptions;
export type FlattenOptions = WithPlatformSpec<FlattenOpOptions> & CallOptions;
export type RebaseOptions = WithPlatformSpec<RebaseOpOptions> & CallOptions;
export type ExportOptions = WithPlatformSpec<ExportOpOptions> & CallOptions;

const CHANGE_OPTIONS = {
  to: string,
  platform,
  manifestFormat: oneOf('oci', 'docker'),
  jobs: positive,
  onProgress: func,
  sourceCredentials: credentials,
  destinationCredentials: credentials,
};

const MUTATE_OPTIONS = {
  ...CHANGE_OPTIONS,
  config: object({
    labels: stringRecord, removeLabels: strings, env: stringRecord, removeEnv: strings, entrypoint: strings, cmd: strings,
    user: string, workdir: string, expose: strings, stopSignal: string, created: time,
  }),
  annotations: stringRecord,
};

const compress = oneOf('gzip', 'zstd');

/** Each layer: `{ tar: PATH }` or `{ dir: PATH, dest?: '/in/image' }`. */
const layerInputs: Check = (v, name) => {
  const want = 'an array of { tar } or { dir, dest? }';
  if (!Array.isArray(v)) throw wrongType(name, want, v);
  return v.map((item: unknown, i) => {
    const at = `${name}[${i}]`;
    const kind = typeof item === 'object' && item !== null && ('tar' in item ? 'tar' : 'dir' in item ? 'dir' : undefined);
    if (!kind) throw wrongType(at, '{ tar } or { dir, dest? }', item);
    const layer = object(kind === 'tar' ? { tar: string } : { dir: string, dest: string })(item, at) as Record<string, unknown>;
    if (typeof layer[kind] !== 'string') throw wrongType(`${at}.${kind}`, 'a string', layer[kind]);
    return layer as LayerInput;
  });
};

const APPEND_OPTIONS = { ...CHANGE_OPTIONS, layers: layerInputs, compress, uid: count, gid: count, reproducible: boolean, createdBy: strings };
const FLATTEN_OPTIONS = { ...CHANGE_OPTIONS, compress, reproducible: boolean };
const REBASE_OPTIONS = { ...CHANGE_OPTIONS, oldBase: string, newBase: string };
const EXPORT_OPTIONS = { platform, credentials };

/**
 * Changes an image's config (labels, env, entrypoint, …) and manifest annotations, and writes the result to `to`,
 * else back to the image's own name; an index is changed per platform (or only `platform`'s) into a new index.
 *
 * @example
 * const { digest } = await mutate('localhost:5000/app:1', { config: { labels: { tier: 'web' } }, to: 'localhost:5000/app:2' });
 */
export function mutate(image: string, options: MutateOptions = {}): Promise<ChangeResult> {
  return operation(options, MUTATE_OPTIONS, (ctx, o: MutateOpOptions) => mutateOp(ctx, image, o));
}

/**
 * Adds `layers` (tar files, plain or compressed, or directories placed at `dest`) on top of an image, or of
 * `SCRATCH` (an empty image; `to` required). Cancelling (`signal`) stops the reading of tars and directories at once;
 * nothing is written then.
 */
export function append(base: string, options: AppendOptions): Promise<ChangeResult> {
  return operation(options, APPEND_OPTIONS, (ctx, o: AppendOpOptions) => appendOp(ctx, base, o));
}

/** Squashes an image's layers into one holding the filesystem they make (whiteouts applied). */
export function flatten(image: string, options: FlattenOptions = {}): Promise<ChangeResult> {
  return operation(options, FLATTEN_OPTIONS, (ctx, o: FlattenOpOptions) => flattenOp(ctx, image, o));
}

/**
 * Moves an image's own layers from `oldBase` (which its first layers must be: BaseMismatchError otherwise, nothing
 * written) onto `newBase`.
 */
export function rebase(image: string, options: RebaseOptions): Promise<ChangeResult> {
  return operation(options, REBASE_OPTIONS, (ctx, o: RebaseOpOptions) => rebaseOp(ctx, image, o));
}

/**
 * Writes an image's merged filesystem as one tarball, to a file path (written under a temp name and renamed when
 * complete: never half there) or a stream (left open). Cancelling (`signal`) stops it at once and leaves no file.
 */
export function exportImage(image: string, output: string | Writable, options: ExportOptions = {}): Promise<void> {
  const out = typeof output === 'string' ? { path: output } : isWritable(output) ? { stream: output } : undefined;
  if (!out) return Promise.reject(new UsageError('exportImage(image, output): want the output as a file path or a Writable stream'));
  return operation(options, EXPORT_OPTIONS, (ctx, o: ExportOpOptions) => exportOp(ctx, image, out, o));
}

function isWritable(v: unknown): v is Writable {
  return typeof v === 'object' && v !== null && typeof (v as Writable).write === 'function' && typeof (v as Writable).on === 'function';
}
