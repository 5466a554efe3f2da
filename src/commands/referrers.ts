import type { CommandEnv } from './command-env.js';
import { referrers } from '../ops/referrers.js';
import { referrersJson, renderReferrersTree } from '../output/referrers-tree.js';
import { credentialOptions, type CredentialFlags } from './credentials.js';

export async function referrersCommand(env: CommandEnv, image: string, flags: CredentialFlags & { artifactType?: string; format: 'tree' | 'json' }): Promise<void> {
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  const result = await referrers(ctx, image, { credentials, ...(flags.artifactType ? { artifactType: flags.artifactType } : {}) });
  env.io.stdout.write(flags.format === 'json' ? referrersJson(result) : renderReferrersTree(result));
}
