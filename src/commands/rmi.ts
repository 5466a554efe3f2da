import type { CommandEnv } from './command-env.js';
import { removeImages } from '../ops/local.js';
import { humanSize } from '../output/bytes.js';

export async function rmiCommand(env: CommandEnv, refs: string[]): Promise<void> {
  const r = await removeImages(await env.context(), refs);
  env.io.stdout.write(`${r.untagged.map((n) => `Untagged: ${n}\n`).join('')}Reclaimed: ${humanSize(r.deletedBytes)}\n`);
}
