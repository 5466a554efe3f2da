import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { attach } from '../ops/attach.js';
import { credentialOptions, type CredentialFlags } from './credentials.js';

export async function attachCommand(env: CommandEnv, image: string, files: string[], flags: CredentialFlags & { artifactType: string; annotation: string[] }): Promise<void> {
  const annotations: Record<string, string> = {};
  for (const a of flags.annotation) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid --annotation "${a}": want KEY=VALUE`);
    annotations[a.slice(0, eq)] = a.slice(eq + 1);
  }
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  const result = await attach(ctx, image, { artifactType: flags.artifactType, files, annotations, credentials });
  env.io.stdout.write(`${result.digest}\n`);
}
