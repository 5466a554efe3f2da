import type { Command } from '@commander-js/extra-typings';
import { flatten } from '../api/change.js';
import { CHANGE_FLAG_NAMES, changeFlags, runChange } from './change-flags.js';
import type { CommandEnv } from './command-env.js';
import { defineCommand, type FlagsOf } from './define.js';

const build = (cmd: Command, locations: string) => changeFlags(cmd
  .argument('<image>', `image: ${locations}`)
  .addOption(cmd.createOption('--compress <type>', 'how the one layer is compressed').choices(['gzip', 'zstd'] as const).default('gzip' as const))
  .option('--reproducible', 'the history entry\'s time from SOURCE_DATE_EPOCH (or 0)'));

async function flattenCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'sides'>): Promise<void> {
  await runChange(env, image, flags, (opts) => flatten(image, { ...opts, compress: flags.compress, reproducible: flags.reproducible }));
}

export default defineCommand({
  name: 'flatten',
  summary: 'squash an image\'s layers into one (whiteouts applied); prints the new digest',
  registry: 'sides',
  peers: 'crane flatten',
  build,
  flags: CHANGE_FLAG_NAMES,
  action: flattenCommand,
});
