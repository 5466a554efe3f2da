import type { CommandEnv } from './command-env.js';
import { tags } from '../ops/list.js';
import { tagsForDigest } from '../ops/tags-for-digest.js';
import { renderTagList } from '../output/list.js';
import { terminalSafe } from '../output/terminal.js';
import { formatHelp, parseFormat } from '../output/format.js';
import { parseRepository } from '../ref/parse.js';
import { credentialOptions } from './credentials.js';
import { batchInputs, failBatch, fromFileOption, outcomeJson } from './batch.js';
import { batchContext, eachInput } from '../ops/batch.js';
import { collect, defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const FORMATS = ['text', 'json'] as const;

/** `tags` and `tag ls`: the same arguments, options and action under two names. */
export const buildTags = (cmd: Command) => fromFileOption(cmd
  .argument('[repository...]', 'repositories, e.g. alpine or localhost:5000/app')
  .option('--digest <digest>', 'only the tags pointing at this digest (a HEAD per tag)')
  .option('--exclude <regex>', 'leave out tags in which this regular expression is found (repeatable)', collect, [] as string[])
  .option('--omit-digest-tags', 'leave out referrers and cosign digest tags (sha256-<hex>, sha256-<hex>.sig, …)')
  .option('--format <format>', formatHelp(FORMATS), 'text'), 'repositories');

/**
 * One repository: its tags, one per line. Several (or --from-file): `REPOSITORY TAG` lines in input order, or a JSON
 * array of `{ repository, tags }`, all on one transport; failures named on stderr, the exit code the worst.
 */
export async function tagsCommand(env: CommandEnv, args: string[], flags: FlagsOf<typeof buildTags, 'one'>): Promise<void> {
  const format = parseFormat(flags.format, FORMATS);
  const repositories = await batchInputs(env, args, flags.fromFile, 'repositories');
  const credentials = await credentialOptions(env, flags);
  const filter = { exclude: flags.exclude, omitDigestTags: flags.omitDigestTags === true };
  const ctx = await env.context();
  if (repositories.length > 1 || flags.fromFile !== undefined) {
    const registryOf = (r: string) => [parseRepository(r).registry];
    const shared = await batchContext(ctx, repositories, credentials, registryOf);
    const list = (r: string) => (flags.digest === undefined ? tags(shared, r, filter) : tagsForDigest(shared, r, flags.digest, filter));
    const outcomes = await eachInput(repositories, list);
    const out = env.io.stdout;
    const listed = outcomes.flatMap((o) => ('result' in o ? [{ repository: o.input, tags: o.result }] : []));
    if (format.builtin === 'json') out.write(`${JSON.stringify(outcomes.map((o) => outcomeJson(o, 'repository', (t) => ({ tags: t }))), null, 2)}\n`);
    else if (format.template) out.write(listed.map((l) => renderTagList(format, l.repository, l.tags)).join(''));
    else out.write(listed.flatMap((l) => l.tags.map((t) => `${terminalSafe(`${l.repository} ${t}`)}\n`)).join(''));
    failBatch(env, outcomes);
    return;
  }
  const repository = repositories[0]!;
  const repo = parseRepository(repository);
  const write = (list: string[]) => env.io.stdout.write(renderTagList(format, `${repo.registry}/${repo.repository}`, list));
  if (flags.digest === undefined) {
    write(await tags(ctx, repository, { ...filter, credentials }));
    return;
  }
  const stderr = env.io.stderr;
  const onProgress = stderr.isTTY ? (done: number, total: number) => stderr.write(`\rchecked ${done}/${total} tags`) : undefined;
  try {
    write(await tagsForDigest(ctx, repository, flags.digest, { ...filter, credentials, ...(onProgress ? { onProgress } : {}) }));
  } finally {
    if (onProgress) stderr.write('\r\x1b[K');
  }
}

export default defineCommand({
  name: 'tags',
  summary: 'list every tag of a repository, or with --digest those pointing at one digest',
  registry: 'one',
  peers: 'crane ls; regclient tag ls; skopeo list-tags',
  build: buildTags,
  action: tagsCommand,
});
