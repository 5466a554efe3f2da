import { CopySession, DEFAULT_JOBS } from '../content/session.js';
import type { OpsContext } from './context.js';

/** The blob transfers of one operation: at most `jobs` at once, within the context's limit shared by all its calls. */
export function copySession(ctx: OpsContext, jobs: number = DEFAULT_JOBS): CopySession {
  return new CopySession(jobs, ctx.blobs);
}
