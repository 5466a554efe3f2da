import type { Command } from '@commander-js/extra-typings';
import { pipeline } from 'node:stream/promises';
import { getFile } from '../api/inspection.js';
import { UsageError } from '../errors.js';
import { atomicWriteStream } from '../util/atomic-write.js';
import { checkOutputFile } from '../util/output-file.js';
import type { CommandEnv } from './command-env.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';

const build = (cmd: Command, locations: string) => cmd
  .argument('<image>', `image: ${locations}`)
  .argument('<path>', 'the file\'s path inside the image (/etc/os-release); symbolic links are followed inside the image')
  .option('-o, --output <file>', 'write it to FILE (atomically) instead of stdout')
  .option('--platform <os/arch[/variant]>', 'in an index, this platform\'s image (default: the host\'s)')
  .addHelpText('after', `
Layers are read from the top, each streamed, until one decides the path: a whiteout (.wh.NAME) or an opaque
directory hides what lies below. Exit 3 when the image has no such file; a directory is exit 2. Like blob get,
the bytes are never written to a terminal: give -o FILE or redirect stdout.`);

async function getFileCommand(env: CommandEnv, image: string, path: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  if (!flags.output && env.io.stdout.isTTY) throw new UsageError('refusing to write a file\'s bytes to a terminal', { hint: 'use -o FILE or redirect stdout' });
  if (flags.output) await checkOutputFile(flags.output);
  const { stream } = await getFile(image, path, { context: await env.context(), platform: flags.platform, credentials: await credentialOptions(env, flags) });
  if (flags.output) await atomicWriteStream(flags.output, stream);
  else await pipeline(stream, env.io.stdout, { end: false });
}

export default defineCommand({
  name: 'get-file',
  summary: 'one file out of an image\'s filesystem (whiteouts respected, symlinks followed inside the image)',
  registry: 'one',
  peers: 'regclient image get-file; crane export IMAGE - | tar -xO PATH',
  build,
  examples: [
    ['regctl get-file alpine:3 /etc/os-release', 'prints the os-release file of alpine:3 for the host\'s platform.'],
    ['regctl get-file --platform linux/arm64 oci:./layout:1 /bin/busybox -o busybox', 'writes the arm64 busybox binary of an OCI layout\'s image to ./busybox.'],
  ],
  action: getFileCommand,
});
