import type { CommandEnv } from './command-env.js';
import { parsePlatform } from '../oci/platform.js';
import { imageConfig } from '../ops/config.js';
import { transferRegistries } from '../ops/credentials.js';
import { defaultDocumentFormat, renderDocument } from '../output/document.js';
import { credentialContext, type CredentialFlags } from './credentials.js';

export async function configCommand(env: CommandEnv, image: string, flags: CredentialFlags & { platform?: string; format?: string; raw?: boolean }): Promise<void> {
  const format = defaultDocumentFormat(flags, env.io.stdout.isTTY);
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  const ctx = await credentialContext(env, flags, transferRegistries(image));
  const config = await imageConfig(ctx, image, platform ? { platform } : {});
  env.io.stdout.write(renderDocument(config.bytes, format));
}
