import type { CommandEnv } from './command-env.js';
import { deleteImage } from '../ops/delete.js';
import { parseReference } from '../ref/parse.js';
import { credentialContext, type CredentialFlags } from './credentials.js';

export async function deleteCommand(env: CommandEnv, image: string, flags: CredentialFlags): Promise<void> {
  const ctx = await credentialContext(env, flags, [parseReference(image).registry]);
  const digest = await deleteImage(ctx, image);
  env.io.stdout.write(`Deleted: ${digest}\n`);
}
