import type { Command } from '@commander-js/extra-typings';
import { rebase } from '../api/change.js';
import { CHANGE_FLAG_NAMES, changeFlags, runChange } from './change-flags.js';
import type { CommandEnv } from './command-env.js';
import { defineCommand, type FlagsOf } from './define.js';

const build = (cmd: Command, locations: string) => changeFlags(cmd
  .argument('<image>', `image: ${locations}`)
  .requiredOption('--old-base <image>', 'the base IMAGE was built on (its first layers must be this image\'s)')
  .requiredOption('--new-base <image>', 'the base to put under IMAGE\'s own layers instead'));

async function rebaseCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'sides'>): Promise<void> {
  await runChange(env, image, flags, (opts) => rebase(image, { ...opts, oldBase: flags.oldBase, newBase: flags.newBase }));
}

export default defineCommand({
  name: 'rebase',
  summary: 'put an image\'s own layers on a new base; exit 1 when it was not built on --old-base',
  registry: 'sides',
  peers: 'crane rebase; regclient image mod --rebase-ref',
  examples: [
    ['regctl rebase localhost:5000/app:1.0 --old-base alpine:3.19 --new-base alpine:3.20 -t localhost:5000/app:1.0-alpine3.20', 'puts the image\'s own layers on the newer base'],
  ],
  build,
  flags: CHANGE_FLAG_NAMES,
  action: rebaseCommand,
});
