import type { CommandEnv } from './command-env.js';
import { catalog, registryHost } from '../api/read.js';
import { formatHelp, parseFormat, TEXT_JSON, writeTemplate } from '../output/format.js';
import { renderList } from '../output/list.js';
import { catalogData } from '../output/template-data.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<registry>', 'registry host[:port]')
  .option('--format <format>', formatHelp(TEXT_JSON), 'text');


async function catalogCommand(env: CommandEnv, registry: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = parseFormat(flags.format, TEXT_JSON);
  const repositories = await catalog(registry, { context: await env.context(), credentials: await credentialOptions(env, flags) });
  if (format.template) await writeTemplate(format.template, [catalogData(registryHost(registry), repositories)], env.io.stdout);
  else env.io.stdout.write(renderList(repositories, format.builtin));
}

export default defineCommand({
  name: 'catalog',
  summary: 'list every repository of a registry',
  registry: 'one',
  peers: 'crane catalog; regclient repo ls',
  examples: [
    ['regctl catalog localhost:5000', 'lists every repository of the registry'],
    ['regctl catalog --format json registry.example.com', 'the same as JSON'],
  ],
  build,
  action: catalogCommand,
});
