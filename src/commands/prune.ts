import type { Command } from '@commander-js/extra-typings';
import type { CommandEnv } from './command-env.js';
import { PartialFailureError, UsageError, partialExitCode } from '../errors.js';
import { prune } from '../api/prune.js';
import { formatHelp, parseFormat, TEXT_JSON } from '../output/format.js';
import { actionLine, pruneData, prunePlan, pruneSummary } from '../output/prune-report.js';
import { renderResult } from '../output/verb-results.js';
import { parseDuration } from '../util/duration.js';
import { credentialOptions } from './credentials.js';
import { collect, defineCommand, type FlagsOf } from './define.js';
import { parseCount } from './transfer.js';


const build = (cmd: Command) => cmd
  .argument('<repository>', 'registry repository, e.g. registry.internal/hub/app')
  .option('--keep <n>', 'keep the newest N images (digests) of the selected tags, each with all its tags (by creation time; ties by tag order)')
  .option('--older-than <duration>', 'only tags whose image is older than this (30d, 12h, 2w)')
  .option('--match <regex>', 'only tags this regular expression is found in (anchor with ^…$)')
  .option('--exclude <regex>', 'never tags this regular expression is found in')
  .option('--semver <range>', 'only tags that are versions in this range, e.g. "< 2.0"')
  .option('--keep-tag <regex>', 'always keep tags this regular expression is found in (repeatable)', collect, [] as string[])
  .option('--delete-untagged', 'delete a manifest once its last tag goes (else only the tags go)')
  .option('--with-signatures', 'with --delete-untagged: also delete the cosign signature/attestation/SBOM tags and referrers of deleted manifests')
  .option('--yes', 'delete: without it prune only prints the plan')
  .option('--dry-run', 'print the plan and delete nothing (the default without --yes)')
  .option('--keep-going', 'go on past a failed deletion; exit non-zero at the end')
  .option('-j, --jobs <n>', 'requests at once (default 8)')
  .option('--format <format>', `plan and report on stdout: ${formatHelp(TEXT_JSON)} (text: the plan of a dry run)`, 'text')
  .option('-q, --quiet', 'no plan and no summary (errors only)');

async function pruneCommand(env: CommandEnv, repository: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = parseFormat(flags.format, TEXT_JSON);
  if (flags.yes && flags.dryRun) throw new UsageError('--yes and --dry-run exclude each other');
  if (flags.keep !== undefined && !/^\d+$/.test(flags.keep)) throw new UsageError(`--keep "${flags.keep}": want a whole number`);
  const credentials = await credentialOptions(env, flags);
  const dryRun = !flags.yes;
  const report = await prune(repository, {
    context: await env.context(),
    dryRun,
    credentials,
    keep: flags.keep === undefined ? undefined : Number(flags.keep),
    olderThanMs: flags.olderThan === undefined ? undefined : parseDuration(flags.olderThan, '--older-than', Number.MAX_SAFE_INTEGER),
    match: flags.match,
    exclude: flags.exclude,
    semver: flags.semver,
    keepTags: flags.keepTag,
    deleteUntagged: flags.deleteUntagged ?? false,
    withSignatures: flags.withSignatures ?? false,
    keepGoing: flags.keepGoing ?? false,
    jobs: flags.jobs === undefined ? undefined : parseCount(flags.jobs, '--jobs'),
    ...(flags.quiet || !format.builtin || format.builtin === 'json' ? {} : {
      onProgress: (e) => {
        if (e.kind === 'deleted') env.io.stderr.write(`${actionLine(e.item)}\n`);
      },
    }),
  });
  const plan = !flags.quiet && dryRun;
  env.io.stdout.write(renderResult(format, plan ? prunePlan(report) : '', report, () => pruneData(report)));
  if (!flags.quiet) env.io.stderr.write(pruneSummary(report));
  const failures = report.actions.filter((a) => a.status === 'failed');
  for (const a of failures) env.warn(actionLine(a));
  if (failures.length) throw new PartialFailureError('ERR_PRUNE_FAILED', `${failures.length} of ${report.actions.length} deletions failed`, partialExitCode(failures));
}

export default defineCommand({
  name: 'prune',
  summary: 'delete old tags of a registry repository by rule (keep N newest, older than, match), sibling tags safe; plans unless --yes',
  registry: 'one',
  peers: 'none (Harbor/ACR retention policies, server-side)',
  examples: [
    ['regctl prune registry.internal/hub/app --keep 20', 'plans keeping the 20 newest images (each with all its tags) and removing the other tags; writes nothing'],
    ['regctl prune registry.internal/hub/app --older-than 30d --keep-tag \'^(latest|stable)$\' --delete-untagged --with-signatures --yes', 'removes tags older than 30 days, then the manifests left untagged with their signatures'],
    ['regctl prune registry.internal/hub/app --match \'^pr-\' --keep 5 --format json', 'plans keeping five pull-request images, as JSON'],
  ],
  build,
  flags: { olderThanMs: '--older-than', keepTags: '--keep-tag' },
  action: pruneCommand,
});
