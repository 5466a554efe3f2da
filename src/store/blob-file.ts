import { constants, createWriteStream, type Stats } from 'node:fs';
import { lstat, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IntegrityError, NotFoundError } from '../errors.js';
import { verified, VerifyingStream } from '../content/verify.js';
import type { Descriptor } from '../oci/manifest.js';
import { onInterrupt } from '../util/interrupt.js';
import { claimPartial, keepPartialSync, tempName } from './partial.js';
import { makeDir } from '../util/make-dir.js';

const WRITE_BUFFER = 256 << 10;

/** Where a blob's bytes come from: a stream of the whole blob, or (resumable) of the blob from a byte offset on. */
export type BlobOpener = (offset: number) => Promise<Readable>;

/**
 * Writes a blob file atomically: the bytes go to `.tmp-HEX-PID-RANDOM` beside `path`, are checked against digest
 * and size in flight (VerifyingStream), fsynced, made read-only and renamed into place, so nothing partial is ever
 * visible under the blob's name. With `resumable`, a partial the blob left behind (see partial.ts) is claimed, its
 * bytes re-hashed, and only the rest asked of `open`; a failure that is not a mismatch keeps what arrived as the
 * blob's partial, and so does an interrupt (the CLI runs the registered undo as it is stopped).
 */
export async function writeBlobFile(path: string, desc: Descriptor, source: BlobOpener, resumable = false, mode = 0o444): Promise<void> {
  const dir = dirname(path);
  const hex = basename(path);
  await makeDir(dir);
  const tmp = join(dir, tempName(hex));
  const forget = onInterrupt(() => keepPartialSync(dir, hex, tmp));
  try {
    let offset = resumable ? await claimPartial(dir, hex, tmp, desc.size) : 0;
    try {
      await writeFrom(tmp, desc, source, offset, mode);
    } catch (err) {
      if (offset === 0 || !(err instanceof IntegrityError)) throw err;
      offset = 0; // the partial was not the blob's beginning after all: start over
      await writeFrom(tmp, desc, source, 0, mode);
    }
    await rename(tmp, path);
  } catch (err) {
    const diskFull = isDiskFull(err);
    if (diskFull && !(err as NodeJS.ErrnoException).path) (err as NodeJS.ErrnoException).path = path; // name what could not be written
    // A partial is kept to be resumed, but not one that filled the disk: it would only keep the disk full.
    if (resumable && !(err instanceof IntegrityError) && !diskFull) {
      try {
        keepPartialSync(dir, hex, tmp);
      } catch {
        // the partial is a bonus: the error that got here is what the caller hears
      }
    }
    else await rm(tmp, { force: true });
    throw err;
  } finally {
    forget();
  }
  await syncDir(dir);
}

/** No room left on the device (or in the quota). */
export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

async function writeFrom(tmp: string, desc: Descriptor, source: BlobOpener, offset: number, mode: number): Promise<void> {
  let fh: FileHandle | undefined = await open(tmp, offset > 0 ? 'r+' : 'w', 0o600);
  let stream: Readable | undefined;
  try {
    const check = offset > 0 ? await resumedCheck(fh, desc, offset) : undefined;
    stream = await source(offset);
    const checked = check ? stream.pipe(check) : verified(stream, desc, `blob ${desc.digest}`);
    if (check) stream.on('error', (err) => check.destroy(err));
    // A write stream hands queued chunks to one writev; iterating the source would concatenate them first. (The fd,
    // not the FileHandle: a FileHandle stream that is not auto-closed keeps the handle busy, and sync/close wait.)
    await pipeline(checked, createWriteStream('', { fd: fh.fd, autoClose: false, start: offset, highWaterMark: WRITE_BUFFER }));
    await fh.sync();
    await fh.chmod(mode);
    await fh.close();
    fh = undefined;
  } catch (err) {
    stream?.destroy();
    await fh?.close().catch(() => undefined);
    throw err;
  }
}

/** A check of the blob's rest that starts from the hash of the `offset` bytes the file already holds. */
function resumedCheck(fh: FileHandle, desc: Descriptor, offset: number): Promise<VerifyingStream> {
  const prefix = fh.createReadStream({ start: 0, end: offset - 1, autoClose: false }) as AsyncIterable<Buffer>;
  return VerifyingStream.resuming(desc.digest, desc.size, `blob ${desc.digest} (resumed at byte ${offset})`, prefix);
}

/**
 * Opens a blob file for reading without following a symlink (O_NOFOLLOW), and checks that it is a regular
 * file of `desc.size` bytes. NotFoundError when absent; IntegrityError for a symlink or a wrong size.
 */
export async function openBlobFile(path: string, desc: Descriptor, layoutDir: string): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new IntegrityError(`layout blob ${path} is a symlink`, { code: 'ERR_LAYOUT_SYMLINK' });
    if (code === 'ENOENT') throw new NotFoundError(`blob ${desc.digest} not found in OCI layout ${layoutDir}`, { code: 'ERR_BLOB_NOT_FOUND' });
    throw err;
  }
  const st = await fh.stat();
  if (!st.isFile() || st.size !== desc.size) {
    await fh.close();
    const problem = st.isFile() ? `has ${st.size} bytes, expected ${desc.size}` : 'is not a regular file';
    throw new IntegrityError(`layout blob ${path} ${problem}`, { code: 'ERR_SIZE_MISMATCH' });
  }
  return fh;
}

export async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Best effort: persist the rename itself. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  await fh?.sync().catch(() => undefined);
  await fh?.close().catch(() => undefined);
}
