import type { CommandEnv } from './command-env.js';
import { RegctlError, UsageError, partialExitCode } from '../errors.js';
import { sync, type SyncOptions, type SyncReport } from '../ops/sync.js';
import { readSyncConfig } from '../ops/sync-config.js';
import { configJobs, repositoryJob } from '../ops/sync-jobs.js';
import { semverRange, tagRegex, type TagFilter } from '../ops/tag-filter.js';
import { parseRepository } from '../ref/parse.js';
import { transferOptions } from './credentials.js';
import { parseCount } from './transfer.js';
import { imageLine, syncJson, syncPlan, syncProgress, syncSummary } from '../output/sync-report.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('[source]', 'source repository (or, with --config, the destination)')
  .argument('[destination]', 'destination repository')
  .option('--config <file>', 'read the images from a skopeo sync YAML file; DESTINATION is a registry[/path]')
  .option('--scoped', 'with --config: keep the source registry and path under DESTINATION (skopeo --scoped)')
  .option('--tags <regex>', 'only tags this regular expression matches (searched, like skopeo: anchor with ^…$)')
  .option('--exclude <regex>', 'leave out tags this regular expression matches')
  .option('--semver <range>', 'only tags that are versions in this range, e.g. ">= 3.12.0" or "~1.2"')
  .option('--dry-run', 'print which images would be copied or skipped (HEAD requests only); write nothing')
  .option('-j, --jobs <n>', 'blobs moved at once, across all images (default 8)')
  .option('--image-jobs <n>', 'images copied at once (default 4)')
  .option('--keep-going', 'go on past a failed image or repository; exit non-zero at the end')
  .option('--referrers', 'also copy signatures, SBOMs and attestations of every image (OCI referrers and cosign tags), recursively; off by default')
  .addOption(cmd.createOption('--format <format>', 'report format on stdout').choices(['text', 'json'] as const).default('text' as const))
  .option('-q, --quiet', 'no progress and no summary');

type SyncFlags = FlagsOf<typeof build, 'sides'>;
/** What runSync reads of the flags (copy --all-tags has them too). */
type RunFlags = Pick<SyncFlags, 'jobs' | 'imageJobs' | 'dryRun' | 'keepGoing' | 'referrers' | 'format' | 'quiet'>;

/** `regctl sync SRC_REPO DST_REPO [filters]` or `regctl sync --config FILE DST`. */
async function syncCommand(env: CommandEnv, first: string | undefined, second: string | undefined, flags: SyncFlags): Promise<void> {
  if (first === undefined) {
    throw new UsageError(flags.config === undefined ? 'sync needs SRC_REPO and DST_REPO, or --config FILE and a destination' : 'with --config, give the destination registry[/path]', {
      hint: flags.config === undefined ? 'regctl sync SRC_REPO DST_REPO' : `regctl sync --config ${flags.config} DESTINATION`,
    });
  }
  const filtered = flags.tags !== undefined || flags.exclude !== undefined || flags.semver !== undefined;
  if (flags.config !== undefined) {
    if (second !== undefined) throw new UsageError('with --config, give only the destination', { hint: 'regctl sync --config FILE DESTINATION' });
    if (filtered) throw new UsageError('--tags, --exclude and --semver select tags of SRC_REPO; a sync file selects its own');
  } else if (second === undefined) {
    throw new UsageError('sync needs SRC_REPO and DST_REPO, or --config FILE and a destination');
  } else if (flags.scoped) {
    throw new UsageError('--scoped names destinations of a sync file (--config)');
  }
  const jobs = flags.config === undefined
    ? [repositoryJob(first, second!, tagFilter(flags))]
    : configJobs(await readSyncConfig(flags.config), first, { scoped: flags.scoped ?? false });
  const [sourceCredentials, destinationCredentials] = await transferOptions(env, flags);
  const ctx = await env.context();
  await runSync(env, flags, (opts) => sync(ctx, jobs, { ...opts, sourceCredentials, destinationCredentials }));
}

/** Runs a sync (or copy --all-tags) with the progress display, then prints the plan, summary and JSON report. */
export async function runSync(env: CommandEnv, flags: RunFlags, work: (opts: SyncOptions) => Promise<SyncReport>): Promise<void> {
  const opts: SyncOptions = {
    ...(flags.jobs !== undefined ? { jobs: parseCount(flags.jobs, '--jobs') } : {}),
    ...(flags.imageJobs !== undefined ? { imageJobs: parseCount(flags.imageJobs, '--image-jobs') } : {}),
    dryRun: flags.dryRun ?? false,
    keepGoing: flags.keepGoing ?? false,
    ...(flags.referrers ? { referrers: true } : {}),
  };
  const progress = syncProgress(env.io.stderr, (flags.quiet ?? false) || (flags.dryRun ?? false));
  let report: SyncReport;
  try {
    report = await work({ ...opts, ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) });
  } finally {
    progress.stop();
  }
  if (flags.format === 'json') env.io.stdout.write(syncJson(report));
  else if (report.dryRun) env.io.stdout.write(syncPlan(report));
  if (!flags.quiet) env.io.stderr.write(syncSummary(report));
  if (report.failed) {
    const failures = report.images.filter((r) => r.status === 'failed');
    for (const r of failures) env.warn(imageLine(r));
    throw new SyncFailed(`${report.failed} of ${report.images.length} images failed`, partialExitCode(failures));
  }
}

class SyncFailed extends RegctlError {
  constructor(message: string, exitCode: number) {
    super('ERR_SYNC_FAILED', message, exitCode);
  }
}

function tagFilter(flags: SyncFlags): TagFilter {
  return {
    ...(flags.tags !== undefined ? { include: tagRegex(flags.tags, '--tags') } : {}),
    ...(flags.exclude !== undefined ? { exclude: tagRegex(flags.exclude, '--exclude') } : {}),
    ...(flags.semver !== undefined ? { semver: semverRange(flags.semver, '--semver') } : {}),
  };
}

export default defineCommand({
  name: 'sync',
  summary: 'mirror repositories: every tag (or those selected) not already at the destination with the same digest',
  usage: '[options] SRC_REPO DST_REPO | --config FILE DESTINATION',
  registry: 'sides',
  peers: 'skopeo sync; regclient image copy --all-tags (regsync)',
  build,
  action: syncCommand,
});
