import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { copy, copyAllTags, type ManifestFormat } from '../api/transfer.js';
import { formatHelp, parseFormat, TEXT_JSON } from '../output/format.js';
import { copyData, copyPlanLine, copySummary } from '../output/copy-report.js';
import { renderResult, type ResultFormat } from '../output/verb-results.js';
import { transferOptions } from './credentials.js';
import { writeDigestFile } from './digestfile.js';
import { inFlagText } from './flag-names.js';
import { runSync } from './sync.js';
import { withTransfer } from './transfer.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

/** skopeo's `copy --format` values: the manifest format written. */
const SKOPEO_FORMATS: Readonly<Record<string, ManifestFormat>> = { oci: 'oci', docker: 'docker', v2s2: 'docker' };

const build = (cmd: Command, locations: string) => cmd
  .argument('<source>', `image: ${locations}`)
  .argument('<destination>', `where to: ${locations}`)
  .option('--platform <os/arch[/variant]>', 'copy only this platform\'s image from an index')
  .addOption(cmd.createOption('--manifest-format <format>', 'convert manifests and layer media types to this format (digests of manifests change)').choices(['oci', 'docker'] as const))
  .option('--format <format>', `what to print on stdout: ${formatHelp(TEXT_JSON)} (text: the digest; with --all-tags or --dry-run, the report); oci, docker or v2s2 (skopeo's spelling) mean --manifest-format`, 'text')
  .option('--referrers', 'also copy signatures, SBOMs and attestations referring to every manifest copied (OCI referrers and cosign tags), recursively; off by default')
  .option('--include-nondistributable', 'also copy foreign / non-distributable layers (skipped by default)')
  .option('--policy <file>', 'judge source images by this containers-policy.json first ("system": containers/image\'s own); refused: exit 7, nothing written (default: the config\'s policy); one that needs signatures copies them along')
  .option('-j, --jobs <n>', 'blobs moved at once (default 8)')
  .option('-q, --quiet', 'no progress lines')
  .option('--digestfile <file>', 'write the digest of the copied manifest to this file')
  .option('--all-tags', 'copy every tag of the source repository into the destination repository')
  .option('--image-jobs <n>', 'with --all-tags: images copied at once (default 4)')
  .option('--keep-going', 'with --all-tags: go on past a failed tag, exit non-zero at the end')
  .option('--dry-run', 'write nothing: say what the copy would send (a HEAD per blob; with --all-tags, per tag)')
  .addOption(cmd.createOption('--json', 'the same as --format json').hideHelp());

type CopyFlags = FlagsOf<typeof build, 'sides'>;

async function copyCommand(env: CommandEnv, source: string, destination: string, flags: CopyFlags): Promise<void> {
  const { manifestFormat, format } = formats(flags);
  if (flags.allTags) return copyAllTagsCommand(env, source, destination, flags, manifestFormat, format);
  if (flags.imageJobs !== undefined || flags.keepGoing) throw new UsageError('--image-jobs and --keep-going go with --all-tags');
  const [sourceCredentials, destinationCredentials] = await transferOptions(env, flags);
  const context = await env.context();
  const result = await withTransfer(env, flags, `Resolving ${source}`, (opts) => copy(source, destination, {
    ...opts,
    context,
    sourceCredentials,
    destinationCredentials,
    platform: flags.platform,
    manifestFormat,
    referrers: flags.referrers,
    policy: flags.policy,
    includeNondistributable: flags.includeNondistributable,
    dryRun: flags.dryRun,
    onWarning: (warning) => env.warn(inFlagText(warning.message)),
  }));
  if (!flags.dryRun) {
    await writeDigestFile(flags.digestfile, result.digest);
    if (!flags.quiet) env.io.stderr.write(copySummary(result));
  }
  env.io.stdout.write(renderResult(format, flags.dryRun ? copyPlanLine(source, destination, result) : `${result.digest}\n`, result, () => copyData(result)));
}

/** Every tag whole, as sync does it (compare by HEAD, one blob limit, a summary). */
async function copyAllTagsCommand(env: CommandEnv, source: string, destination: string, flags: CopyFlags, manifestFormat: ManifestFormat | undefined, format: ResultFormat): Promise<void> {
  const unsupported = [flags.platform && '--platform', flags.digestfile && '--digestfile', manifestFormat && '--manifest-format'].filter(Boolean);
  if (unsupported.length) throw new UsageError(`--all-tags copies every tag whole: ${unsupported.join(', ')} do not go with it`);
  const [sourceCredentials, destinationCredentials] = await transferOptions(env, flags);
  const context = await env.context();
  await runSync(env, flags, format, (opts) => copyAllTags(source, destination, { ...opts, context, sourceCredentials, destinationCredentials }));
}

/**
 * `--format` is what to print (text, json, a template; `--json` its old spelling), except skopeo's manifest formats
 * (`--format oci|docker|v2s2`), which mean `--manifest-format`.
 */
function formats(flags: CopyFlags): { manifestFormat: ManifestFormat | undefined; format: ResultFormat } {
  const skopeo = Object.hasOwn(SKOPEO_FORMATS, flags.format) ? SKOPEO_FORMATS[flags.format] : undefined;
  if (skopeo && flags.manifestFormat && skopeo !== flags.manifestFormat) {
    throw new UsageError(`--format ${flags.format} and --manifest-format ${flags.manifestFormat} disagree`, { hint: 'give --manifest-format only' });
  }
  const printed = skopeo ? 'text' : flags.format;
  if (flags.json && printed !== 'text' && printed !== 'json') throw new UsageError(`--json and --format ${printed} disagree`, { hint: 'give --format only' });
  return { manifestFormat: skopeo ?? flags.manifestFormat, format: parseFormat(flags.json ? 'json' : printed, TEXT_JSON) };
}

export default defineCommand({
  name: 'copy',
  aliases: ['cp'],
  summary: 'copy an image (a whole multi-platform index by default) between registries, keeping its digest',
  registry: 'sides',
  peers: 'crane copy; regclient image copy; skopeo copy',
  examples: [
    ['regctl copy alpine:3.20 localhost:5000/alpine:3.20', 'copies the whole multi-platform index, keeping its digest'],
    ['regctl copy --platform linux/amd64 nginx:1.27 oci:./layout:nginx', 'copies only the amd64 image into an OCI layout'],
    ['regctl copy --referrers localhost:5000/app:1.0 registry.example.com/app:1.0', 'copies the image with its signatures, SBOMs and attestations'],
    ['regctl copy --all-tags --dry-run localhost:5000/app registry.example.com/app', 'plans a copy of every tag of the repository and writes nothing'],
  ],
  build,
  action: copyCommand,
});
