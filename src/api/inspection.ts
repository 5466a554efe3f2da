// The inspection verbs through the door: one file out of an image (getFile), its history, and whether its base has
// moved on (checkBase). Each checks its arguments and options first (UsageError naming them).
import { finished } from 'node:stream/promises';
import { checkBase as checkBaseOp, type CheckBaseOptions as CheckBaseOpOptions, type CheckBaseResult } from '../ops/check-base.js';
import { getFile as getFileOp, type FileRead, type GetFileOptions as GetFileOpOptions } from '../ops/get-file.js';
import { history as historyOp, type HistoryOptions as HistoryOpOptions, type HistoryResult } from '../ops/history.js';
import { CALL_OPTIONS, createContext, libraryError, operation, type CallOptions } from './context.js';
import { argument, boolean, checkOptions, credentials, platform, string } from './options.js';
import type { WithPlatformSpec } from './change.js';

export type { CheckBaseResult, FileRead, HistoryResult };
export type { HistoryRow } from '../ops/history.js';
export { BASE_DIGEST, BASE_NAME } from '../oci/base-annotations.js';

/** The options of getFile. */
export type GetFileOptions = WithPlatformSpec<GetFileOpOptions> & CallOptions;
/** The options of history. */
export type HistoryOptions = WithPlatformSpec<HistoryOpOptions> & CallOptions;
/** The options of checkBase. */
export type CheckBaseOptions = WithPlatformSpec<CheckBaseOpOptions> & CallOptions;

const GET_FILE_OPTIONS = { platform, credentials };
const HISTORY_OPTIONS = { platform, unpacked: boolean, credentials };
const CHECK_BASE_OPTIONS = { base: string, platform, credentials };

/**
 * One file of the filesystem an image's layers make (any location): its `stream`, read from the highest layer that
 * decides the path — whiteouts and opaque directories respected, symbolic links followed inside the image root — and
 * checked against that layer's digest as it is read. Layers are streamed, never held whole. NotFoundError
 * (`ERR_FILE_NOT_FOUND`, exit 3) when the image has no such file; the caller reads (or destroys) the stream.
 *
 * @example
 * const { stream } = await getFile('localhost:5000/app:1', '/etc/os-release');
 * await pipeline(stream, createWriteStream('os-release'));
 */
export async function getFile(image: string, path: string, options: GetFileOptions = {}): Promise<FileRead> {
  argument(image, string, 'image');
  argument(path, string, 'path');
  const get = (o: GetFileOptions) => operation(o, GET_FILE_OPTIONS, (ctx, oo: GetFileOpOptions) => getFileOp(ctx, image, path, oo));
  if (options.context !== undefined) return get(options);
  // The stream is read after this call returns: the context made for it stays open until the stream ends.
  checkOptions(options, { ...CALL_OPTIONS, ...GET_FILE_OPTIONS });
  const { credentials: creds, signal, platform: p, ...settings } = options;
  const context = await createContext(settings).catch((err: unknown) => Promise.reject(libraryError(err)));
  try {
    const read = await get({ context, signal, credentials: creds, platform: p });
    void finished(read.stream).catch(() => undefined).finally(() => void context.close());
    return read;
  } catch (err) {
    await context.close();
    throw err;
  }
}

/**
 * An image's history (docker history), newest first: each step its config records, with the layer it made (none for
 * an `emptyLayer` step), its compressed `size` and — unless `unpacked: false` — its `unpackedSize` as docker counts it
 * (each layer streamed once).
 *
 * @example
 * const { rows } = await history('localhost:5000/app:1');
 * for (const r of rows) console.log(r.emptyLayer ? '-' : r.unpackedSize, r.createdBy);
 */
export function history(image: string, options: HistoryOptions = {}): Promise<HistoryResult> {
  return operation(options, HISTORY_OPTIONS, (ctx, o: HistoryOpOptions) => historyOp(ctx, image, o));
}

/**
 * Whether the base an image was built on still points where it did (regclient `image check-base`): the base its
 * `org.opencontainers.image.base.name` / `.base.digest` annotations name (`append` and `rebase` write them), or
 * `base`. `current` false with the base's `currentDigest` when it moved on. An image that names no base (and no
 * `base` given) rejects with RegctlError `ERR_BASE_UNKNOWN` (exit 2).
 *
 * @example
 * const { current, currentDigest } = await checkBase('localhost:5000/app:1');
 * if (!current) console.log(`rebuild: the base is now ${currentDigest}`);
 */
export function checkBase(image: string, options: CheckBaseOptions = {}): Promise<CheckBaseResult> {
  return operation(options, CHECK_BASE_OPTIONS, (ctx, o: CheckBaseOpOptions) => checkBaseOp(ctx, image, o));
}
