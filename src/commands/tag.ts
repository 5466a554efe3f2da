import type { CommandEnv } from './command-env.js';
import { tag } from '../ops/local.js';

export async function tagCommand(env: CommandEnv, source: string, target: string): Promise<void> {
  await tag(await env.context(), source, target);
}
