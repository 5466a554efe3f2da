import type { CommandEnv } from './command-env.js';
import { push } from '../ops/push.js';
import { credentialOptions } from './credentials.js';
import { writeDigestFile } from './digestfile.js';
import { withTransfer } from './transfer.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<image>', 'image reference')
  .option('-j, --jobs <n>', 'blobs moved at once')
  .option('-q, --quiet', 'print only the image name')
  .option('--digestfile <file>', 'write the digest of the pushed manifest to this file');

async function pushCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  const r = await withTransfer(env, flags, `Pushing ${image}`, (opts) => push(ctx, image, { ...opts, credentials }));
  await writeDigestFile(flags.digestfile, r.digest);
  env.io.stdout.write(flags.quiet ? `${r.name}\n` : `${r.name}: digest: ${r.digest} size: ${r.size}\n`);
}

export default defineCommand({
  name: 'push',
  summary: 'push an image from the local store to its registry',
  registry: 'one',
  peers: 'docker push; crane push; skopeo copy containers-storage:… docker://…',
  build,
  action: pushCommand,
});
