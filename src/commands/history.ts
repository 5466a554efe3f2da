import type { Command } from '@commander-js/extra-typings';
import { history } from '../api/inspection.js';
import { formatHelp, parseFormat, TEXT_JSON } from '../output/format.js';
import { renderHistory } from '../output/history.js';
import type { CommandEnv } from './command-env.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';

const build = (cmd: Command, locations: string) => cmd
  .argument('<image>', `image: ${locations}`)
  .option('--platform <os/arch[/variant]>', 'in an index, this platform\'s image (default: the host\'s)')
  .option('--no-trunc', 'do not cut CREATED BY (nor the layer digests)')
  .option('--compressed', 'show the layers\' compressed sizes (from the manifest) instead of reading each layer for its unpacked size')
  .option('--format <format>', formatHelp(TEXT_JSON), 'text')
  .addHelpText('after', `
One row per step of the image config's history, newest first, with the layer it made: LAYER is the layer's
digest, <empty> for a step that made no layer (empty_layer: ENV, CMD, LABEL, …). SIZE is what docker history
prints: the unpacked size of the layer (the bytes of the files it holds), so each layer is streamed once to count
it; --compressed shows the compressed size of each layer blob instead, reading no layer. A template sees docker's
fields per row (ID, CreatedAt, CreatedSince, CreatedBy, Size, Comment) and Layer, DiffID, EmptyLayer,
CompressedSize, UnpackedSize; json gives the whole result (rows newest first).`);

async function historyCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = parseFormat(flags.format, TEXT_JSON);
  const compressed = flags.compressed === true;
  const result = await history(image, { context: await env.context(), platform: flags.platform, unpacked: !compressed, credentials: await credentialOptions(env, flags) });
  env.io.stdout.write(renderHistory(result, format, { noTrunc: flags.trunc === false, compressed, now: Date.now() }));
}

export default defineCommand({
  name: 'history',
  summary: 'an image\'s history: each step with the layer it made, its size, created time and command',
  registry: 'one',
  peers: 'docker history (of a registry image, without pulling it); regclient image config',
  build,
  examples: [
    ['regctl history alpine:3', 'lists the steps that made alpine:3, newest first, with docker\'s unpacked sizes.'],
    ['regctl history --no-trunc --format \'{{.CreatedBy}}\' localhost:5000/app:1', 'prints each step\'s whole command, one a line.'],
    ['regctl history --compressed oci:./layout:1', 'lists the steps with compressed layer sizes, reading no layer.'],
  ],
  action: historyCommand,
});
