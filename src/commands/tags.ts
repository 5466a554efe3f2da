import type { CommandEnv } from './command-env.js';
import { tags } from '../ops/list.js';
import { renderList } from '../output/list.js';
import { parseRepository } from '../ref/parse.js';
import { credentialContext } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<repository>', 'repository, e.g. alpine or localhost:5000/app')
  .addOption(cmd.createOption('--format <format>', 'output format').choices(['text', 'json'] as const).default('text' as const));

async function tagsCommand(env: CommandEnv, repository: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const ctx = await credentialContext(env, flags, [parseRepository(repository).registry]);
  env.io.stdout.write(renderList(await tags(ctx, repository), flags.format));
}

export default defineCommand({
  name: 'tags',
  summary: 'list every tag of a repository',
  registry: 'one',
  peers: 'crane ls; regclient tag ls; skopeo list-tags',
  build,
  action: tagsCommand,
});
