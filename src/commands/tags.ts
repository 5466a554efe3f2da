import type { CommandEnv } from './command-env.js';
import { tags } from '../ops/list.js';
import { renderList } from '../output/list.js';
import { parseRepository } from '../ref/parse.js';
import { credentialContext, type CredentialFlags } from './credentials.js';

export async function tagsCommand(env: CommandEnv, repository: string, flags: CredentialFlags & { format: 'text' | 'json' }): Promise<void> {
  const ctx = await credentialContext(env, flags, [parseRepository(repository).registry]);
  env.io.stdout.write(renderList(await tags(ctx, repository), flags.format));
}
