import type { CommandEnv } from './command-env.js';
import { parsePlatform } from '../oci/platform.js';
import { digest } from '../ops/digest.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command, locations: string) => cmd
  .argument('<image>', `image: ${locations}`)
  .option('--platform <os/arch[/variant]>', 'the digest of this platform\'s manifest in an index (a single image must be that platform)')
  .option('--verify', 'GET the manifest and hash it instead of trusting the registry\'s digest header (always done for IMAGE@sha256:…)');

async function digestCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  env.io.stdout.write(`${await digest(ctx, image, { platform, verify: flags.verify === true, credentials })}
`);
}

export default defineCommand({
  name: 'digest',
  summary: 'print the digest an image reference points at',
  registry: 'one',
  peers: 'crane digest; regclient image digest; skopeo inspect --format {{.Digest}}',
  build,
  action: digestCommand,
});
