import type { Command, OptionValues } from '@commander-js/extra-typings';
import { UsageError } from '../errors.js';
import { parsePlatform } from '../oci/platform.js';
import type { ChangeOptions, ChangeResult } from '../ops/change-image.js';
import type { CommandEnv } from './command-env.js';
import { transferOptions, type TransferCredentialFlags } from './credentials.js';
import { withTransfer } from './transfer.js';
import type { OpsContext } from '../ops/context.js';

/** The flags every image-changing command takes (mutate, append, flatten, rebase): where to, which platform, format. */
export const changeFlags = <A extends unknown[], O extends OptionValues>(cmd: Command<A, O>) => cmd
  .option('-t, --tag <new-ref>', 'write the result here (any location); default: back to IMAGE\'s own name')
  .option('--platform <os/arch[/variant]>', 'change only this platform\'s image of an index (the others are kept)')
  .addOption(cmd.createOption('--format <format>', 'write the result in this manifest format (default: the source\'s)').choices(['oci', 'docker'] as const))
  .option('-j, --jobs <n>', 'blobs moved at once (default 8)')
  .option('-q, --quiet', 'no progress lines');

export interface ChangeFlags extends TransferCredentialFlags {
  tag?: string;
  platform?: string;
  format?: 'oci' | 'docker';
  jobs?: string;
  quiet?: boolean;
}

/**
 * Runs a change of `image` (undefined: built from scratch) with the credentials of its source and destination
 * sides and the progress display, then prints the new digest.
 */
export async function runChange(
  env: CommandEnv, image: string | undefined, flags: ChangeFlags, work: (ctx: OpsContext, opts: ChangeOptions) => Promise<ChangeResult>,
): Promise<void> {
  const destination = flags.tag ?? image;
  if (!destination) throw new UsageError('nowhere to write the result: give -t NEW_REF');
  const [sourceCredentials, destinationCredentials] = await transferOptions(env, flags);
  const ctx = await env.context();
  const result = await withTransfer(env, flags, `Changing ${image ?? destination}`, ({ jobs, onProgress }) => work(ctx, {
    sourceCredentials,
    destinationCredentials,
    ...(flags.tag ? { to: flags.tag } : {}),
    ...(flags.platform ? { platform: parsePlatform(flags.platform) } : {}),
    ...(flags.format ? { format: flags.format } : {}),
    ...(jobs ? { jobs } : {}),
    ...(onProgress ? { onProgress } : {}),
  }));
  env.io.stdout.write(`${result.digest}\n`);
}
