import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { onInterrupt } from './interrupt.js';
import { makeDir } from './make-dir.js';

/**
 * Writes `data` to `path` atomically: creates missing parent directories (mode 0700), writes a temp file
 * `.NAME.tmp-RANDOM` in the same directory with `mode`, fsyncs it and renames it over `path`.
 * Readers see either the old or the new content, never a partial file. The temp file is removed on failure.
 * The path is used as given: a symlink at `path` is replaced, not followed (callers resolve it first if they want that).
 */
export async function atomicWriteFile(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  await makeDir(dir, 0o700);
  const tmp = join(dir, `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, 'wx', mode);
    await fh.chmod(mode); // open() applies the umask; make the mode exact
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncDir(dir);
}

/** Best effort: persist the rename itself. Not supported on every platform (Windows), so errors are ignored. */
async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // ignore
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/**
 * Streams `data` into `path` atomically (temp file in the same directory, fsync, rename). On any failure, a bad
 * digest found at the end of the stream included, and on Ctrl-C, the temp file goes and `path` is untouched.
 */
export async function atomicWriteStream(path: string, data: Readable, mode = 0o644): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
  const forget = onInterrupt(() => rmSync(tmp, { force: true }));
  try {
    // the stream fsyncs (flush) and closes the file when done
    await pipeline(data, (await open(tmp, 'wx', mode)).createWriteStream({ flush: true }));
    await rename(tmp, path);
  } catch (err) {
    data.destroy();
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  } finally {
    forget();
  }
}
