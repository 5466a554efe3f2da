import type { CommandEnv } from './command-env.js';
import { parsePlatform } from '../oci/platform.js';
import { digest } from '../ops/digest.js';
import { credentialOptions, type CredentialFlags } from './credentials.js';

export async function digestCommand(env: CommandEnv, image: string, flags: CredentialFlags & { platform?: string; verify?: boolean }): Promise<void> {
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  env.io.stdout.write(`${await digest(ctx, image, { platform, verify: flags.verify === true, credentials })}
`);
}
