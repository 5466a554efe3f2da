import type { CommandEnv } from './command-env.js';
import { versionText } from '../util/version-text.js';
import { defineCommand } from './define.js';
import type { Command } from '@commander-js/extra-typings';

export default defineCommand({
  name: 'version',
  summary: 'print regctl\'s version, the commit it was built from, Node\'s version and the platform (as --version)',
  registry: 'none',
  peers: 'crane version; regclient version; skopeo --version',
  build: (cmd: Command) => cmd,
  action: async (env: CommandEnv, _flags: object) => {
    env.io.stdout.write(`${versionText(env.io.runtime)}\n`);
  },
});
