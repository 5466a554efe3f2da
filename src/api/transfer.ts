// The transfers: copy (one image, or every tag of a repository), pull, push, save, load and sync, each through the
// door (context.ts operation): options checked first, every failure a RegctlError. The sync machinery (tag lists,
// semver, the YAML reader) is loaded by the calls that use it, so that a CLI copy, pull or push does not load it.
import type { Readable, Writable } from 'node:stream';
import type { CopyResult } from '../content/copy.js';
import { ConfigError, UsageError } from '../errors.js';
import { validatePolicy } from '../trust/policy.js';
import { load as loadOp, save as saveOp, type LoadOptions as LoadOpOptions, type LoadResult, type SaveOptions as SaveOpOptions } from '../ops/archive.js';
import { copy as copyOp, type CopyOptions as CopyOpOptions } from '../ops/copy.js';
import { pull as pullOp, type PullOptions as PullOpOptions, type PullResult } from '../ops/pull.js';
import { push as pushOp } from '../ops/push.js';
import type { TransferOptions } from '../ops/transfer-options.js';
import type { PolicyOption } from '../ops/policy-gate.js';
import type { SyncOptions as SyncOpOptions, SyncReport } from '../ops/sync.js';
import { operation, type CallOptions } from './context.js';
import { boolean, checkOptions, credentials, func, object, oneOf, pattern, platform, platforms, positive, string, wrongType, type Check, type PlatformSpec, type PlatformsSpec } from './options.js';

export type { CopyProgress, CopyResult } from '../content/copy.js';
export type { ManifestFormat } from '../content/convert.js';
export type { LoadResult } from '../ops/archive.js';
export type { PullResult } from '../ops/pull.js';
export type { SyncImageResult, SyncProgress, SyncReport, SyncStatus } from '../ops/sync.js';
export type { Shard, ShardBy } from '../ops/shard.js';

/** Blobs moved at once, and progress events: every transfer takes them. */
const MOVING = { jobs: positive, onProgress: func };

/**
 * A trust policy in containers-policy.json(5)'s format, which the source images of a transfer must satisfy before
 * anything is copied: the file's path, `'system'` (containers/image's own choice: `~/.config/containers/policy.json`
 * when it exists, else `/etc/containers/policy.json`), or the file's content as an object (`{ default: [...],
 * transports: {...} }`). Without one, regctl's config's `policy` applies, if any; without either nothing is judged.
 * A refused image is a NotTrustedError (exit code 7) naming the scope and the requirement, and nothing is written.
 */
export type TransferPolicy = string | Readonly<Record<string, unknown>>;

/** `policy`: a path or `'system'` as is (read when the operation runs), an object validated now (UsageError when invalid). */
const policy: Check = (v, name) => {
  if (typeof v === 'string') {
    if (v === '') throw wrongType(name, 'a policy.json path, "system" or a policy object', v);
    return v;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw wrongType(name, 'a policy.json path, "system" or a policy object', v);
  try {
    return validatePolicy(v, `option ${name}`);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message, { option: name, cause: err });
    throw err;
  }
};

export interface CopyOptions extends Omit<CopyOpOptions, 'onWarning' | 'session' | 'platform' | 'policy'>, CallOptions {
  /** The trust policy the source image must satisfy first (see TransferPolicy); under one that needs signatures, `referrers` defaults to true. */
  policy?: TransferPolicy | undefined;
  /** Copy only this platform's image out of an index (`'linux/arm64'` or an object; NotFound when nothing matches). */
  platform?: PlatformSpec | undefined;
}

const COPY_OPTIONS = {
  ...MOVING,
  platform,
  manifestFormat: oneOf('oci', 'docker'),
  referrers: boolean,
  includeNondistributable: boolean,
  dryRun: boolean,
  sourceCredentials: credentials,
  destinationCredentials: credentials,
  policy,
};

/**
 * Copies an image between two locations: registry references (`docker://` optional), `oci:DIR[:TAG]`,
 * `oci-archive:FILE[:REF]`, `docker-archive:FILE[:NAME]`, `local:IMAGE`. A multi-platform index is copied whole
 * (its digest kept) unless `platform` picks one; blobs the destination has are not sent; nothing is left
 * half-written when it fails or is cancelled. Warnings (`DOCKER_FORMAT_KEPT`: a Docker-format manifest written into
 * an OCI layout as is) come through `onWarning`.
 *
 * @example
 * const { digest } = await copy('alpine:3', 'localhost:5000/alpine:3', { onProgress: (e) => console.log(e.kind) });
 */
