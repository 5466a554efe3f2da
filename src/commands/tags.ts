import type { CommandEnv } from './command-env.js';
import type { OpsContext } from '../ops/context.js';
import type { CredentialOptions } from '../ops/credentials.js';
import { tags } from '../ops/list.js';
import { tagsForDigest } from '../ops/tags-for-digest.js';
import { renderTagList } from '../output/list.js';
import { formatHelp, parseFormat } from '../output/format.js';
import { parseRepository } from '../ref/parse.js';
import { batchContext, eachInput } from '../ops/batch.js';
import { batchInputs, failBatch, fromFileOption, outcomeJson } from './batch.js';
import { credentialOptions, lightweightContext } from './credentials.js';
import { UsageError } from '../errors.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => fromFileOption(cmd
  .argument('[repository...]', 'repositories, e.g. alpine or localhost:5000/app')
  .option('--digest <digest>', 'only the tags pointing at this digest (a HEAD per tag)')
  .option('--format <format>', formatHelp(FORMATS), 'text'), 'repositories');

const FORMATS = ['text', 'json'] as const;

/** One repository: its tags. Several (or --from-file): `REPOSITORY TAG` lines or a JSON array, in input order. */
async function tagsCommand(env: CommandEnv, args: string[], flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const repositories = await batchInputs(env, args, flags.fromFile, 'repositories');
  const format = parseFormat(flags.format, FORMATS);
  const credentials = await credentialOptions(env, flags);
  const ctx = await lightweightContext(env);
  if (repositories.length === 1 && flags.fromFile === undefined) {
    const repo = parseRepository(repositories[0]!);
    env.io.stdout.write(renderTagList(format, `${repo.registry}/${repo.repository}`, await tagsWithProgress(env, ctx, repositories[0]!, flags.digest, credentials)));
    return;
  }
  if (format.template) throw new UsageError('a --format template takes one repository');
  const shared = await batchContext(ctx, repositories, credentials, (r) => [parseRepository(r).registry]);
  const outcomes = await eachInput(repositories, (repository) => (flags.digest === undefined ? tags(shared, repository) : tagsForDigest(shared, repository, flags.digest)));
  const out = env.io.stdout;
  if (format.builtin === 'json') out.write(`${JSON.stringify(outcomes.map((o) => outcomeJson(o, 'repository', (t) => ({ tags: t }))), null, 2)}\n`);
  else out.write(outcomes.flatMap((o) => ('result' in o ? o.result.map((t) => `${o.input} ${t}\n`) : [])).join(''));
  failBatch(env, outcomes);
}

/** One repository's tags, or those pointing at `digest` with a progress line on a terminal. */
async function tagsWithProgress(env: CommandEnv, ctx: OpsContext, repository: string, digest: string | undefined, credentials: CredentialOptions): Promise<string[]> {
  if (digest === undefined) return tags(ctx, repository, { credentials });
  const stderr = env.io.stderr;
  const onProgress = stderr.isTTY ? (done: number, total: number) => stderr.write(`\rchecked ${done}/${total} tags`) : undefined;
  try {
    return await tagsForDigest(ctx, repository, digest, { credentials, ...(onProgress ? { onProgress } : {}) });
  } finally {
    if (onProgress) stderr.write('\r\x1b[K');
  }
}

export default defineCommand({
  name: 'tags',
  summary: 'list every tag of each repository, or with --digest those pointing at one digest',
  registry: 'one',
  peers: 'crane ls; regclient tag ls; skopeo list-tags',
  build,
  action: tagsCommand,
});
