import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { parsePlatform } from '../oci/platform.js';
import { save } from '../ops/archive.js';
import { checkOutputFile } from '../util/output-file.js';
import { withTransfer, type TransferFlags } from './transfer.js';
import { credentialOptions, type CredentialFlags } from './credentials.js';

export interface SaveFlags extends TransferFlags, CredentialFlags {
  output?: string;
  platform?: string[];
  allPlatforms?: boolean;
  referrers?: boolean;
  includeNondistributable?: boolean;
}

export async function saveCommand(env: CommandEnv, images: string[], flags: SaveFlags): Promise<void> {
  if (!flags.output && env.io.stdout.isTTY) {
    throw new UsageError('refusing to write a tarball to a terminal', { hint: 'use -o FILE or redirect stdout' });
  }
  const platforms = (flags.platform ?? []).flatMap((p) => p.split(',')).filter((p) => p.trim() !== '').map(parsePlatform);
  if (flags.allPlatforms && platforms.length > 0) throw new UsageError('--all-platforms and --platform exclude each other');
  if (flags.output) await checkOutputFile(flags.output);
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  const out = flags.output ? { path: flags.output } : { stream: env.io.stdout };
  await withTransfer(env, { ...flags, quiet: flags.quiet ?? !flags.output }, `Saving ${images.join(', ')}`, (opts) =>
    save(ctx, images, out, {
      ...opts,
      credentials,
      ...(flags.allPlatforms ? { platforms: 'all' as const } : platforms.length > 0 ? { platforms } : {}),
      ...(flags.referrers ? { referrers: true } : {}),
      ...(flags.includeNondistributable ? { includeNondistributable: true } : {}),
    }));
}
