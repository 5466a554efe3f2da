import { randomBytes } from 'node:crypto';
import { lstat, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { ExitCode, RegctlError } from '../errors.js';

/**
 * An exclusive lock between processes (and between callers in one process), as a lock file created with
 * `open(path, 'wx')`. The file holds `{pid, host, created, nonce}`. A waiter retries with capped exponential
 * backoff and jitter; it breaks the lock when it is stale:
 *   - the holder is on this host and its pid is gone (`kill(pid, 0)` → ESRCH), or
 *   - the lock is older than `staleMs` (a holder on another host sharing the directory, or pid reuse), or
 *   - the file is empty or unreadable JSON and older than a second (the holder died between create and write).
 * Breaking is itself serialized by a second lock file (`PATH.break`, also `wx`): the breaker re-reads the lock
 * and removes it only if it is still the same stale lock (same nonce), so two waiters can never both break, and
 * nobody removes a lock that a third process has just taken. A `.break` file older than 10 s is itself stale.
 */
export interface LockOptions {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** A lock older than this is stale even when its holder looks alive (default 10 min). */
  staleMs?: number;
}

interface LockInfo {
  pid: number;
  host: string;
  created: number;
  nonce: string;
}

const FIRST_DELAY_MS = 2;
const MAX_DELAY_MS = 100;
const BREAK_STALE_MS = 10_000;

/** Runs `fn` while holding the lock file at `path`; the lock is released in `finally`. */
export async function withLock<T>(path: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const release = await acquire(path, opts);
  try {
    return await fn();
  } finally {
    await release();
  }
}

async function acquire(path: string, opts: LockOptions): Promise<() => Promise<void>> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const staleMs = opts.staleMs ?? 10 * 60_000;
  const deadline = Date.now() + timeoutMs;
  let delay = FIRST_DELAY_MS;
  for (;;) {
    const info: LockInfo = { pid: process.pid, host: hostname(), created: Date.now(), nonce: randomBytes(8).toString('hex') };
    if (await tryCreate(path, JSON.stringify(info))) {
      return async () => {
        // Remove only our own lock: if it was (wrongly) broken and retaken, leave the new holder alone.
        const cur = await readLock(path);
        if (cur.info?.nonce === info.nonce) await rm(path, { force: true });
      };
    }
    const cur = await readLock(path);
    if (cur.exists && isStale(cur, staleMs)) {
      await breakLock(path, cur.info?.nonce, staleMs);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = cur.info ? ` (held by pid ${cur.info.pid} on ${cur.info.host})` : '';
      throw new RegctlError('ERR_STORE_LOCKED', `timed out after ${timeoutMs} ms waiting for the lock ${path}${who}`, ExitCode.failure, {
        hint: `if no other regctl is running, remove ${path}`,
      });
    }
    await sleep(delay / 2 + Math.random() * delay);
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await fh.writeFile(content);
  } catch (err) {
    await fh.close();
    await rm(path, { force: true }); // a lock that could not be written (a full disk) is not left behind
    throw err;
  }
  await fh.close();
  return true;
}

interface LockState {
  exists: boolean;
  info?: LockInfo;
  ageMs: number;
}

async function readLock(path: string): Promise<LockState> {
  try {
    const st = await lstat(path);
    const ageMs = Date.now() - st.mtimeMs;
    try {
      const info = JSON.parse(await readFile(path, 'utf8')) as LockInfo;
      if (typeof info.pid === 'number' && typeof info.nonce === 'string') return { exists: true, info, ageMs };
    } catch {
      // empty or half-written: judged by age
    }
    return { exists: true, ageMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, ageMs: 0 };
    throw err;
  }
}

function isStale(state: LockState, staleMs: number): boolean {
  if (!state.info) return state.ageMs > 1000;
  if (Date.now() - state.info.created > staleMs) return true;
  return state.info.host === hostname() && !pidAlive(state.info.pid);
}

/** Is a process with this pid running (on this host)? EPERM means it exists but belongs to someone else. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function breakLock(path: string, staleNonce: string | undefined, staleMs: number): Promise<void> {
  const breaker = `${path}.break`;
  if (!(await tryCreate(breaker, String(process.pid)))) {
    const st = await lstat(breaker).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > BREAK_STALE_MS) await rm(breaker, { force: true });
    await sleep(FIRST_DELAY_MS + Math.random() * 10);
    return;
  }
  try {
    const cur = await readLock(path);
    if (cur.exists && cur.info?.nonce === staleNonce && isStale(cur, staleMs)) await rm(path, { force: true });
  } finally {
    await rm(breaker, { force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
