import type { CommandEnv } from './command-env.js';
import { push } from '../ops/local.js';
import { credentialOptions, type CredentialFlags } from './credentials.js';
import { writeDigestFile } from './digestfile.js';
import { withTransfer, type TransferFlags } from './transfer.js';

export async function pushCommand(env: CommandEnv, image: string, flags: TransferFlags & CredentialFlags & { digestfile?: string }): Promise<void> {
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  const r = await withTransfer(env, flags, `Pushing ${image}`, (opts) => push(ctx, image, { ...opts, credentials }));
  await writeDigestFile(flags.digestfile, r.digest);
  env.io.stdout.write(flags.quiet ? `${r.name}\n` : `${r.name}: digest: ${r.digest} size: ${r.size}\n`);
}
