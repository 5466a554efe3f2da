import type { CommandEnv } from './command-env.js';
import { load } from '../api/transfer.js';
import { parseReference } from '../ref/parse.js';
import { defineCommand, type FlagsOf } from './define.js';
import { renderLoaded, resultFormat, resultFormatHelp } from '../output/verb-results.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .option('-i, --input <file>', 'read this file (default: stdin)')
  .option('--name <ref>', 'name for the image the archive leaves unnamed (or for its only image)')
  .option('--policy <file>', 'judge the archive\'s images by this containers-policy.json first (transport docker-archive; "system": containers/image\'s own); refused: exit 7, nothing loaded (default: the config\'s policy)')
  .option('-q, --quiet', 'print only the loaded names')
  .option('--format <format>', resultFormatHelp('docker\'s Loaded image lines', '{{range .Names}}{{.}}{{"\\n"}}{{end}}'));

async function loadCommand(env: CommandEnv, flags: FlagsOf<typeof build>): Promise<void> {
  const format = resultFormat(flags.format);
  const r = await load(flags.input ?? env.io.stdin, { context: await env.context(), name: flags.name, policy: flags.policy });
  // The same lines with or without -q, as docker load (-q only drops progress, which load does not show).
  env.io.stdout.write(renderLoaded(format, r, (name) => parseReference(name).familiar));
}

export default defineCommand({
  name: 'load',
  summary: 'load images from a tarball (regctl, docker save, OCI; plain, gzip or zstd) into the local store',
  registry: 'none',
  peers: 'docker load; skopeo copy docker-archive:… containers-storage:…',
  examples: [
    ['regctl load -i alpine.tar', 'loads the images of a docker save or regctl save tarball into the local store'],
    ['regctl load -i app.oci.tar.zst --name localhost:5000/app:1.0', 'loads a zstd-compressed OCI archive, naming the image it leaves unnamed'],
  ],
  build,
  action: loadCommand,
});
