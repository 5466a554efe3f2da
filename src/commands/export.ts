import type { Command } from '@commander-js/extra-typings';
import { exportImage } from '../api/change.js';
import type { CommandEnv } from './command-env.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';

const build = (cmd: Command, locations: string) => cmd
  .argument('<image>', `image: ${locations}`)
  .option('-o, --output <file>', 'write the tar to this file; - (the default) is stdout')
  .option('--platform <os/arch[/variant]>', 'the platform exported from an index (default: this machine\'s)');

async function exportCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const output = flags.output === undefined || flags.output === '-' ? env.io.stdout : flags.output;
  await exportImage(image, output, { context: await env.context(), platform: flags.platform, credentials: await credentialOptions(env, flags) });
}

export default defineCommand({
  name: 'export',
  summary: 'write the filesystem an image\'s layers make as one tar (whiteouts applied, hard links kept)',
  registry: 'one',
  peers: 'crane export; regclient image get-file (one file)',
  examples: [
    ['regctl export -o rootfs.tar alpine:3.20', 'writes the host platform\'s filesystem as one tar'],
    ['regctl export --platform linux/arm64 localhost:5000/app:1.0 | tar -tf - | grep etc/', 'lists the arm64 image\'s files under etc/'],
  ],
  build,
  action: exportCommand,
});
