import type { CommandEnv } from './command-env.js';
import { deleteImage } from '../ops/delete.js';
import { parseReference } from '../ref/parse.js';
import { credentialContext } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<image>', 'image reference');

async function deleteCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const ctx = await credentialContext(env, flags, [parseReference(image).registry]);
  const digest = await deleteImage(ctx, image);
  env.io.stdout.write(`Deleted: ${digest}\n`);
}

export default defineCommand({
  name: 'delete',
  summary: 'delete a manifest from a registry by digest (a tag is resolved first); every tag on it goes',
  registry: 'one',
  peers: 'crane delete; regclient manifest delete; skopeo delete',
  build,
  action: deleteCommand,
});
