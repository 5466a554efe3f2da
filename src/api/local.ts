// The local image store (tag, images, rmi) and the registry's counterpart of a local tag (tagRemote).
import { UsageError } from '../errors.js';
import { images as imagesOp, type ImageFilter } from '../ops/images.js';
import { rmi as rmiOp, type RemoveOutcome, type RmiOptions as RmiOpOptions } from '../ops/rmi.js';
import { tag as tagOp } from '../ops/tag.js';
import { tagRemote as tagRemoteOp, type TagRemoteResult } from '../ops/tag-remote.js';
import type { WithCredentials } from '../ops/credentials.js';
import type { StoreImage } from '../store/store.js';
import { libraryError, operation, type CallOptions } from './context.js';
import { boolean, credentials, object, wrongType, type Check } from './options.js';

export type { RemoveOutcome } from '../ops/rmi.js';
export type { TagRemoteResult } from '../ops/tag-remote.js';
export type { StoreImage } from '../store/store.js';

/**
 * Gives a local image another name (`tag('alpine', 'localhost:5000/alpine:3')`); no data is copied. For a new tag on
 * an image in its registry, see tagRemote.
 */
export function tag(source: string, target: string, options: CallOptions = {}): Promise<void> {
  return operation(options, {}, (ctx) => tagOp(ctx, source, target));
}

export interface TagRemoteOptions extends CallOptions, WithCredentials {}

/**
 * A new tag on a registry image, in its own repository (crane tag): `tagRemote('ghcr.io/me/app:1', 'stable')`. The
 * manifest is read once and PUT unchanged under the new tag: the digest stays and no blob moves. `newTag` is a tag
 * only (`stable`), never a name; a UsageError otherwise.
 */
export function tagRemote(image: string, newTag: string, options: TagRemoteOptions = {}): Promise<TagRemoteResult> {
  return operation(options, { credentials }, (ctx, o: WithCredentials) => tagRemoteOp(ctx, image, newTag, o));
}

/** Which images `images` lists (docker's `--filter`). */
export interface ImagesFilter extends Omit<ImageFilter, 'reference'> {
  /** Shell patterns (`*`, `?`, `[a-z]`; `*` stops at `/`): images whose `repo:tag` or `repo` one matches. */
  reference?: string | readonly string[];
}

export interface ImagesOptions extends CallOptions {
  filter?: ImagesFilter | undefined;
}

/** One pattern or several: always a list. */
const patterns: Check = (v, name) => {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v;
  throw wrongType(name, 'a string or an array of strings', v);
};

const IMAGES_OPTIONS = { filter: object({ reference: patterns, dangling: boolean }) };

/**
 * The images of the local store. With `repository` (`REPOSITORY[:TAG]`, as docker) only those of that repository
 * (and tag); with `filter`, only those matching `reference` patterns, or only the unnamed (`dangling: true`) or named
 * ones. An empty list when none matches.
 */
export function images(repository?: string, options: ImagesOptions = {}): Promise<StoreImage[]> {
  if (repository !== undefined && typeof repository !== 'string') {
    return Promise.reject(new UsageError(`images(repository, options): want the repository as a string (or undefined), got ${typeof repository}`));
  }
  return operation(options, IMAGES_OPTIONS, (ctx, o: { filter?: ImageFilter }) => imagesOp(ctx, repository, o));
}

export interface RmiOptions extends RmiOpOptions, CallOptions {}

/**
 * Removes local images by name, digest or (short) image ID; blobs no other image needs are deleted. An image ID that
 * several repositories name is refused unless `force` (then every name goes). Each is reported on its own (`result`,
 * or the `error` it failed with): one failure does not stop the others.
 */
export function rmi(refs: string | readonly string[], options: RmiOptions = {}): Promise<RemoveOutcome[]> {
  const list = typeof refs === 'string' ? [refs] : refs;
  if (!Array.isArray(list) || !list.every((r) => typeof r === 'string')) {
    return Promise.reject(new UsageError('rmi(refs, options): want an image as a string, or an array of them'));
  }
  return operation(options, { force: boolean }, async (ctx, o: RmiOpOptions) =>
    (await rmiOp(ctx, list, o)).map((out) => ('error' in out ? { image: out.image, error: libraryError(out.error) } : out)));
}
