import type { CommandEnv } from './command-env.js';
import { logout } from '../ops/login.js';

export async function logoutCommand(env: CommandEnv, server: string | undefined, flags: { authfile?: string } = {}): Promise<void> {
  const { registry, removed } = await logout(await env.context(), server, flags.authfile !== undefined ? { authfile: flags.authfile } : {});
  if (removed) env.io.stdout.write(`Removing login credentials for ${registry}\n`);
  else env.warn(`not logged in to ${registry}`);
}
