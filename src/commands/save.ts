import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { save } from '../api/transfer.js';
import { checkOutputFile } from '../util/output-file.js';
import { inFlagText } from './flag-names.js';
import { platformList } from './platforms.js';
import { withTransfer } from './transfer.js';
import { credentialOptions } from './credentials.js';
import { collect, defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<image...>', 'image references')
  .option('-o, --output <file>', 'write to this file (default: stdout, when it is not a terminal)')
  .option('--platform <os/arch[/variant]>', 'platform to take from multi-platform images (default: the host\'s); several (repeated or comma-separated) give an index of only those platforms (a new digest)', collect, [] as string[])
  .option('-a, --all-platforms', 'keep multi-platform indexes whole (attestations included), their digests unchanged')
  .option('--referrers', 'also save the referrers (signatures, SBOMs, attestations) of each image')
  .option('--include-nondistributable', 'also save foreign / non-distributable layers (left out by default)')
  .option('-j, --jobs <n>', 'blobs moved at once')
  .option('--policy <file>', 'judge images fetched from a registry by this containers-policy.json first ("system": containers/image\'s own); refused: exit 7, no file written (default: the config\'s policy)')
  .option('-q, --quiet', 'no progress lines');

async function saveCommand(env: CommandEnv, images: string[], flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  if (!flags.output && env.io.stdout.isTTY) {
    throw new UsageError('refusing to write a tarball to a terminal', { hint: 'use -o FILE or redirect stdout' });
  }
  const platforms = platformList(flags.platform);
  if (flags.allPlatforms && platforms.length > 0) throw new UsageError('--all-platforms and --platform exclude each other');
  if (flags.output) await checkOutputFile(flags.output);
  const credentials = await credentialOptions(env, flags);
  const context = await env.context();
  await withTransfer(env, { ...flags, quiet: flags.quiet ?? !flags.output }, `Saving ${images.join(', ')}`, (opts) =>
    save(images, flags.output ?? env.io.stdout, {
      ...opts,
      context,
      credentials,
      platform: flags.allPlatforms ? 'all' : platforms.length > 0 ? platforms : undefined,
      referrers: flags.referrers,
      policy: flags.policy,
      includeNondistributable: flags.includeNondistributable,
      onWarning: (warning) => env.warn(inFlagText(warning.message)),
    }));
}

export default defineCommand({
  name: 'save',
  summary: 'save images (from the local store, else their registry) to a tarball that docker load reads',
  registry: 'one',
  peers: 'docker save; crane pull --format tarball; skopeo copy … docker-archive:',
  examples: [
    ['regctl save -o alpine.tar alpine:3.20', 'writes the image to a tarball that docker load reads'],
    ['regctl save --platform linux/amd64,linux/arm64 -o app.tar localhost:5000/app:1.0 localhost:5000/worker:1.0', 'two images, two platforms each, in one tarball'],
  ],
  build,
  action: saveCommand,
});
