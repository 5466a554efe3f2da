import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { parsePlatform } from '../oci/platform.js';
import { pull } from '../ops/local.js';
import { withTransfer, type TransferFlags } from './transfer.js';
import { credentialOptions, type CredentialFlags } from './credentials.js';

export async function pullCommand(env: CommandEnv, image: string, flags: TransferFlags & CredentialFlags & { platform?: string; allPlatforms?: boolean }): Promise<void> {
  if (flags.platform && flags.allPlatforms) throw new UsageError('--platform and --all-platforms are mutually exclusive');
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  const r = await withTransfer(env, flags, `Resolving ${image}`, (opts) =>
    pull(ctx, image, { ...opts, credentials, platform, allPlatforms: flags.allPlatforms ?? false }));
  if (flags.quiet) {
    env.io.stdout.write(`${r.name}\n`);
    return;
  }
  env.io.stdout.write(`Digest: ${r.digest}\nStatus: ${r.upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${r.name}\n${r.name}\n`);
}
