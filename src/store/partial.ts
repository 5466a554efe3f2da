import { randomBytes } from 'node:crypto';
import { lstatSync, renameSync, rmSync } from 'node:fs';
import { lstat, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pidAlive } from '../util/lock.js';

/**
 * Temp and partial blob files, and how they outlive a process.
 *
 *   `.tmp-HEX-PID-RANDOM`  a blob being written by process PID (HEX: the digest's hex, so it can be resumed).
 *   `.partial-HEX`         the verified-so-far beginning of blob HEX, left by a transfer that stopped (Ctrl-C,
 *                          SIGTERM, a dropped network) or by a process that died (kill -9; turned into a partial by
 *                          the next run's sweep). The next write of that blob claims it by renaming it to its own
 *                          temp name (so two writers never share one), re-hashes the bytes it holds and asks the
 *                          source only for the rest. A claimed partial that turns out not to match is thrown away.
 */
export const TEMP_PREFIX = '.tmp-';
export const PARTIAL_PREFIX = '.partial-';
const TEMP_RE = /^\.tmp-([a-f0-9]{64}|[a-f0-9]{128})-(\d+)-[a-f0-9]+$/;

export function tempName(hex: string): string {
  return `${TEMP_PREFIX}${hex}-${process.pid}-${randomBytes(6).toString('hex')}`;
}

export function partialName(hex: string): string {
  return `${PARTIAL_PREFIX}${hex}`;
}

/** The digest hex and writer pid of a temp file name; undefined for other names (and older temp names). */
export function parseTempName(name: string): { hex: string; pid: number } | undefined {
  const m = TEMP_RE.exec(name);
  return m ? { hex: m[1]!, pid: Number(m[2]) } : undefined;
}

/** Is this temp file's writer gone (this host's pids)? Older temp names, without a pid, are never judged dead. */
export function tempOfDeadProcess(name: string): boolean {
  const t = parseTempName(name);
  return t !== undefined && t.pid !== process.pid && !pidAlive(t.pid);
}

/**
 * Claims the partial of blob `hex` in `dir` as the temp file `tmp`: returns how many bytes it holds (0 when there
 * is none, or when it is longer than the blob and so cannot be its beginning).
 */
export async function claimPartial(dir: string, hex: string, tmp: string, size: number): Promise<number> {
  try {
    await rename(join(dir, partialName(hex)), tmp);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  const st = await lstat(tmp);
  if (!st.isFile() || st.size > size) {
    await rm(tmp, { force: true, recursive: false });
    return 0;
  }
  return st.size;
}

/** Keeps what `tmp` holds as the partial of its blob (a later write resumes it), or removes an empty one. Synchronous,
 * because it also runs as the process is stopped; on the error path it is one rename. */
export function keepPartialSync(dir: string, hex: string, tmp: string): void {
  const st = (() => {
    try {
      return lstatSync(tmp);
    } catch {
      return undefined;
    }
  })();
  if (!st) return;
  if (st.isFile() && st.size > 0) renameSync(tmp, join(dir, partialName(hex)));
  else rmSync(tmp, { force: true });
}

/**
 * Temp files whose writer died (kill -9, a crash) become partials of their blob at once — kept when longer than a
 * partial already there, else removed. Returns how many temp files were dealt with.
 */
export async function sweepDeadTemps(blobsDir: string): Promise<number> {
  let n = 0;
  for (const alg of await readdir(blobsDir).catch(() => [] as string[])) {
    const dir = join(blobsDir, alg);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!name.startsWith(TEMP_PREFIX) || !tempOfDeadProcess(name)) continue;
      const { hex } = parseTempName(name)!;
      const tmp = join(dir, name);
      const [mine, theirs] = await Promise.all([lstat(tmp).catch(() => undefined), lstat(join(dir, partialName(hex))).catch(() => undefined)]);
      if (!mine) continue;
      if (mine.isFile() && mine.size > 0 && (!theirs || theirs.size < mine.size)) await rename(tmp, join(dir, partialName(hex))).catch(() => undefined);
      else await rm(tmp, { force: true });
      n++;
    }
  }
  return n;
}
