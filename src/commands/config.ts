import type { CommandEnv } from './command-env.js';
import { imageConfig } from '../api/verbs.js';
import { defaultDocumentFormat, renderDocument } from '../output/document.js';
import { configData } from '../output/template-data.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command, locations: string) => cmd
  .argument('<image>', `image: ${locations}`)
  .option('--platform <os/arch[/variant]>', 'in an index, this platform\'s image (default: the host\'s)')
  .option('--format <format>', 'raw (the bytes as stored; default unless stdout is a terminal), json (pretty-printed) or a Go template over the config under Go\'s names, e.g. \'{{.Config.Env}}\' (README: Output formats)')
  .option('--raw', 'the bytes exactly as stored, also on a terminal');

async function configCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = defaultDocumentFormat(flags, env.io.stdout.isTTY);
  const opts = { context: await env.context(), platform: flags.platform, credentials: await credentialOptions(env, flags) };
  env.io.stdout.write(renderDocument((await imageConfig(image, opts)).bytes, format, configData));
}

export default defineCommand({
  name: 'config',
  summary: 'print an image\'s config JSON',
  registry: 'one',
  peers: 'crane config; regclient image config; oras manifest fetch-config; skopeo inspect --config',
  examples: [
    ['regctl config alpine:3.20', 'prints the host platform\'s image config as indented JSON'],
    ['regctl config --platform linux/arm64 --raw alpine:3.20', 'prints the arm64 config\'s bytes as stored'],
    ['regctl config --format \'{{json .Config.Env}}\' localhost:5000/app:1.0', 'prints the image\'s environment as JSON'],
  ],
  build,
  action: configCommand,
});
