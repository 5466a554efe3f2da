import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `mkdir -p` that reports why it failed: a recursive mkdir answers ENOENT when it cannot create a missing parent
 * (a read-only file system, no permission), which reads as "no such file". Then the first missing directory is
 * made on its own, which fails with the real reason (EROFS, EACCES) and its path. `mode` applies to new directories.
 */
export async function makeDir(path: string, mode?: number): Promise<void> {
  const opts = mode === undefined ? {} : { mode };
  try {
    await mkdir(path, { recursive: true, ...opts });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    let missing = path;
    while (dirname(missing) !== missing && !(await stat(dirname(missing)).then(() => true, () => false))) missing = dirname(missing);
    await mkdir(missing, opts); // throws the real reason; if it works after all, so may the rest
    await mkdir(path, { recursive: true, ...opts });
  }
}