export function copy(source: string, destination: string, options: CopyOptions = {}): Promise<CopyResult> {
  return operation(options, COPY_OPTIONS, (ctx, o: CopyOpOptions) => copyOp(ctx, source, destination, { ...o, ...warnings(options) }));
}

/** The options of copyAllTags. */
export interface CopyAllTagsOptions extends Omit<SyncOpOptions, 'now' | 'shard' | 'policy'>, CallOptions {
  /** The trust policy each image must satisfy first (see TransferPolicy): a refused one is `failed` in the report (with keepGoing, the others go on). */
  policy?: TransferPolicy | undefined;
}

const ALL_TAGS_OPTIONS = {
  ...MOVING,
  imageJobs: positive,
  dryRun: boolean,
  keepGoing: boolean,
  referrers: boolean,
  sourceCredentials: credentials,
  destinationCredentials: credentials,
  policy,
};

/**
 * Copies every tag of a repository into another (skopeo's `copy --all-tags`): each manifest verbatim (indexes whole),
 * blobs shared between tags sent once, tags the destination already has at the same digest left alone (a HEAD
 * each). The report says what became of each tag; with `keepGoing` a failed tag does not stop the others (the
 * report counts it in `failed`).
 *
 * @example
 * const report = await copyAllTags('localhost:5000/app', 'localhost:5001/mirror/app');
 */
export function copyAllTags(source: string, destination: string, options: CopyAllTagsOptions = {}): Promise<SyncReport> {
  return operation(options, ALL_TAGS_OPTIONS, async (ctx, o: SyncOpOptions) => (await import('../ops/all-tags.js')).copyAllTags(ctx, source, destination, o));
}

export interface PullOptions extends Omit<PullOpOptions, 'platform' | 'policy'>, CallOptions {
  /** The trust policy the image must satisfy first (see TransferPolicy). */
  policy?: TransferPolicy | undefined;
  /**
   * What is kept of a multi-platform index: one platform's image (`'linux/arm64'`; NotFound when the image lacks
   * it), `'all'` (the index whole), or several (a new index of exactly those). Default: the host's platform.
   */
  platform?: PlatformsSpec | undefined;
}

const PULL_OPTIONS = { ...MOVING, platform: platforms, credentials, policy };

/** Pulls an image from its registry into the local store (the host's platform of an index, unless told otherwise). */
export function pull(image: string, options: PullOptions = {}): Promise<PullResult> {
  return operation(options, PULL_OPTIONS, (ctx, o: PullOpOptions) => pullOp(ctx, image, o));
}

export interface PushOptions extends TransferOptions, CallOptions {}

/** What push wrote: the image's name, the digest of its manifest, and the manifest's size. */
export interface PushResult {
  name: string;
  digest: string;
  size: number;
}

const PUSH_OPTIONS = { ...MOVING, credentials };

/** Pushes an image of the local store to its registry. */
export function push(image: string, options: PushOptions = {}): Promise<PushResult> {
  return operation(options, PUSH_OPTIONS, (ctx, o: TransferOptions) => pushOp(ctx, image, o));
}

export interface SaveOptions extends Omit<SaveOpOptions, 'platform' | 'onWarning' | 'policy'>, CallOptions {
  /** The trust policy images fetched from a registry must satisfy first (see TransferPolicy); the local store's are not judged again. */
  policy?: TransferPolicy | undefined;
  /**
   * What is kept of multi-platform images: by default the host's platform's image (like docker); one platform's
   * image (NotFound when an image lacks it); `'all'`: indexes whole (digests kept); several (`['linux/amd64',
   * 'linux/arm64']`): an index of only those, a new one (new digest, warned about: `NEW_INDEX`) when that leaves
   * some out.
   */
  platform?: PlatformsSpec | undefined;
}

const SAVE_OPTIONS = { ...MOVING, platform: platforms, referrers: boolean, includeNondistributable: boolean, credentials, policy };

/**
 * Saves images (from the local store, else their registry) to a tarball that `docker load`, podman and skopeo read:
 * to a file path (written whole or not at all) or a stream. Returns the names saved. Warnings (a new index for a
 * subset of platforms, code `NEW_INDEX`) come through `onWarning`.
 */
