import type { CommandEnv } from './command-env.js';
import { RegctlError, UsageError } from '../errors.js';
import { sync, type SyncOptions, type SyncReport } from '../ops/sync.js';
import { readSyncConfig } from '../ops/sync-config.js';
import { configJobs, repositoryJob } from '../ops/sync-jobs.js';
import { semverRange, tagRegex, type TagFilter } from '../ops/tag-filter.js';
import { transferOptions, type TransferCredentialFlags } from './credentials.js';
import { parseCount } from './transfer.js';
import { imageLine, syncJson, syncPlan, syncProgress, syncSummary } from '../output/sync-report.js';

export interface SyncFlags extends TransferCredentialFlags {
  config?: string;
  tags?: string;
  exclude?: string;
  semver?: string;
  scoped?: boolean;
  dryRun?: boolean;
  jobs?: string;
  imageJobs?: string;
  keepGoing?: boolean;
  referrers?: boolean;
  format?: 'text' | 'json';
  quiet?: boolean;
}

/** `regctl sync SRC_REPO DST_REPO [filters]` or `regctl sync --config FILE DST`. */
export async function syncCommand(env: CommandEnv, first: string, second: string | undefined, flags: SyncFlags): Promise<void> {
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
export async function runSync(env: CommandEnv, flags: SyncFlags, work: (opts: SyncOptions) => Promise<SyncReport>): Promise<void> {
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
    const codes = new Set(failures.map((r) => r.error?.exitCode ?? 1));
    throw new SyncFailed(`${report.failed} of ${report.images.length} images failed`, codes.size === 1 ? [...codes][0]! : 1);
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
