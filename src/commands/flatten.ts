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
  examples: [
    ['regctl flatten localhost:5000/app:1.0 -t localhost:5000/app:1.0-flat', 'squashes the image\'s layers into one under a new tag'],
    ['regctl flatten --compress zstd --manifest-format oci --reproducible localhost:5000/app:1.0 -t oci:./flat:app', 'squashes every platform\'s image into one zstd layer, the same digest every time, written into an OCI layout'],
  ],
  build,
  flags: CHANGE_FLAG_NAMES,
  action: flattenCommand,
});
