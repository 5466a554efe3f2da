import type { CommandEnv } from './command-env.js';
import { catalog, registryHost } from '../ops/list.js';
import { renderList } from '../output/list.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<registry>', 'registry host[:port]')
  .addOption(cmd.createOption('--format <format>', 'output format').choices(['text', 'json'] as const).default('text' as const));

async function catalogCommand(env: CommandEnv, registry: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  env.io.stdout.write(renderList(await catalog(ctx, registry, { credentials }), flags.format));
}

export default defineCommand({
  name: 'catalog',
  summary: 'list every repository of a registry',
  registry: 'one',
  peers: 'crane catalog; regclient repo ls',
  build,
  action: catalogCommand,
});
