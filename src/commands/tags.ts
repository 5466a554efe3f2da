import type { CommandEnv } from './command-env.js';
import { tags } from '../ops/list.js';
import { tagsForDigest } from '../ops/tags-for-digest.js';
import { renderTagList } from '../output/list.js';
import { formatHelp, parseFormat } from '../output/format.js';
import { parseRepository } from '../ref/parse.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<repository>', 'repository, e.g. alpine or localhost:5000/app')
  .option('--digest <digest>', 'only the tags pointing at this digest (a HEAD per tag)')
  .option('--format <format>', formatHelp(FORMATS), 'text');

const FORMATS = ['text', 'json'] as const;

async function tagsCommand(env: CommandEnv, repository: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = parseFormat(flags.format, FORMATS);
  const repo = parseRepository(repository);
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  const write = (list: string[]) => env.io.stdout.write(renderTagList(format, `${repo.registry}/${repo.repository}`, list));
  if (flags.digest === undefined) {
    write(await tags(ctx, repository, { credentials }));
    return;
  }
  const stderr = env.io.stderr;
  const onProgress = stderr.isTTY ? (done: number, total: number) => stderr.write(`\rchecked ${done}/${total} tags`) : undefined;
  try {
    write(await tagsForDigest(ctx, repository, flags.digest, { credentials, ...(onProgress ? { onProgress } : {}) }));
  } finally {
    if (onProgress) stderr.write('\r\x1b[K');
  }
}

export default defineCommand({
  name: 'tags',
  summary: 'list every tag of a repository, or with --digest those pointing at one digest',
  registry: 'one',
  peers: 'crane ls; regclient tag ls; skopeo list-tags',
  build,
  action: tagsCommand,
});
