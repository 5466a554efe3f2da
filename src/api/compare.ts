// Comparing two images (diff) and checking that one is whole (validate).
import { diffImages as diffImagesOp, type DiffOptions, type ImageDiff } from '../ops/diff.js';
import { validate as validateOp, type ValidateOptions, type ValidateResult } from '../ops/validate.js';
import { operation, type CallOptions } from './context.js';
import { argument, boolean, credentials, platform, positive, string, type PlatformSpec } from './options.js';

export type { DiffSide, FieldChange, FileChange, FileInfo, FileType, ImageDiff, LayerChange } from '../ops/diff.js';
export type { SkippedContent, ValidateResult } from '../ops/validate.js';

/** The options of diffImages. */
export interface DiffCallOptions extends Omit<DiffOptions, 'platform'>, CallOptions {
  /** Out of an index, this platform's image, in both (`'linux/arm64'` or an object; default: the host's). */
  platform?: PlatformSpec | undefined;
}

/**
 * What differs between two images of any transports (`localhost:5000/app:1` against `oci:copy:1`): their manifests
 * (media type, digests, annotations), configs (platform, env, labels, entrypoint, cmd, user, working dir, exposed
 * ports, volumes, history, …) and layers (same, added, removed) and, with `files`, their flattened filesystems path by
 * path (type, size, mode, owner, content digest, link target: whiteouts and opaque directories applied; every layer
 * read once, streamed). `equal` when nothing differs.
 *
 * @example
 * const d = await diffImages('localhost:5000/app:1', 'localhost:5000/app:2', { files: true });
 * if (!d.equal) console.log(d.config.map((c) => c.field), d.files?.map((f) => `${f.status} ${f.path}`));
 */
export async function diffImages(image1: string, image2: string, options: DiffCallOptions = {}): Promise<ImageDiff> {
  argument(image1, string, 'image1');
  argument(image2, string, 'image2');
  return operation(options, { platform, files: boolean, credentials }, (ctx, o: DiffOptions) => diffImagesOp(ctx, image1, image2, o));
}

/** The options of validate. */
export interface ValidateCallOptions extends Omit<ValidateOptions, 'platform'>, CallOptions {
  /** Out of an index, only this platform's image (`'linux/arm64'` or an object; default: every image). */
  platform?: PlatformSpec | undefined;
}

/**
 * Checks that an image is whole on any transport (crane validate): walks its index and manifests (every platform by
 * default) and reads every blob, checking digest and size as it streams; `fast` only asks whether each blob is there
 * at its size (a HEAD at a registry, a file's size elsewhere). The first missing or bad blob fails it with an
 * InvalidContentError (exit 6) whose `digest` is the blob and `manifest` the manifest naming it.
 *
 * @example
 * const { blobs, bytes } = await validate('localhost:5000/app:1');
 */
export async function validate(image: string, options: ValidateCallOptions = {}): Promise<ValidateResult> {
  argument(image, string, 'image');
  return operation(options, { platform, fast: boolean, jobs: positive, credentials }, (ctx, o: ValidateOptions) => validateOp(ctx, image, o));
}
