import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { parsePlatform } from '../oci/platform.js';
import { copy } from '../ops/copy.js';
import { transferOptions } from './credentials.js';
import { writeDigestFile } from './digestfile.js';
import { withTransfer } from './transfer.js';
import { humanSize } from '../output/bytes.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command, locations: string) => cmd
  .argument('<source>', `image: ${locations}`)
  .argument('<destination>', `where to: ${locations}`)
  .option('--platform <os/arch[/variant]>', 'copy only this platform\'s image from an index')
  .addOption(cmd.createOption('--format <format>', 'convert manifests and layer media types to this format (digests of manifests change)').choices(['oci', 'docker'] as const))
  .option('--referrers', 'also copy signatures, SBOMs and attestations referring to every manifest copied (OCI referrers and cosign tags), recursively; off by default')
  .option('--include-nondistributable', 'also copy foreign / non-distributable layers (skipped by default)')
  .option('-j, --jobs <n>', 'blobs moved at once (default 8)')
  .option('-q, --quiet', 'no progress lines')
  .option('--digestfile <file>', 'write the digest of the copied manifest to this file')
  .option('--all-tags', 'copy every tag of the source repository into the destination repository')
  .option('--image-jobs <n>', 'with --all-tags: images copied at once (default 4)')
  .option('--keep-going', 'with --all-tags: go on past a failed tag, exit non-zero at the end')
  .option('--dry-run', 'write nothing: say what the copy would send (a HEAD per blob; with --all-tags, per tag)')
  .option('--json', 'with --all-tags: print the report as JSON on stdout (sync --format json)');

type CopyFlags = FlagsOf<typeof build, 'sides'>;

async function copyCommand(env: CommandEnv, source: string, destination: string, flags: CopyFlags): Promise<void> {
  if (flags.allTags) return copyAllTagsCommand(env, source, destination, flags);
  if (flags.imageJobs !== undefined || flags.keepGoing || flags.json) {
    throw new UsageError('--image-jobs, --keep-going and --json go with --all-tags');
  }
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  const [sourceCredentials, destinationCredentials] = await transferOptions(env, flags);
  const ctx = await env.context();
  const result = await withTransfer(env, flags, `Resolving ${source}`, (opts) => copy(ctx, source, destination, {
    sourceCredentials,
    destinationCredentials,
    ...opts,
    platform,
    onWarning: (message) => env.warn(message),
    ...(flags.format ? { format: flags.format } : {}),
    ...(flags.referrers ? { referrers: true } : {}),
    ...(flags.includeNondistributable ? { includeNondistributable: true } : {}),
    ...(flags.dryRun ? { dryRun: true } : {}),
  }));
  if (flags.dryRun) {
    const what = `${result.blobs.pushed} blob${result.blobs.pushed === 1 ? '' : 's'} and ${result.manifests} manifest${result.manifests === 1 ? '' : 's'}`;
    env.io.stdout.write(`would copy ${source} -> ${destination} (${result.digest}): ${result.unchanged ? 'nothing, up to date' : `${what}, ${humanSize(result.blobs.bytes)} to send`}\n`);
    return;
  }
  await writeDigestFile(flags.digestfile, result.digest);
  if (!flags.quiet) {
    const { pushed, mounted, skipped, bytes } = result.blobs;
    env.io.stderr.write(`sent ${humanSize(bytes)}: ${pushed} blob${pushed === 1 ? '' : 's'} pushed, ${mounted} mounted, ${skipped} already there\n`);
  }
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

export default defineCommand({
  name: 'copy',
  aliases: ['cp'],
  summary: 'copy an image (a whole multi-platform index by default) between registries, keeping its digest',
  registry: 'sides',
  peers: 'crane copy; regclient image copy; skopeo copy',
  build,
  action: copyCommand,
});
