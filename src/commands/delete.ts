import type { CommandEnv } from './command-env.js';
import { deleteImage } from '../ops/delete.js';
import { credentialOptions, type CredentialFlags } from './credentials.js';

export async function deleteCommand(env: CommandEnv, image: string, flags: CredentialFlags): Promise<void> {
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  const digest = await deleteImage(ctx, image, { credentials });
  env.io.stdout.write(`Deleted: ${digest}\n`);
}
