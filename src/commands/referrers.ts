import type { CommandEnv } from './command-env.js';
import { transferRegistries } from '../ops/credentials.js';
import { referrers } from '../ops/referrers.js';
import { referrersJson, renderReferrersTree } from '../output/referrers-tree.js';
import { credentialContext } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<image>', 'image reference (or oci:DIR[:TAG])')
  .option('--artifact-type <type>', 'only referrers of this artifact type')
  .addOption(cmd.createOption('--format <format>', 'output format').choices(['tree', 'json'] as const).default('tree' as const));

async function referrersCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const ctx = await credentialContext(env, flags, transferRegistries(image));
  const result = await referrers(ctx, image, flags.artifactType ? { artifactType: flags.artifactType } : {});
  env.io.stdout.write(flags.format === 'json' ? referrersJson(result) : renderReferrersTree(result));
}

export default defineCommand({
  name: 'referrers',
  summary: 'list the signatures, SBOMs and attestations referring to an image (OCI 1.1 referrers, the referrers tag schema, cosign tags)',
  registry: 'one',
  peers: 'oras discover; regclient artifact tree; crane (none)',
  build,
  action: referrersCommand,
});
