import type { CommandEnv } from './command-env.js';
import { parsePlatform } from '../oci/platform.js';
import { digest } from '../ops/digest.js';

export async function digestCommand(env: CommandEnv, image: string, flags: { platform?: string; verify?: boolean }): Promise<void> {
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  env.io.stdout.write(`${await digest(await env.context(), image, { platform, verify: flags.verify === true })}\n`);
}
