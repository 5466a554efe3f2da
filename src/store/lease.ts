import { randomBytes } from 'node:crypto';
import { rmdirSync, rmSync } from 'node:fs';
import { readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { onInterrupt } from '../util/interrupt.js';
import { pidAlive } from '../util/lock.js';
import { makeDir } from '../util/make-dir.js';

/**
 * Leases protect blobs that a transfer in progress has written (or found already present) but not yet tagged,
 * so that a concurrent `gc` (e.g. `rmi` in another process) does not delete them before the transfer commits.
 * A lease is a file `.leases/PID-RANDOM` holding `{pid, host, created}`; while any live lease exists, gc keeps
 * every blob modified at or after the oldest lease's creation (writers touch blobs they reuse). Leases whose
 * process is gone are ignored, and removed by gc and by the sweep when a store is next opened.
 */
export interface Lease {
  release(): Promise<void>;
}

interface LeaseInfo {
  pid: number;
  host: string;
  created: number;
}

export const LEASE_DIR = '.leases';

export async function createLease(layoutDir: string): Promise<Lease> {
  const dir = join(layoutDir, LEASE_DIR);
  const path = join(dir, `${process.pid}-${randomBytes(6).toString('hex')}`);
  const info: LeaseInfo = { pid: process.pid, host: hostname(), created: Date.now() };
  for (let attempt = 0; ; attempt++) {
    await makeDir(dir);
    try {
      await writeFile(path, JSON.stringify(info), { flag: 'wx' });
      break;
    } catch (err) {
      // Another process's release removed the (then empty) directory in between: make it again.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw err;
    }
  }
  let released = false;
  // Stopped mid-transfer (Ctrl-C), the process drops its lease on the way out; killed, the next run's sweep does.
  const forget = onInterrupt(() => {
    rmSync(path, { force: true });
    try {
      rmdirSync(dir);
    } catch {
      // not empty: other transfers hold leases
    }
  });
  return {
    async release() {
      if (released) return;
      released = true;
      forget();
      await rm(path, { force: true });
      await rmdir(dir).catch(() => undefined); // only when empty: user layouts are left as they were
    },
  };
}

/** The creation time of the oldest live lease (undefined when none); removes leases of dead processes. */
export async function oldestLiveLease(layoutDir: string, staleMs = 24 * 3600_000): Promise<number | undefined> {
  const dir = join(layoutDir, LEASE_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  let oldest: number | undefined;
  for (const name of names) {
    const path = join(dir, name);
    let info: LeaseInfo;
    try {
      info = JSON.parse(await readFile(path, 'utf8')) as LeaseInfo;
    } catch {
      // Being written right now (or just removed): count it as created now, to be safe.
      oldest = Math.min(oldest ?? Infinity, Date.now());
      continue;
    }
    const dead = (info.host === hostname() && !pidAlive(info.pid)) || Date.now() - info.created > staleMs;
    if (dead) {
      await rm(path, { force: true });
      continue;
    }
    oldest = oldest === undefined ? info.created : Math.min(oldest, info.created);
  }
  return oldest;
}
