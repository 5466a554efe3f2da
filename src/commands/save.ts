import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { parsePlatform } from '../oci/platform.js';
import { save } from '../ops/archive.js';
import { checkOutputFile } from '../util/output-file.js';
import { withTransfer, type TransferFlags } from './transfer.js';
import { parseReference } from '../ref/parse.js';
import { credentialContext, type CredentialFlags } from './credentials.js';

export async function saveCommand(env: CommandEnv, images: string[], flags: TransferFlags & CredentialFlags & { output?: string; platform?: string }): Promise<void> {
  if (!flags.output && env.io.stdout.isTTY) {
    throw new UsageError('refusing to write a tarball to a terminal', { hint: 'use -o FILE or redirect stdout' });
  }
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  if (flags.output) await checkOutputFile(flags.output);
  const ctx = await credentialContext(env, flags, images.map((i) => parseReference(i).registry));
  const out = flags.output ? { path: flags.output } : { stream: env.io.stdout };
  await withTransfer(env, { ...flags, quiet: flags.quiet ?? !flags.output }, `Saving ${images.join(', ')}`, (opts) =>
    save(ctx, images, out, { ...opts, platform }));
}
