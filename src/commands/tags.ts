import type { CommandEnv } from './command-env.js';
import { tags } from '../ops/list.js';
import { renderList } from '../output/list.js';
import { formatHelp, parseFormat, renderTemplate } from '../output/format.js';
import { tagsData } from '../output/template-data.js';
import { parseRepository } from '../ref/parse.js';
import { credentialContext } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<repository>', 'repository, e.g. alpine or localhost:5000/app')
  .option('--format <format>', formatHelp(FORMATS), 'text');

const FORMATS = ['text', 'json'] as const;

async function tagsCommand(env: CommandEnv, repository: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = parseFormat(flags.format, FORMATS);
  const repo = parseRepository(repository);
  const ctx = await credentialContext(env, flags, [repo.registry]);
  const list = await tags(ctx, repository);
  env.io.stdout.write(format.template ? renderTemplate(format.template, [tagsData(`${repo.registry}/${repo.repository}`, list)]) : renderList(list, format.builtin));
}

export default defineCommand({
  name: 'tags',
  summary: 'list every tag of a repository',
  registry: 'one',
  peers: 'crane ls; regclient tag ls; skopeo list-tags',
  build,
  action: tagsCommand,
});
