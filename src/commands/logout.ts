import type { CommandEnv } from './command-env.js';
import { withAuthFile } from '../ops/credentials.js';
import { logout } from '../ops/login.js';

export async function logoutCommand(env: CommandEnv, server: string | undefined, flags: { authfile?: string } = {}): Promise<void> {
  const base = await env.context();
  const ctx = flags.authfile !== undefined ? await withAuthFile(base, flags.authfile) : base;
  const { registry, removed } = await logout(ctx, server);
  if (removed) env.io.stdout.write(`Removing login credentials for ${registry}\n`);
  else env.warn(`not logged in to ${registry}`);
}
