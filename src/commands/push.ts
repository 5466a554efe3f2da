import type { CommandEnv } from './command-env.js';
import { push } from '../ops/local.js';
import { withTransfer, type TransferFlags } from './transfer.js';

export async function pushCommand(env: CommandEnv, image: string, flags: TransferFlags): Promise<void> {
  const ctx = await env.context();
  const r = await withTransfer(env, flags, `Pushing ${image}`, (opts) => push(ctx, image, opts));
  env.io.stdout.write(flags.quiet ? `${r.name}\n` : `${r.name}: digest: ${r.digest} size: ${r.size}\n`);
}
