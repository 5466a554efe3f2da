import type { CommandEnv } from './command-env.js';
import { deleteImage } from '../ops/delete.js';

export async function deleteCommand(env: CommandEnv, image: string): Promise<void> {
  const digest = await deleteImage(await env.context(), image);
  env.io.stdout.write(`Deleted: ${digest}\n`);
}
