import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * Checks, before any work starts, that a file can be created at `path` (`save -o`): not a directory, and its
 * directory exists. UsageError (exit 2) with a plain message otherwise, instead of an EISDIR/ENOENT after a
 * whole download.
 */
export async function checkOutputFile(path: string, flag = '-o'): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (st?.isDirectory()) throw new UsageError(`${flag} ${path} is a directory; give the file to write`, { hint: `for example ${flag} ${path.replace(/\/+$/, '')}/image.tar` });
  const dir = dirname(resolve(path));
  const parent = await stat(dir).catch(() => undefined);
  if (!parent) throw new UsageError(`${flag} ${path}: the directory ${dir} does not exist`);
  if (!parent.isDirectory()) throw new UsageError(`${flag} ${path}: ${dir} is not a directory`);
  await access(dir, constants.W_OK).catch(() => {
    throw new UsageError(`${flag} ${path}: no permission to create files in ${dir}`);
  });
}
