import type { CommandEnv } from './command-env.js';
import { load } from '../api/transfer.js';
import { parseReference } from '../ref/parse.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .option('-i, --input <file>', 'read this file (default: stdin)')
  .option('--name <ref>', 'name for the image the archive leaves unnamed (or for its only image)')
  .option('-q, --quiet', 'print only the loaded names');

async function loadCommand(env: CommandEnv, flags: FlagsOf<typeof build>): Promise<void> {
  const r = await load(flags.input ?? env.io.stdin, { context: await env.context(), name: flags.name });
  // The same lines with or without -q, as docker load (-q only drops progress, which load does not show).
  for (const name of r.names) env.io.stdout.write(`Loaded image: ${parseReference(name).familiar}\n`);
  for (const digest of r.unnamed) env.io.stdout.write(`Loaded image ID: ${digest}\n`);
}

export default defineCommand({
  name: 'load',
  summary: 'load images from a tarball (regctl, docker save, OCI; plain, gzip or zstd) into the local store',
  registry: 'none',
  peers: 'docker load; skopeo copy docker-archive:… containers-storage:…',
  build,
  action: loadCommand,
});
