import type { CommandEnv } from './command-env.js';
import { tags } from '../ops/list.js';
import { renderList } from '../output/list.js';
import { credentialOptions, type CredentialFlags } from './credentials.js';

export async function tagsCommand(env: CommandEnv, repository: string, flags: CredentialFlags & { format: 'text' | 'json' }): Promise<void> {
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  env.io.stdout.write(renderList(await tags(ctx, repository, { credentials }), flags.format));
}
