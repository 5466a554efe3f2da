import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { inspect, inspectMany, type InspectCallOptions, type InspectResult } from '../api/read.js';
import { formatHelp, type OutputFormat, parseFormat, renderTemplate, TEXT_JSON, writeTemplate } from '../output/format.js';
import { configData, inspectData } from '../output/template-data.js';
import { inspectJson, inspectView, renderInspect } from '../output/inspect-text.js';
import { batchInputs, fromFileOption, outcomeJson, printBatch } from './batch.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command, locations: string) => fromFileOption(cmd
  .argument('[image...]', `images: ${locations}`)
  .option('--platform <os/arch[/variant]>', 'pick this platform from an index (a single image must be that platform)')
  .option('--raw', 'print the manifest bytes exactly as the source holds them')
  .option('--config', 'print the image config JSON')
  .option('--format <format>', formatHelp(TEXT_JSON), 'text'), 'images');


type Flags = FlagsOf<typeof build, 'one'>;

/**
 * One image: its summary, JSON, a template, the raw manifest or the config. Several (or --from-file): text blocks or a
 * JSON array, printed as they come.
 */
async function inspectCommand(env: CommandEnv, args: string[], flags: Flags): Promise<void> {
  if (flags.raw && flags.config) throw new UsageError('--raw and --config are mutually exclusive');
  const images = await batchInputs(env, args, flags.fromFile, 'images');
  const format = parseFormat(flags.format, TEXT_JSON);
  if (flags.raw && format.template) throw new UsageError('--raw prints the manifest as it is: it takes no --format template');
  const batch = args.length > 1 || flags.fromFile !== undefined;
  const one = flags.raw ? '--raw' : flags.config ? '--config' : format.template ? 'a --format template' : undefined;
  if (batch && one) throw new UsageError(`${one} takes one image`);
  const options: InspectCallOptions = { context: await env.context(), platform: flags.platform, credentials: await credentialOptions(env, flags) };
  if (batch) {
    await printBatch<InspectResult>(env, (onResult) => inspectMany(images, { ...options, onResult }), format.builtin === 'json'
      ? { json: (o) => outcomeJson(o, 'reference', (r) => inspectView(r)) }
      : { text: (_, r, nth) => `${nth ? '\n' : ''}${renderInspect(r)}` });
    return;
  }
  // A template sees skopeo's view: an index's image fields from the host's platform, RepoTags when it names them.
  const skopeoView = format.template && !flags.config ? { platformImage: true, repoTags: /\bRepoTags\b/.test(flags.format) } : {};
  const result = await inspect(args[0]!, { ...options, ...skopeoView });
  if (format.template && !flags.config) {
    // Streamed: a template may print far more than the data it reads ({{range 100000000}}…).
    await writeTemplate(format.template, [inspectData(result)], env.io.stdout);
    return;
  }
  env.io.stdout.write(render(result, flags, format));
}

function render(result: InspectResult, flags: Flags, format: OutputFormat<'text' | 'json'>): string | Buffer {
  if (flags.raw) return result.raw;
  if (flags.config) {
    if (!result.configRaw) throw new UsageError(`${result.name} is an index; --config needs one image`, { hint: 'pick one with --platform OS/ARCH' });
    if (format.template) return renderTemplate(format.template, [configData(result.configRaw)]);
    return result.configRaw.toString('utf8').endsWith('\n') ? result.configRaw : Buffer.concat([result.configRaw, Buffer.from('\n')]);
  }
  return format.builtin === 'json' ? inspectJson(result) : renderInspect(result);
}

export default defineCommand({
  name: 'inspect',
  summary: 'show what each image reference points at: an index\'s platforms or an image\'s config and layers',
  registry: 'one',
  peers: 'skopeo inspect; crane manifest/config; regclient image inspect',
  examples: [
    ['regctl inspect alpine:3.20', 'shows the image\'s digest, platform, creation time, labels and layers (the host\'s platform of an index)'],
    ['regctl inspect --platform linux/arm64 --format \'{{.Digest}} {{.Architecture}}\' alpine:3.20', 'prints the arm64 image\'s digest and architecture through a Go template'],
    ['regctl inspect --raw oci:./layout:v1', 'prints the manifest bytes an OCI layout holds for tag v1'],
    ['regctl inspect --config docker-archive:app.tar', 'prints the image config of a docker save archive'],
  ],
  build,
  action: inspectCommand,
});
