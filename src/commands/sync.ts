import type { CommandEnv } from './command-env.js';
import { PartialFailureError, UsageError, partialExitCode } from '../errors.js';
import { sync, type CopyAllTagsOptions, type Shard, type SyncReport } from '../api/transfer.js';
import type { Env } from '../util/env.js';
import { formatHelp, parseFormat, TEXT_JSON } from '../output/format.js';
import { renderResult, type ResultFormat } from '../output/verb-results.js';
import { imageLine, syncData, syncPlan, syncProgress, syncSummary } from '../output/sync-report.js';
import { transferOptions } from './credentials.js';
import { parseCount } from './transfer.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

/** How sync and copy --all-tags print their report on stdout. */

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
  .option('--policy <file>', 'judge source images by this containers-policy.json first ("system": containers/image\'s own); refused: exit 7, nothing written (default: the config\'s policy); with --keep-going a refused image is reported and the others go on')
  .option('--referrers', 'also copy signatures, SBOMs and attestations of every image (OCI referrers and cosign tags), recursively; off by default')
  .option('--shard <K/N>', 'mirror only shard K of N (1 ≤ K ≤ N; N alone: K from $JOB_COMPLETION_INDEX, a Kubernetes Indexed Job\'s)')
  .option('--shard-by <unit>', 'what shards split: repository (each tag list read by one shard) or image', 'repository')
  .option('--format <format>', `report on stdout: ${formatHelp(TEXT_JSON)} (text: the plan of a dry run)`, 'text')
  .option('-q, --quiet', 'no progress and no summary');

type SyncFlags = FlagsOf<typeof build, 'sides'>;
/** What runSync reads of the flags (copy --all-tags has them too). */
type RunFlags = Pick<SyncFlags, 'jobs' | 'imageJobs' | 'dryRun' | 'keepGoing' | 'referrers' | 'quiet' | 'policy'>;
/** What runSync gives the library call. */
type RunOptions = Pick<CopyAllTagsOptions, 'jobs' | 'imageJobs' | 'dryRun' | 'keepGoing' | 'referrers' | 'onProgress' | 'policy'>;

/** `regctl sync SRC_REPO DST_REPO [filters]` or `regctl sync --config FILE DST`. */
async function syncCommand(env: CommandEnv, first: string | undefined, second: string | undefined, flags: SyncFlags): Promise<void> {
  const format = parseFormat(flags.format, TEXT_JSON);
  if (first === undefined) {
    throw new UsageError(flags.config === undefined ? 'sync needs SRC_REPO and DST_REPO, or --config FILE and a destination' : 'with --config, give the destination registry[/path]', {
      hint: flags.config === undefined ? 'regctl sync SRC_REPO DST_REPO' : `regctl sync --config ${flags.config} DESTINATION`,
    });
  }
  if (flags.config !== undefined) {
    if (second !== undefined) throw new UsageError('with --config, give only the destination', { hint: 'regctl sync --config FILE DESTINATION' });
  } else if (second === undefined) {
    throw new UsageError('sync needs SRC_REPO and DST_REPO, or --config FILE and a destination');
  } else if (flags.scoped) {
    throw new UsageError('--scoped names destinations of a sync file (--config)');
  }
  const [sourceCredentials, destinationCredentials] = await transferOptions(env, flags);
  const context = await env.context();
  const [source, destination] = flags.config === undefined ? [first, second!] : [{ path: flags.config, scoped: flags.scoped ?? false }, first];
  await runSync(env, flags, format, (opts) => sync(source, destination, {
    ...opts,
    context,
    sourceCredentials,
    destinationCredentials,
    tags: flags.tags,
    exclude: flags.exclude,
    semver: flags.semver,
    ...(flags.shard !== undefined ? { shard: parseShard(flags.shard, flags.shardBy, env.io.env) } : {}),
  }));
}

