import type { CommandEnv } from './command-env.js';
import { attach } from '../ops/attach.js';
import { transferRegistries } from '../ops/credentials.js';
import { parseAnnotations } from './annotations.js';
import { credentialContext, type CredentialFlags } from './credentials.js';

export async function attachCommand(env: CommandEnv, image: string, files: string[], flags: CredentialFlags & { artifactType: string; annotation: string[] }): Promise<void> {
  const annotations = parseAnnotations(flags.annotation);
  const ctx = await credentialContext(env, flags, transferRegistries(image));
  const result = await attach(ctx, image, { artifactType: flags.artifactType, files, annotations });
  env.io.stdout.write(`${result.digest}\n`);
}
