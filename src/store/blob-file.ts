import { randomBytes } from 'node:crypto';
import { constants, createWriteStream, type Stats } from 'node:fs';
import { lstat, mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IntegrityError, NotFoundError } from '../errors.js';
import { verified } from '../content/verify.js';
import type { Descriptor } from '../oci/manifest.js';

const WRITE_BUFFER = 256 << 10;

/**
 * Writes a blob file atomically: the bytes go to `.tmp-HEX-RANDOM` beside `path`, are checked against digest and
 * size in flight (VerifyingStream), fsynced, made read-only and renamed into place. On any error (a mismatch, the
 * source failing midway) the temp file is removed, so nothing partial is ever visible under the blob's name.
 */
export async function writeBlobFile(path: string, desc: Descriptor, stream: Readable): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${desc.digest.slice(desc.digest.indexOf(':') + 1, 20)}-${randomBytes(6).toString('hex')}`);
  let fh: FileHandle | undefined = await open(tmp, 'wx', 0o644);
  try {
    // A write stream hands queued chunks to one writev; iterating the source would concatenate them first. (The fd,
    // not the FileHandle: a FileHandle stream that is not auto-closed keeps the handle busy, and sync/close wait.)
    await pipeline(verified(stream, desc, `blob ${desc.digest}`), createWriteStream('', { fd: fh.fd, autoClose: false, highWaterMark: WRITE_BUFFER }));
    await fh.sync();
    await fh.chmod(0o444);
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (err) {
    stream.destroy();
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dir);
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
