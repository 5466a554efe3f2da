import type { CommandEnv } from './command-env.js';
import { parsePlatform } from '../oci/platform.js';
import { copy } from '../ops/copy.js';
import { transferContext, type TransferCredentialFlags } from './credentials.js';
import { writeDigestFile } from './digestfile.js';
import { withTransfer, type TransferFlags } from './transfer.js';

type CopyFlags = TransferFlags & TransferCredentialFlags & {
  platform?: string;
  digestfile?: string;
  format?: 'oci' | 'docker';
  referrers?: boolean;
  includeNondistributable?: boolean;
};

export async function copyCommand(env: CommandEnv, source: string, destination: string, flags: CopyFlags): Promise<void> {
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  const ctx = await transferContext(env, flags, source, destination);
  const result = await withTransfer(env, flags, `Resolving ${source}`, (opts) => copy(ctx, source, destination, {
    ...opts,
    platform,
    onWarning: (message) => env.warn(message),
    ...(flags.format ? { format: flags.format } : {}),
    ...(flags.referrers ? { referrers: true } : {}),
    ...(flags.includeNondistributable ? { includeNondistributable: true } : {}),
  }));
  await writeDigestFile(flags.digestfile, result.digest);
  env.io.stdout.write(`${result.digest}\n`);
}
