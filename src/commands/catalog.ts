import type { CommandEnv } from './command-env.js';
import { catalog, registryHost } from '../ops/list.js';
import { formatHelp, parseFormat, renderTemplate } from '../output/format.js';
import { renderList } from '../output/list.js';
import { catalogData } from '../output/template-data.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<registry>', 'registry host[:port]')
  .option('--format <format>', formatHelp(FORMATS), 'text');

const FORMATS = ['text', 'json'] as const;

async function catalogCommand(env: CommandEnv, registry: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = parseFormat(flags.format, FORMATS);
  const host = registryHost(registry);
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  const repositories = await catalog(ctx, registry, { credentials });
  env.io.stdout.write(format.template ? renderTemplate(format.template, [catalogData(host, repositories)]) : renderList(repositories, format.builtin));
}

export default defineCommand({
  name: 'catalog',
  summary: 'list every repository of a registry',
  registry: 'one',
  peers: 'crane catalog; regclient repo ls',
  build,
  action: catalogCommand,
});
