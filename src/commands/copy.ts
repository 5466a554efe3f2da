import type { CommandEnv } from '../cli.js';
import { UsageError } from '../errors.js';
import { parsePlatform } from '../oci/platform.js';
import { copy } from '../ops/copy.js';
import { progressReporter } from '../output/progress.js';

interface CopyFlags {
  platform?: string;
  jobs: string;
  quiet?: boolean;
}

export async function copyCommand(env: CommandEnv, source: string, destination: string, flags: CopyFlags): Promise<void> {
  if (!/^[1-9]\d*$/.test(flags.jobs) || Number(flags.jobs) > 64) throw new UsageError(`invalid --jobs "${flags.jobs}": a number from 1 to 64`);
  const progress = await progressReporter(env.io.stderr, { quiet: flags.quiet ?? false, color: env.color });
  progress.wait(`Resolving ${source}`);
  try {
    const result = await copy(await env.context(), source, destination, {
      jobs: Number(flags.jobs),
      ...(flags.platform ? { platform: parsePlatform(flags.platform) } : {}),
      ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
    });
    env.io.stdout.write(`${result.digest}\n`);
  } finally {
    progress.stop();
  }
}
