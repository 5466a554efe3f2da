import type { CommandEnv } from './command-env.js';
import { parsePlatform } from '../oci/platform.js';
import { digest } from '../ops/digest.js';
import { transferRegistries } from '../ops/credentials.js';
import { credentialContext, type CredentialFlags } from './credentials.js';

export async function digestCommand(env: CommandEnv, image: string, flags: CredentialFlags & { platform?: string; verify?: boolean }): Promise<void> {
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  const ctx = await credentialContext(env, flags, transferRegistries(image));
  env.io.stdout.write(`${await digest(ctx, image, { platform, verify: flags.verify === true })}
`);
}
