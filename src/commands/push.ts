import type { CommandEnv } from './command-env.js';
import { push } from '../api/transfer.js';
import { credentialOptions } from './credentials.js';
import { writeDigestFile } from './digestfile.js';
import { withTransfer } from './transfer.js';
import { renderPushedImage, resultFormat, resultFormatHelp } from '../output/verb-results.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<image>', 'image reference')
  .option('-j, --jobs <n>', 'blobs moved at once')
  .option('-q, --quiet', 'print only the image name')
  .option('--digestfile <file>', 'write the digest of the pushed manifest to this file')
  .option('--format <format>', resultFormatHelp('NAME: digest: D size: N', '{{.Digest}}'));

async function pushCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = resultFormat(flags.format);
  const credentials = await credentialOptions(env, flags);
  const context = await env.context();
  const r = await withTransfer(env, flags, `Pushing ${image}`, (opts) => push(image, { ...opts, context, credentials }));
  await writeDigestFile(flags.digestfile, r.digest);
  env.io.stdout.write(renderPushedImage(format, r, flags.quiet === true));
}

export default defineCommand({
  name: 'push',
  summary: 'push an image from the local store to its registry',
  registry: 'one',
  peers: 'docker push; crane push; skopeo copy containers-storage:… docker://…',
  examples: [
    ['regctl push localhost:5000/app:1.0', 'pushes the local image to its registry'],
    ['regctl push --digestfile app.digest registry.example.com/app:1.0', 'pushes it and writes the digest pushed to app.digest'],
  ],
  build,
  action: pushCommand,
});
