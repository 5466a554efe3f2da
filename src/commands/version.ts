import type { CommandEnv } from './command-env.js';
import { renderVersion, resultFormat, resultFormatHelp } from '../output/verb-results.js';
import { buildCommit, packageVersion } from '../util/version.js';
import { versionText } from '../util/version-text.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .option('--format <format>', resultFormatHelp('the --version lines', '{{.Version}}'));

async function versionCommand(env: CommandEnv, flags: FlagsOf<typeof build>): Promise<void> {
  const { runtime } = env.io;
  const v = { version: packageVersion(), commit: buildCommit(), node: runtime.version ?? 'unknown', platform: `${runtime.platform}/${runtime.arch}` };
  env.io.stdout.write(renderVersion(resultFormat(flags.format), v, `${versionText(runtime)}\n`));
}

export default defineCommand({
  name: 'version',
  summary: 'print regctl\'s version, the commit it was built from, Node\'s version and the platform (as --version)',
  registry: 'none',
  peers: 'crane version; regclient version; skopeo --version',
  examples: [
    ['regctl version', 'prints regctl\'s version, the commit it was built from, Node\'s version and the platform'],
    ['regctl version --format json', 'the same as JSON'],
  ],
  build,
  action: versionCommand,
});
