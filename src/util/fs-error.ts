import { RegctlError } from '../errors.js';

const REASONS: Record<string, [string, string | undefined]> = {
  ENOSPC: ['no space left on the device', 'free some space, or point TMPDIR (and the store) at a bigger disk'],
  EDQUOT: ['disk quota exceeded', 'free some space, or point TMPDIR (and the store) at a bigger disk'],
  EACCES: ['permission denied', 'check the permissions of the file and its directory'],
  EPERM: ['operation not permitted', 'check the permissions of the file and its directory'],
  EROFS: ['read-only file system', 'write somewhere else'],
  EMFILE: ['too many open files', 'raise the open-file limit (ulimit -n) or use fewer --jobs'],
  ENFILE: ['too many open files on the system', 'raise the open-file limit or use fewer --jobs'],
  EISDIR: ['is a directory', undefined],
  ENOTDIR: ['a component of the path is not a directory', undefined],
  ENOENT: ['no such file or directory', undefined],
  EEXIST: ['already exists', undefined],
  EIO: ['input/output error', 'the disk may be failing'],
};

/**
 * A file-system failure (an error with `syscall` and `code`) as a RegctlError naming the path and what to do,
 * exit 1; undefined for anything else. Nothing is half-written by then: files are written to temp + rename.
 */
export function fsError(err: unknown): RegctlError | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!e || typeof e !== 'object' || typeof e.syscall !== 'string' || typeof e.code !== 'string') return undefined;
  const known = REASONS[e.code];
  const where = e.path ? ` ${e.path}` : '';
  const reason = known?.[0] ?? e.code;
  const hint = known?.[1];
  return new RegctlError(`ERR_FS_${e.code}`, `cannot ${e.syscall}${where}: ${reason}`, 1, { cause: err, ...(hint ? { hint } : {}) });
}
