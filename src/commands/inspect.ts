import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { parsePlatform } from '../oci/platform.js';
import { inspect, type InspectResult } from '../ops/inspect.js';
import { eachInput } from '../ops/batch.js';
import { inspectJson, renderInspect } from '../output/inspect-text.js';
import { batchInputs, batchRegistries, failBatch, fromFileOption, outcomeJson } from './batch.js';
import { credentialContext } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command, locations: string) => fromFileOption(cmd
  .argument('[image...]', `images: ${locations}`)
  .option('--platform <os/arch[/variant]>', 'pick this platform from an index (a single image must be that platform)')
  .option('--raw', 'print the manifest bytes exactly as the source holds them')
  .option('--config', 'print the image config JSON')
  .addOption(cmd.createOption('--format <format>', 'output format').choices(['text', 'json'] as const).default('text' as const)), 'images');

/** Several images (or --from-file): text blocks or a JSON array, in input order; failures on stderr. */
async function inspectCommand(env: CommandEnv, args: string[], flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  if (flags.raw && flags.config) throw new UsageError('--raw and --config are mutually exclusive');
  const images = await batchInputs(env, args, flags.fromFile, 'images');
  const batch = images.length > 1 || flags.fromFile !== undefined;
  if (batch && (flags.raw || flags.config)) throw new UsageError(`${flags.raw ? '--raw' : '--config'} takes one image`);
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  const ctx = await credentialContext(env, flags, batchRegistries(images), { lightweight: true });
  const out = env.io.stdout;
  if (!batch) {
    const result = await inspect(ctx, images[0]!, { platform });
    if (flags.raw) out.write(result.raw);
    else if (flags.config) writeConfig(out, result);
    else out.write(flags.format === 'json' ? inspectJson(result) : renderInspect(result));
    return;
  }
  const outcomes = await eachInput(images, (image) => inspect(ctx, image, { platform }));
  if (flags.format === 'json') {
    out.write(`${JSON.stringify(outcomes.map((o) => outcomeJson(o, 'reference', (r) => JSON.parse(inspectJson(r)) as Record<string, unknown>)), null, 2)}\n`);
  } else {
    out.write(outcomes.flatMap((o) => ('result' in o ? [renderInspect(o.result)] : [])).join('\n'));
  }
  failBatch(env, outcomes);
}

function writeConfig(out: CommandEnv['io']['stdout'], result: InspectResult): void {
  if (!result.configRaw) {
    throw new UsageError(`${result.name} is an index; --config needs one image`, { hint: 'pick one with --platform OS/ARCH' });
  }
  out.write(result.configRaw);
  if (!result.configRaw.toString('utf8').endsWith('\n')) out.write('\n');
}

export default defineCommand({
  name: 'inspect',
  summary: 'show what each image reference points at: an index\'s platforms or an image\'s config and layers',
  registry: 'one',
  peers: 'skopeo inspect; crane manifest/config; regclient image inspect',
  build,
  action: inspectCommand,
});
