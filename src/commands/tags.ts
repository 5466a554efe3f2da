import type { CommandEnv } from './command-env.js';
import { tags } from '../ops/list.js';
import { renderList } from '../output/list.js';

export async function tagsCommand(env: CommandEnv, repository: string, flags: { format: 'text' | 'json' }): Promise<void> {
  env.io.stdout.write(renderList(await tags(await env.context(), repository), flags.format));
}
