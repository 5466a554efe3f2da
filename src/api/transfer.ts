import type { Readable, Writable } from 'node:stream';
import type { CopyResult } from '../content/copy.js';
import { load as loadOp, save as saveOp, type LoadOptions, type LoadResult, type SaveOptions } from '../ops/archive.js';
import { copy as copyOp, type CopyOptions as CopyOpOptions } from '../ops/copy.js';
import { pull as pullOp, type PullOptions, type PullResult } from '../ops/pull.js';
import { push as pushOp } from '../ops/push.js';
import type { TransferOptions } from '../ops/transfer-options.js';
import { readSyncConfig } from '../ops/sync-config.js';
import { configJobs, repositoryJob } from '../ops/sync-jobs.js';
import { sync as syncOp, type SyncOptions as SyncOpOptions, type SyncReport } from '../ops/sync.js';
import { semverRange, tagRegex, type TagFilter } from '../ops/tag-filter.js';
import { operationOptions, withContext, type CallOptions } from './context.js';

export interface CopyOptions extends Omit<CopyOpOptions, 'onWarning' | 'session'>, CallOptions {}

/**
 * Copies an image between two locations: registry references (`docker://` optional), `oci:DIR[:TAG]`,
 * `oci-archive:FILE[:REF]`, `docker-archive:FILE[:NAME]`, `local:IMAGE`. A multi-platform index is copied whole
 * (its digest kept) unless `platform` picks one; blobs the destination has are not sent; nothing is left
 * half-written when it fails or is cancelled.
 *
 * @example
 * const { digest } = await copy('alpine:3', 'localhost:5000/alpine:3', { onProgress: (e) => console.log(e.kind) });
 */
export function copy(source: string, destination: string, options: CopyOptions = {}): Promise<CopyResult> {
  const { onWarning } = options;
  return withContext(options, (ctx) => copyOp(ctx, source, destination, {
    ...operationOptions(options),
    ...(onWarning ? { onWarning: (message: string) => onWarning({ code: 'COPY_WARNING', message }) } : {}),
  }));
}

/** Pulls an image from its registry into the local store (the host's platform of an index, unless told otherwise). */
export function pull(image: string, options: PullOptions & CallOptions = {}): Promise<PullResult> {
  return withContext(options, (ctx) => pullOp(ctx, image, operationOptions(options)));
}

/** Pushes an image of the local store to its registry. */
export function push(image: string, options: TransferOptions & CallOptions = {}): Promise<{ name: string; digest: string; size: number }> {
  return withContext(options, (ctx) => pushOp(ctx, image, operationOptions(options)));
}

/**
 * Saves images (from the local store, else their registry) to a tarball that `docker load`, podman and skopeo read:
 * to a file path (written whole or not at all) or a stream. Returns the names saved.
 */
export function save(images: string | string[], output: string | Writable, options: SaveOptions & CallOptions = {}): Promise<string[]> {
  const out = typeof output === 'string' ? { path: output } : { stream: output };
  return withContext(options, (ctx) => saveOp(ctx, Array.isArray(images) ? images : [images], out, operationOptions(options)));
}

/** Loads a tarball (regctl's or docker's save, an OCI archive; plain, gzip or zstd) from a path or a stream into the local store. */
export function load(input: string | Readable, options: Omit<LoadOptions, 'credentials'> & CallOptions = {}): Promise<LoadResult> {
  const from = typeof input === 'string' ? { path: input } : { stream: input };
  return withContext(options, (ctx) => loadOp(ctx, from, operationOptions(options)));
}

export interface SyncOptions extends Omit<SyncOpOptions, 'now'>, CallOptions {
  /** Only tags this regular expression finds (searched, like skopeo's `images-by-tag-regex`: anchor with `^…$`). */
  tags?: string | RegExp;
  /** Leave out tags this regular expression finds. */
  exclude?: string | RegExp;
  /** Only tags that read as versions in this range (skopeo's syntax: `">= 3.12.0"`, `"~1.2"`, `">= 1.0, < 2.0"`). */
  semver?: string;
}

/** A skopeo sync YAML file (`skopeo sync --src yaml`) as the source: its repositories land under the destination. */
export interface SyncFile {
  config: string;
  /** Keep each source's registry and path under the destination (skopeo's `--scoped`). */
  scoped?: boolean;
}

/**
 * Mirrors a repository (every tag, or those the filters keep; `repo:tag` for one image) into another, or every
 * repository of a skopeo sync file under a destination. Images already there with the same digest cost a HEAD
 * request and send nothing. Progress comes as `onProgress` events: `images` (the total), `image` (each result),
 * and the copy engine's `plan` / `bytes` / `blob`.
 *
 * @example
 * const report = await sync('localhost:5000/app', 'localhost:5001/mirror/app', { semver: '>= 1.0' });
 */
export function sync(source: string | SyncFile, destination: string, options: SyncOptions = {}): Promise<SyncReport> {
  const { tags, exclude, semver, ...rest } = options;
  return withContext(options, async (ctx) => {
    const jobs = typeof source === 'string'
      ? [repositoryJob(source, destination, tagFilter({ tags, exclude, semver }))]
      : configJobs(await readSyncConfig(source.config), destination, { scoped: source.scoped ?? false });
    return syncOp(ctx, jobs, operationOptions(rest));
  });
}

function tagFilter(f: Pick<SyncOptions, 'tags' | 'exclude' | 'semver'>): TagFilter {
  const regex = (v: string | RegExp, what: string) => (typeof v === 'string' ? tagRegex(v, what) : v);
  return {
    ...(f.tags !== undefined ? { include: regex(f.tags, 'tags') } : {}),
    ...(f.exclude !== undefined ? { exclude: regex(f.exclude, 'exclude') } : {}),
    ...(f.semver !== undefined ? { semver: semverRange(f.semver, 'semver') } : {}),
  };
}
