import type { CommandEnv } from './command-env.js';
import { tags } from '../ops/list.js';
import { tagsForDigest } from '../ops/tags-for-digest.js';
import { renderList } from '../output/list.js';
import { parseRepository } from '../ref/parse.js';
import { credentialContext } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<repository>', 'repository, e.g. alpine or localhost:5000/app')
  .option('--digest <digest>', 'only the tags pointing at this digest (a HEAD per tag)')
  .addOption(cmd.createOption('--format <format>', 'output format').choices(['text', 'json'] as const).default('text' as const));

async function tagsCommand(env: CommandEnv, repository: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const ctx = await credentialContext(env, flags, [parseRepository(repository).registry]);
  if (flags.digest === undefined) {
    env.io.stdout.write(renderList(await tags(ctx, repository), flags.format));
    return;
  }
  const stderr = env.io.stderr;
  const onProgress = stderr.isTTY ? (done: number, total: number) => stderr.write(`\rchecked ${done}/${total} tags`) : undefined;
  try {
    env.io.stdout.write(renderList(await tagsForDigest(ctx, repository, flags.digest, onProgress ? { onProgress } : {}), flags.format));
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
