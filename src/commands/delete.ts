import type { CommandEnv } from './command-env.js';
import { deleteImage } from '../ops/delete.js';
import { parseReference } from '../ref/parse.js';
import { credentialOptions } from './credentials.js';
import { reportManifestDelete } from './report-delete.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<image>', 'REPO:TAG (only that tag goes) or REPO@DIGEST (the manifest and every tag on it)');

async function deleteCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const ref = parseReference(image);
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  const result = await deleteImage(ctx, image, { credentials });
  if (result.kind === 'tag') {
    env.io.stdout.write(`Untagged: ${result.untagged.name}\n`);
    return;
  }
  reportManifestDelete(env, ref, result);
}

export default defineCommand({
  name: 'delete',
  summary: 'remove a tag from a registry (its siblings on the same digest stay), or a manifest by digest with every tag on it',
  registry: 'one',
  peers: 'crane delete; regclient manifest delete; skopeo delete',
  build,
  action: deleteCommand,
});
