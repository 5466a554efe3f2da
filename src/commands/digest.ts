import type { CommandEnv } from './command-env.js';
import { digest, digests } from '../api/read.js';
import { batchInputs, fromFileOption, outcomeJson, printBatch } from './batch.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command, locations: string) => fromFileOption(cmd
  .argument('[image...]', `images: ${locations}`)
  .option('--platform <os/arch[/variant]>', 'the digest of this platform\'s manifest in an index (a single image must be that platform)')
  .option('--verify', 'GET the manifest and hash it instead of trusting the registry\'s digest header (always done for IMAGE@sha256:…)')
  .addOption(cmd.createOption('--format <format>', 'output format: the digest (IMAGE DIGEST lines for several images), or a JSON array').choices(['text', 'json'] as const).default('text' as const)), 'images');

/**
 * One image: its digest. Several (or --from-file): `IMAGE DIGEST` lines in input order as they come (a repeated image
 * asked once), or a JSON array written as it comes; failures on stderr.
 */
async function digestCommand(env: CommandEnv, args: string[], flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const images = await batchInputs(env, args, flags.fromFile, 'images');
  const opts = { context: await env.context(), platform: flags.platform, verify: flags.verify === true, credentials: await credentialOptions(env, flags) };
  if (args.length === 1 && flags.fromFile === undefined && flags.format === 'text') {
    env.io.stdout.write(`${await digest(args[0]!, opts)}\n`);
    return;
  }
  await printBatch(env, (onResult) => digests(images, { ...opts, onResult }), flags.format === 'json'
    ? { json: (o) => outcomeJson(o, 'image', (d) => ({ digest: d })) }
    : { text: (image, d) => `${image} ${d}\n` });
}

export default defineCommand({
  name: 'digest',
  summary: 'print the digest each image reference points at',
  registry: 'one',
  peers: 'crane digest; regclient image digest; skopeo inspect --format {{.Digest}}',
  examples: [
    ['regctl digest alpine:3.20', 'prints the digest the tag points at (one HEAD request)'],
    ['regctl digest --platform linux/amd64 alpine:3.20', 'prints the digest of the amd64 image inside the index'],
    ['regctl digest --from-file images.txt --format json', 'prints the digest of every image listed in images.txt, as JSON'],
  ],
  build,
  action: digestCommand,
});
