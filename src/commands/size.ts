import type { Command } from '@commander-js/extra-typings';
import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { size } from '../api/read.js';
import { formatHelp, parseFormat, writeTemplate } from '../output/format.js';
import { renderSize } from '../output/size-report.js';
import { sizeData } from '../output/template-data.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';

const build = (cmd: Command, locations: string) => cmd
  .argument('<image...>', `images: ${locations}`)
  .option('--platform <os/arch[/variant]>', 'the image of this platform out of an index (default: the host\'s)')
  .option('-a, --all-platforms', 'indexes whole: every platform\'s image')
  .option('--to <destination>', 'also say how many bytes this destination lacks (a HEAD per blob)')
  .option('--format <format>', formatHelp(FORMATS), 'table');

const FORMATS = ['table', 'json'] as const;

async function sizeCommand(env: CommandEnv, images: string[], flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  if (flags.platform && flags.allPlatforms) throw new UsageError('--platform and --all-platforms exclude each other');
  const format = parseFormat(flags.format, FORMATS);
  const report = await size(images, {
    context: await env.context(),
    credentials: await credentialOptions(env, flags),
    platform: flags.allPlatforms ? 'all' : flags.platform,
    to: flags.to,
  });
  if (format.template) await writeTemplate(format.template, [sizeData(report)], env.io.stdout);
  else env.io.stdout.write(format.builtin === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderSize(report));
}

export default defineCommand({
  name: 'size',
  summary: 'compressed size of images (shared blobs counted once) and, with --to, what a destination still lacks',
  registry: 'one',
  peers: 'none (skopeo#641, crane PR#1916)',
  examples: [
    ['regctl size alpine:3.20 nginx:1.27', 'the compressed size of two images, a shared blob counted once'],
    ['regctl size --all-platforms --to registry.internal/hub/alpine:3.20 alpine:3.20', 'what a copy of every platform would still send to the mirror'],
  ],
  build,
  action: sizeCommand,
});
