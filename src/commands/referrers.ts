import type { CommandEnv } from './command-env.js';
import { transferRegistries } from '../ops/credentials.js';
import { referrers } from '../ops/referrers.js';
import { referrersJson, renderReferrersTree } from '../output/referrers-tree.js';
import { credentialContext, type CredentialFlags } from './credentials.js';

export async function referrersCommand(env: CommandEnv, image: string, flags: CredentialFlags & { artifactType?: string; format: 'tree' | 'json' }): Promise<void> {
  const ctx = await credentialContext(env, flags, transferRegistries(image));
  const result = await referrers(ctx, image, flags.artifactType ? { artifactType: flags.artifactType } : {});
  env.io.stdout.write(flags.format === 'json' ? referrersJson(result) : renderReferrersTree(result));
}