export function save(images: string | readonly string[], output: string | Writable, options: SaveOptions = {}): Promise<string[]> {
  const out = typeof output === 'string' ? { path: output } : { stream: output };
  return operation(options, SAVE_OPTIONS, (ctx, o: SaveOpOptions) => saveOp(ctx, typeof images === 'string' ? [images] : [...images], out, { ...o, ...warnings(options) }));
}

export interface LoadOptions extends Omit<LoadOpOptions, 'credentials' | 'policy'>, CallOptions {
  /** The trust policy the archive's images must satisfy first (see TransferPolicy; transport `docker-archive`, scope `""`). */
  policy?: TransferPolicy | undefined;
}

const LOAD_OPTIONS = { ...MOVING, name: string, policy };

/** Loads a tarball (regctl's or docker's save, an OCI archive; plain, gzip or zstd) from a path or a stream into the local store. */
export function load(input: string | Readable, options: LoadOptions = {}): Promise<LoadResult> {
  const from = typeof input === 'string' ? { path: input } : { stream: input };
  return operation(options, LOAD_OPTIONS, (ctx, o: LoadOpOptions) => loadOp(ctx, from, o));
}

export interface SyncOptions extends Omit<SyncOpOptions, 'now' | 'policy'>, CallOptions {
  /** The trust policy each image must satisfy first (see TransferPolicy): a refused one is `failed` in the report (with keepGoing, the others go on). */
  policy?: TransferPolicy | undefined;
  /** Only tags this regular expression finds (searched, like skopeo's `images-by-tag-regex`: anchor with `^…$`). */
  tags?: string | RegExp | undefined;
  /** Leave out tags this regular expression finds. */
  exclude?: string | RegExp | undefined;
  /** Only tags that read as versions in this range (skopeo's syntax: `">= 3.12.0"`, `"~1.2"`, `">= 1.0, < 2.0"`). */
  semver?: string | undefined;
}

/** A skopeo sync YAML file (`skopeo sync --src yaml`) as the source: its repositories land under the destination. */
export interface SyncFile {
  /** The file's path. */
  path: string;
  /** Keep each source's registry and path under the destination (skopeo's `--scoped`). */
  scoped?: boolean | undefined;
}

const SYNC_OPTIONS = {
  ...ALL_TAGS_OPTIONS,
  tags: pattern,
  exclude: pattern,
  semver: string,
  shard: object({ index: positive, count: positive, by: oneOf('repository', 'image') }),
};
const RULES = ['tags', 'exclude', 'semver'] as const;

/**
 * Mirrors a repository (every tag, or those the filters keep; `repo:tag` for one image) into another, or every
 * repository of a skopeo sync file (`{ path: PATH }`) under a destination registry[/path]. Images already there
 * with the same digest cost a HEAD request and send nothing. Progress comes as `onProgress` events: `images` (the
 * total), `image` (each result), and the copy engine's `plan` / `bytes` / `blob`.
 *
 * @example
 * const report = await sync('localhost:5000/app', 'localhost:5001/mirror/app', { semver: '>= 1.0' });
 */
export function sync(source: string | SyncFile, destination: string, options: SyncOptions = {}): Promise<SyncReport> {
  return operation(options, SYNC_OPTIONS, async (ctx, o: SyncOptions & { policy?: PolicyOption }) => {
    const { tags, exclude, semver, ...rest } = o;
    const [{ sync: syncOp }, { fileJobs, repositoryJob }] = await Promise.all([import('../ops/sync.js'), import('../ops/sync-jobs.js')]);
    if (typeof source === 'string') return syncOp(ctx, [repositoryJob(source, destination, { include: tags, exclude, semver })], rest);
    const file = checkOptions(source, { path: string, scoped: boolean }, 'source.') as Partial<SyncFile>;
    if (file.path === undefined) throw new UsageError('option source.path: the sync file\'s path is missing', { option: 'source.path' });
    const rule = RULES.find((r) => o[r] !== undefined);
    if (rule) throw new UsageError(`option ${rule} selects tags of a repository: a sync file selects its own`, { option: rule });
    const { readSyncFile } = await import('../ops/sync-file.js');
    return syncOp(ctx, fileJobs(await readSyncFile(file.path), destination, { scoped: file.scoped ?? false }), rest);
  });
}

/** The caller's onWarning, for an operation that warns (a call option: it stays out of the operation's schema). */
function warnings(options: CallOptions): { onWarning?: NonNullable<CallOptions['onWarning']> } {
  return options.onWarning ? { onWarning: options.onWarning } : {};
}
