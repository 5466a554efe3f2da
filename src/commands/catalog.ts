import type { CommandEnv } from './command-env.js';
import { catalog, registryHost } from '../ops/list.js';
import { renderList } from '../output/list.js';
import { credentialContext, type CredentialFlags } from './credentials.js';

export async function catalogCommand(env: CommandEnv, registry: string, flags: CredentialFlags & { format: 'text' | 'json' }): Promise<void> {
  const ctx = await credentialContext(env, flags, [registryHost(registry)]);
  env.io.stdout.write(renderList(await catalog(ctx, registry), flags.format));
}
