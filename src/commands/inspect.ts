import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { parsePlatform } from '../oci/platform.js';
import { inspect } from '../ops/inspect.js';
import { inspectJson, renderInspect } from '../output/inspect-text.js';
import { transferRegistries } from '../ops/credentials.js';
import { credentialContext } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command, locations: string) => cmd
  .argument('<image>', `image: ${locations}`)
  .option('--platform <os/arch[/variant]>', 'pick this platform from an index (a single image must be that platform)')
  .option('--raw', 'print the manifest bytes exactly as the source holds them')
  .option('--config', 'print the image config JSON')
  .addOption(cmd.createOption('--format <format>', 'output format').choices(['text', 'json'] as const).default('text' as const));

async function inspectCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  if (flags.raw && flags.config) throw new UsageError('--raw and --config are mutually exclusive');
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  const ctx = await credentialContext(env, flags, transferRegistries(image));
  const result = await inspect(ctx, image, { platform });
  const out = env.io.stdout;
  if (flags.raw) {
    out.write(result.raw);
  } else if (flags.config) {
    if (!result.configRaw) {
      throw new UsageError(`${result.name} is an index; --config needs one image`, { hint: 'pick one with --platform OS/ARCH' });
    }
    out.write(result.configRaw);
    if (!result.configRaw.toString('utf8').endsWith('\n')) out.write('\n');
  } else {
    out.write(flags.format === 'json' ? inspectJson(result) : renderInspect(result));
  }
}

export default defineCommand({
  name: 'inspect',
  summary: 'show what an image reference points at: an index\'s platforms or an image\'s config and layers',
  registry: 'one',
  peers: 'skopeo inspect; crane manifest/config; regclient image inspect',
  build,
  action: inspectCommand,
});
