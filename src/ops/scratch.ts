import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onInterrupt } from '../util/interrupt.js';
import type { OpsContext } from './context.js';

/** A scratch directory (under `$TMPDIR`, else the system's) and the way to remove it. */
export interface Scratch {
  dir: string;
  remove(): Promise<void>;
}

/**
 * A scratch directory for unpacking archives, removed by `remove()` — or, if the process is stopped first (Ctrl-C,
 * SIGTERM), on the way out: a spool of the Docker daemon's stream must not outlive the command.
 */
export async function openScratch(ctx: OpsContext): Promise<Scratch> {
  const dir = await mkdtemp(join(ctx.env.TMPDIR ?? tmpdir(), 'regctl-'));
  const forget = onInterrupt(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    remove: async () => {
      forget();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `work` with a scratch directory that is removed afterwards, also when the process is stopped (Ctrl-C). */
export async function withScratch<T>(ctx: OpsContext, work: (dir: string) => Promise<T>): Promise<T> {
  const scratch = await openScratch(ctx);
  try {
    return await work(scratch.dir);
  } finally {
    await scratch.remove();
  }
}
