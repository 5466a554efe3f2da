import type { CommandEnv } from './command-env.js';
import { referrers } from '../api/read.js';
import { referrersJson, renderReferrersTree } from '../output/referrers-tree.js';
import { formatHelp, parseFormat, renderTemplate } from '../output/format.js';
import { referrersData } from '../output/template-data.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<image>', 'image reference (or oci:DIR[:TAG])')
  .option('--artifact-type <type>', 'only referrers of this artifact type')
  .option('--format <format>', formatHelp(FORMATS), 'tree');

const FORMATS = ['tree', 'json'] as const;

async function referrersCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = parseFormat(flags.format, FORMATS);
  const result = await referrers(image, { context: await env.context(), credentials: await credentialOptions(env, flags), artifactType: flags.artifactType });
  const out = format.template ? renderTemplate(format.template, [referrersData(result)]) : format.builtin === 'json' ? referrersJson(result) : renderReferrersTree(result);
  env.io.stdout.write(out);
}

export default defineCommand({
  name: 'referrers',
  summary: 'list the signatures, SBOMs and attestations referring to an image (OCI 1.1 referrers, the referrers tag schema, cosign tags)',
  registry: 'one',
  peers: 'oras discover; regclient artifact tree; crane (none)',
  examples: [
    ['regctl referrers localhost:5000/app:1.0', 'shows the signatures, SBOMs and attestations referring to the image, as a tree'],
    ['regctl referrers --artifact-type application/spdx+json --format json localhost:5000/app:1.0', 'lists only its SPDX SBOMs, as JSON'],
  ],
  build,
  action: referrersCommand,
});
