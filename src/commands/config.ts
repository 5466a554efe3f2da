import type { CommandEnv } from './command-env.js';
import { parsePlatform } from '../oci/platform.js';
import { imageConfig } from '../ops/config.js';
import { locationRegistries } from '../ops/transports/index.js';
import { defaultDocumentFormat, renderDocument } from '../output/document.js';
import { configData } from '../output/template-data.js';
import { credentialContext } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command, locations: string) => cmd
  .argument('<image>', `image: ${locations}`)
  .option('--platform <os/arch[/variant]>', 'in an index, this platform\'s image (default: the host\'s)')
  .option('--format <format>', 'raw (the bytes as stored; default unless stdout is a terminal), json (pretty-printed) or a Go template over the config under Go\'s names, e.g. \'{{.Config.Env}}\' (README: Output formats)')
  .option('--raw', 'the bytes exactly as stored, also on a terminal');

async function configCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = defaultDocumentFormat(flags, env.io.stdout.isTTY);
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  const ctx = await credentialContext(env, flags, locationRegistries(image));
  env.io.stdout.write(renderDocument((await imageConfig(ctx, image, platform ? { platform } : {})).bytes, format, configData));
}

export default defineCommand({
  name: 'config',
  summary: 'print an image\'s config JSON',
  registry: 'one',
  peers: 'crane config; regclient image config; oras manifest fetch-config; skopeo inspect --config',
  build,
  action: configCommand,
});
