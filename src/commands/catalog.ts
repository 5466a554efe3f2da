import type { CommandEnv } from './command-env.js';
import { catalog } from '../ops/list.js';
import { renderList } from '../output/list.js';

export async function catalogCommand(env: CommandEnv, registry: string, flags: { format: 'text' | 'json' }): Promise<void> {
  env.io.stdout.write(renderList(await catalog(await env.context(), registry), flags.format));
}
