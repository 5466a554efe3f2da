import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { pull } from '../api/transfer.js';
import { withTransfer } from './transfer.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import { renderPulled, resultFormat, resultFormatHelp } from '../output/verb-results.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<image>', 'image reference')
  .option('--platform <os/arch[/variant]>', 'pick this platform from an index (a single image must be that platform)')
  .option('-a, --all-platforms', 'keep the whole multi-platform index')
  .option('-j, --jobs <n>', 'blobs moved at once')
  .option('--policy <file>', 'judge source images by this containers-policy.json first ("system": containers/image\'s own); refused: exit 7, nothing written (default: the config\'s policy)')
  .option('-q, --quiet', 'print only the image name')
  .option('--format <format>', resultFormatHelp('docker\'s Digest/Status lines', '{{.Digest}}'));

async function pullCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  if (flags.platform && flags.allPlatforms) throw new UsageError('--platform and --all-platforms are mutually exclusive');
  const format = resultFormat(flags.format);
  const credentials = await credentialOptions(env, flags);
  const context = await env.context();
  const r = await withTransfer(env, flags, `Resolving ${image}`, (opts) =>
    pull(image, { ...opts, context, credentials, policy: flags.policy, platform: flags.allPlatforms ? 'all' : flags.platform }));
  env.io.stdout.write(renderPulled(format, r, flags.quiet === true));
}

export default defineCommand({
  name: 'pull',
  summary: 'pull an image into the local store (the host platform of an index by default)',
  registry: 'one',
  peers: 'docker pull; crane pull; skopeo copy docker://… containers-storage:…',
  examples: [
    ['regctl pull alpine:3.20', 'pulls the host platform\'s image into the local store'],
    ['regctl pull --platform linux/arm64 alpine:3.20', 'pulls the arm64 image'],
    ['regctl pull -a -q localhost:5000/app:1.0', 'pulls every platform of the index, quietly'],
  ],
  build,
  action: pullCommand,
});
