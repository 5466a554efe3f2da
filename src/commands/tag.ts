import type { CommandEnv } from './command-env.js';
import { tag } from '../ops/local.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<source>', 'local image')
  .argument('<target>', 'new name');

async function tagCommand(env: CommandEnv, source: string, target: string, _flags: FlagsOf<typeof build>): Promise<void> {
  await tag(await env.context(), source, target);
}

export default defineCommand({
  name: 'tag',
  summary: 'give a local image another name (no data is copied)',
  registry: 'none',
  peers: 'docker tag; crane tag (remote)',
  build,
  action: tagCommand,
});
