import type { CommandEnv } from './command-env.js';
import { logout } from '../api/registry.js';
import { renderLogout, resultFormat, resultFormatHelp } from '../output/verb-results.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('[server]', 'registry host, default docker.io')
  .option('--authfile <file>', 'remove them from this docker config.json or containers auth.json instead')
  .option('--format <format>', resultFormatHelp('Removing login credentials for REGISTRY', '{{.Registry}} {{.Removed}}'));

async function logoutCommand(env: CommandEnv, server: string | undefined, flags: FlagsOf<typeof build>): Promise<void> {
  const format = resultFormat(flags.format);
  const result = await logout(server, { context: await env.context(), authfile: flags.authfile });
  env.io.stdout.write(renderLogout(format, result));
  if (!result.removed) env.warn(`not logged in to ${result.registry}`);
}

export default defineCommand({
  name: 'logout',
  summary: 'remove stored credentials for a registry (default docker.io)',
  registry: 'none',
  peers: 'docker logout; crane auth logout; regclient registry logout; skopeo logout',
  examples: [
    ['regctl logout registry.example.com', 'removes the stored credentials for registry.example.com'],
    ['regctl logout', 'removes those for Docker Hub'],
  ],
  build,
  action: logoutCommand,
});
