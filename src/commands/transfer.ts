import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { progressReporter, type ProgressReporter } from '../output/progress.js';

export interface TransferFlags {
  jobs?: string;
  quiet?: boolean;
}

/** Runs a transfer with validated --jobs and the progress display; progress stops before the result prints. */
export async function withTransfer<T>(
  env: CommandEnv,
  flags: TransferFlags,
  waitText: string,
  work: (opts: { jobs?: number | undefined; onProgress?: ProgressReporter['onProgress'] }) => Promise<T>,
): Promise<T> {
  const jobs = flags.jobs === undefined ? undefined : parseCount(flags.jobs, '--jobs');
  const progress = await progressReporter(env.io.stderr, { quiet: flags.quiet ?? false, color: env.color });
  progress.wait(waitText);
  try {
    return await work({ jobs, onProgress: progress.onProgress });
  } finally {
    progress.stop();
  }
}

/** A count flag (`--jobs`, `--image-jobs`): a number from 1 to 64. */
export function parseCount(value: string, flag: string): number {
  if (!/^[1-9]\d*$/.test(value) || Number(value) > 64) throw new UsageError(`invalid ${flag} "${value}": a number from 1 to 64`);
  return Number(value);
}
