import type { CommandEnv } from './command-env.js';
import { rateLimit } from '../ops/ratelimit.js';
import { renderRateLimit } from '../output/ratelimit.js';
import { parseReference } from '../ref/parse.js';
import { credentialContext, type CredentialFlags } from './credentials.js';

export async function ratelimitCommand(env: CommandEnv, image: string, flags: CredentialFlags & { format: 'text' | 'json' }): Promise<void> {
  const ctx = await credentialContext(env, flags, [parseReference(image).registry]);
  env.io.stdout.write(renderRateLimit(await rateLimit(ctx, image), flags.format));
}
