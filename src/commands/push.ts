import type { CommandEnv } from './command-env.js';
import { push } from '../ops/local.js';
import { parseReference } from '../ref/parse.js';
import { credentialContext, type CredentialFlags } from './credentials.js';
import { writeDigestFile } from './digestfile.js';
import { withTransfer, type TransferFlags } from './transfer.js';

export async function pushCommand(env: CommandEnv, image: string, flags: TransferFlags & CredentialFlags & { digestfile?: string }): Promise<void> {
  const ctx = await credentialContext(env, flags, [parseReference(image).registry]);
  const r = await withTransfer(env, flags, `Pushing ${image}`, (opts) => push(ctx, image, opts));
  await writeDigestFile(flags.digestfile, r.digest);
  env.io.stdout.write(flags.quiet ? `${r.name}\n` : `${r.name}: digest: ${r.digest} size: ${r.size}\n`);
}
