import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpsContext } from './context.js';

/** A scratch directory for unpacking archives: `$TMPDIR`, else the system's. */
export function scratchDir(ctx: OpsContext): Promise<string> {
  return mkdtemp(join(ctx.env.TMPDIR ?? tmpdir(), 'regctl-'));
}
