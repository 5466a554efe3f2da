import type { Command } from '@commander-js/extra-typings';
import { validate } from '../api/compare.js';
import { UsageError } from '../errors.js';
import { renderValidated, validateData } from '../output/diff-report.js';
import { renderResult, resultFormat, resultFormatHelp } from '../output/verb-results.js';
import type { CommandEnv } from './command-env.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';

const build = (cmd: Command, locations: string) => cmd
  .argument('<image>', `image: ${locations}`)
  .option('--fast', 'only check that each blob is there at its size (a HEAD at a registry, the file\'s size elsewhere) instead of reading it')
  .option('--platform <os/arch[/variant]>', 'out of an index, only this platform\'s image')
  .option('-a, --all', 'every image of an index (the default)')
  .option('--format <format>', resultFormatHelp('a line saying what was checked', '{{.Blobs}} {{.Bytes}}'));

/** Exit 0 when every manifest and blob is whole; 6 naming the first bad blob and the manifest naming it. */
async function validateCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  if (flags.platform && flags.all) throw new UsageError('--platform and --all exclude each other');
  const format = resultFormat(flags.format);
  const r = await validate(image, {
    context: await env.context(),
    credentials: await credentialOptions(env, flags),
    platform: flags.platform,
    fast: flags.fast === true,
  });
  env.io.stdout.write(renderResult(format, renderValidated(r), r, () => validateData(r)));
}

export default defineCommand({
  name: 'validate',
  summary: 'check that every manifest and blob of an image is there and what its digest says (exit 6 naming the first bad blob)',
  registry: 'one',
  peers: 'crane validate; regclient (none); skopeo (none)',
  build,
  action: validateCommand,
  examples: [
    ['regctl validate localhost:5000/app:1', 'read every blob of every platform of the image, checking digests and sizes'],
    ['regctl validate --fast localhost:5000/app:1', 'only check that each blob is there at its size (one HEAD per blob)'],
    ['regctl validate oci:./layout:1', 'check an image in an OCI layout (also docker-archive:, oci-archive:, local:)'],
  ],
});
