import type { CommandEnv } from './command-env.js';
import { parsePlatform } from '../oci/platform.js';
import { copy } from '../ops/copy.js';
import { withTransfer, type TransferFlags } from './transfer.js';

export async function copyCommand(env: CommandEnv, source: string, destination: string, flags: TransferFlags & { platform?: string }): Promise<void> {
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  const ctx = await env.context();
  const result = await withTransfer(env, flags, `Resolving ${source}`, (opts) => copy(ctx, source, destination, { ...opts, platform }));
  env.io.stdout.write(`${result.digest}\n`);
}
