import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { parsePlatform } from '../oci/platform.js';
import { copy } from '../ops/copy.js';
import { transferOptions, type TransferCredentialFlags } from './credentials.js';
import { writeDigestFile } from './digestfile.js';
import { withTransfer, type TransferFlags } from './transfer.js';

type CopyFlags = TransferFlags & TransferCredentialFlags & {
  platform?: string;
  digestfile?: string;
  format?: 'oci' | 'docker';
  referrers?: boolean;
  includeNondistributable?: boolean;
  allTags?: boolean;
  imageJobs?: string;
  keepGoing?: boolean;
  dryRun?: boolean;
  json?: boolean;
};

export async function copyCommand(env: CommandEnv, source: string, destination: string, flags: CopyFlags): Promise<void> {
  if (flags.allTags) return copyAllTagsCommand(env, source, destination, flags);
  if (flags.imageJobs !== undefined || flags.keepGoing || flags.dryRun || flags.json) {
    throw new UsageError('--image-jobs, --keep-going, --dry-run and --json go with --all-tags');
  }
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  const [sourceCredentials, destinationCredentials] = await transferOptions(env, flags);
  const ctx = await env.context();
  const result = await withTransfer(env, flags, `Resolving ${source}`, (opts) => copy(ctx, source, destination, {
    ...opts,
    sourceCredentials,
    destinationCredentials,
    platform,
    onWarning: (message) => env.warn(message),
    ...(flags.format ? { format: flags.format } : {}),
    ...(flags.referrers ? { referrers: true } : {}),
    ...(flags.includeNondistributable ? { includeNondistributable: true } : {}),
  }));
  await writeDigestFile(flags.digestfile, result.digest);
  env.io.stdout.write(`${result.digest}\n`);
}

/** Every tag whole, through the sync machinery (compare by HEAD, one blob limit, a summary). */
async function copyAllTagsCommand(env: CommandEnv, source: string, destination: string, flags: CopyFlags): Promise<void> {
  const unsupported = [flags.platform && '--platform', flags.digestfile && '--digestfile', flags.format && '--format'].filter(Boolean);
  if (unsupported.length) throw new UsageError(`--all-tags copies every tag whole: ${unsupported.join(', ')} do not go with it`);
  const [{ copyAllTags }, { runSync }] = await Promise.all([import('../ops/all-tags.js'), import('./sync.js')]);
  const [sourceCredentials, destinationCredentials] = await transferOptions(env, flags);
  const ctx = await env.context();
  await runSync(env, { ...flags, format: flags.json ? 'json' : 'text' }, (opts) =>
    copyAllTags(ctx, source, destination, { ...opts, sourceCredentials, destinationCredentials }));
}
