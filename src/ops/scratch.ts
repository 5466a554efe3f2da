import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onInterrupt } from '../util/interrupt.js';
import type { OpsContext } from './context.js';

/** A scratch directory for unpacking archives: `$TMPDIR`, else the system's. */
export function scratchDir(ctx: OpsContext): Promise<string> {
  return mkdtemp(join(ctx.env.TMPDIR ?? tmpdir(), 'regctl-'));
}

/** Runs `work` with a scratch directory that is removed afterwards, also when the process is stopped (Ctrl-C). */
export async function withScratch<T>(ctx: OpsContext, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await scratchDir(ctx);
  const forget = onInterrupt(() => rmSync(dir, { recursive: true, force: true }));
  try {
    return await work(dir);
  } finally {
    forget();
    await rm(dir, { recursive: true, force: true });
  }
}