/**
 * `--shard K/N`, or `--shard N` in a Kubernetes Indexed Job (K = $JOB_COMPLETION_INDEX + 1: the job's index counts
 * from 0, shards from 1).
 */
function parseShard(text: string, by: string, vars: Env): Shard {
  if (by !== 'repository' && by !== 'image') throw new UsageError(`--shard-by ${by}: give repository or image`, { option: 'shard.by' });
  const given = /^(?:(\d+)\/)?(\d+)$/.exec(text.trim());
  if (!given) throw new UsageError(`--shard ${text}: give K/N (shard K of N, from 1) or N`, { hint: 'regctl sync --shard 2/4 SRC DST' });
  const count = Number(given[2]);
  let index: number;
  if (given[1] !== undefined) {
    index = Number(given[1]);
  } else {
    const job = vars.JOB_COMPLETION_INDEX;
    if (job === undefined || !/^\d+$/.test(job)) {
      throw new UsageError(`--shard ${text} takes its K from $JOB_COMPLETION_INDEX, which is ${job === undefined ? 'not set' : `'${job}'`}`, { hint: `give --shard K/${count}` });
    }
    index = Number(job) + 1;
  }
  if (count < 1 || index < 1 || index > count) throw new UsageError(`--shard ${given[1] === undefined ? `${text} (K = ${index} from $JOB_COMPLETION_INDEX)` : text}: K must be 1 to N, N at least 1`);
  return { index, count, by };
}

/**
 * Runs a sync (or copy --all-tags) with the progress display, then prints the report (the plan of a dry run as
 * text) and the summary; failed images are listed and make the exit code (errors.ts partialExitCode).
 */
export async function runSync(env: CommandEnv, flags: RunFlags, format: ResultFormat, work: (opts: RunOptions) => Promise<SyncReport>): Promise<void> {
  const progress = syncProgress(env.io.stderr, (flags.quiet ?? false) || (flags.dryRun ?? false));
  let report: SyncReport;
  try {
    report = await work({
      ...(flags.jobs !== undefined ? { jobs: parseCount(flags.jobs, '--jobs') } : {}),
      ...(flags.imageJobs !== undefined ? { imageJobs: parseCount(flags.imageJobs, '--image-jobs') } : {}),
      dryRun: flags.dryRun ?? false,
      keepGoing: flags.keepGoing ?? false,
      ...(flags.referrers ? { referrers: true } : {}),
      ...(flags.policy !== undefined ? { policy: flags.policy } : {}),
      ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
    });
  } finally {
    progress.stop();
  }
  env.io.stdout.write(renderResult(format, report.dryRun ? syncPlan(report) : '', report, () => syncData(report)));
  if (!flags.quiet) env.io.stderr.write(syncSummary(report));
  const failures = report.images.filter((r) => r.status === 'failed');
  if (failures.length) {
    for (const r of failures) env.warn(imageLine(r));
    throw new PartialFailureError('ERR_SYNC_FAILED', `${failures.length} of ${report.images.length} images failed`, partialExitCode(failures));
  }
}

export default defineCommand({
  name: 'sync',
  summary: 'mirror repositories: every tag (or those selected) not already at the destination with the same digest',
  usage: '[options] SRC_REPO DST_REPO | --config FILE DESTINATION',
  registry: 'sides',
  peers: 'skopeo sync; regclient image copy --all-tags (regsync)',
  examples: [
    ['regctl sync --semver \'>= 1.25\' nginx registry.internal/hub/nginx', 'mirrors nginx\'s tags of version 1.25 and later, skipping those already there'],
    ['regctl sync --tags \'^3\\.\' --dry-run alpine registry.internal/hub/alpine', 'plans a mirror of alpine\'s 3.x tags without writing'],
    ['regctl sync --config mirror.yaml registry.internal/hub --keep-going', 'mirrors every repository the sync file lists, going on past failures'],
  ],
  build,
  action: syncCommand,
});
