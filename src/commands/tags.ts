import type { CommandEnv } from './command-env.js';
import type { OpsContext } from '../ops/context.js';
import { tags } from '../ops/list.js';
import { tagsForDigest } from '../ops/tags-for-digest.js';
import { renderList } from '../output/list.js';
import { parseRepository } from '../ref/parse.js';
import { eachInput } from '../ops/batch.js';
import { batchInputs, batchRegistries, failBatch, fromFileOption, outcomeJson } from './batch.js';
import { credentialContext } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => fromFileOption(cmd
  .argument('[repository...]', 'repositories, e.g. alpine or localhost:5000/app')
  .option('--digest <digest>', 'only the tags pointing at this digest (a HEAD per tag)')
  .addOption(cmd.createOption('--format <format>', 'output format').choices(['text', 'json'] as const).default('text' as const)), 'repositories');

/** One repository: its tags. Several (or --from-file): `REPOSITORY TAG` lines or a JSON array, in input order. */
async function tagsCommand(env: CommandEnv, args: string[], flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const repositories = await batchInputs(env, args, flags.fromFile, 'repositories');
  const ctx = await credentialContext(env, flags, batchRegistries(repositories, (r) => [parseRepository(r).registry]), { lightweight: true });
  const out = env.io.stdout;
  if (repositories.length === 1 && flags.fromFile === undefined) {
    out.write(renderList(await tagsWithProgress(env, ctx, repositories[0]!, flags.digest), flags.format));
    return;
  }
  const outcomes = await eachInput(repositories, (repository) => (flags.digest === undefined ? tags(ctx, repository) : tagsForDigest(ctx, repository, flags.digest)));
  if (flags.format === 'json') out.write(`${JSON.stringify(outcomes.map((o) => outcomeJson(o, 'repository', (t) => ({ tags: t }))), null, 2)}\n`);
  else out.write(outcomes.flatMap((o) => ('result' in o ? o.result.map((t) => `${o.input} ${t}\n`) : [])).join(''));
  failBatch(env, outcomes);
}

/** One repository's tags, or those pointing at `digest` with a progress line on a terminal. */
async function tagsWithProgress(env: CommandEnv, ctx: OpsContext, repository: string, digest: string | undefined): Promise<string[]> {
  if (digest === undefined) return tags(ctx, repository);
  const stderr = env.io.stderr;
  const onProgress = stderr.isTTY ? (done: number, total: number) => stderr.write(`\rchecked ${done}/${total} tags`) : undefined;
  try {
    return await tagsForDigest(ctx, repository, digest, onProgress ? { onProgress } : {});
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
