import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { parsePlatform } from '../oci/platform.js';
import { pull } from '../ops/pull.js';
import { withTransfer } from './transfer.js';
import { parseReference } from '../ref/parse.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<image>', 'image reference')
  .option('--platform <os/arch[/variant]>', 'pick this platform from an index (a single image must be that platform)')
  .option('-a, --all-platforms', 'keep the whole multi-platform index')
  .option('-j, --jobs <n>', 'blobs moved at once')
  .option('-q, --quiet', 'print only the image name');

async function pullCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  if (flags.platform && flags.allPlatforms) throw new UsageError('--platform and --all-platforms are mutually exclusive');
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  const r = await withTransfer(env, flags, `Resolving ${image}`, (opts) =>
    pull(ctx, image, { ...opts, credentials, platform, allPlatforms: flags.allPlatforms ?? false }));
  if (flags.quiet) {
    env.io.stdout.write(`${r.name}\n`);
    return;
  }
  env.io.stdout.write(`Digest: ${r.digest}\nStatus: ${r.upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${r.name}\n${r.name}\n`);
}

export default defineCommand({
  name: 'pull',
  summary: 'pull an image into the local store (the host platform of an index by default)',
  registry: 'one',
  peers: 'docker pull; crane pull; skopeo copy docker://… containers-storage:…',
  build,
  action: pullCommand,
});
