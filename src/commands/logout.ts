import type { CommandEnv } from './command-env.js';
import { logout } from '../ops/login.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('[server]', 'registry host, default docker.io')
  .option('--authfile <file>', 'remove them from this docker config.json or containers auth.json instead');

async function logoutCommand(env: CommandEnv, server: string | undefined, flags: FlagsOf<typeof build>): Promise<void> {
  const { registry, removed } = await logout(await env.context(), server, flags.authfile !== undefined ? { authfile: flags.authfile } : {});
  if (removed) env.io.stdout.write(`Removing login credentials for ${registry}\n`);
  else env.warn(`not logged in to ${registry}`);
}

export default defineCommand({
  name: 'logout',
  summary: 'remove stored credentials for a registry (default docker.io)',
  registry: 'none',
  peers: 'docker logout; crane auth logout; regclient registry logout; skopeo logout',
  build,
  action: logoutCommand,
});
