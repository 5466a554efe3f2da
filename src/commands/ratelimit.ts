import type { CommandEnv } from './command-env.js';
import { rateLimit } from '../ops/ratelimit.js';
import { renderRateLimit } from '../output/ratelimit.js';
import { credentialOptions, type CredentialFlags } from './credentials.js';

export async function ratelimitCommand(env: CommandEnv, image: string, flags: CredentialFlags & { format: 'text' | 'json' }): Promise<void> {
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  env.io.stdout.write(renderRateLimit(await rateLimit(ctx, image, { credentials }), flags.format));
}
