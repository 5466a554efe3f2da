import type { CommandEnv } from './command-env.js';
import { catalog } from '../ops/list.js';
import { renderList } from '../output/list.js';
import { credentialOptions, type CredentialFlags } from './credentials.js';

export async function catalogCommand(env: CommandEnv, registry: string, flags: CredentialFlags & { format: 'text' | 'json' }): Promise<void> {
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  env.io.stdout.write(renderList(await catalog(ctx, registry, { credentials }), flags.format));
}
