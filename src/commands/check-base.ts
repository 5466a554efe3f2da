import type { Command } from '@commander-js/extra-typings';
import { checkBase } from '../api/inspection.js';
import { ExitCode, RegctlError } from '../errors.js';
import { renderCheckBase } from '../output/check-base.js';
import { resultFormatHelp, resultFormat } from '../output/verb-results.js';
import type { CommandEnv } from './command-env.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';

const build = (cmd: Command, locations: string) => cmd
  .argument('<image>', `image: ${locations}`)
  .option('--base <image>', 'the base to check against, instead of the one the image\'s annotations name')
  .option('--platform <os/arch[/variant]>', 'in an index, this platform\'s image (default: the host\'s)')
  .option('--format <format>', resultFormatHelp('a line saying current or changed, with the digest', '{{.CurrentDigest}}'))
  .addHelpText('after', `
The base is the one the image's annotations name: org.opencontainers.image.base.name (a reference with its tag)
and org.opencontainers.image.base.digest (what it pointed at when the image was made), as regctl append and
rebase, buildah and podman write them; or --base. Exit 0: the base still points at that digest (with --base and
no digest recorded: its layers are still the image's first ones). Exit 1: it has moved on; the new digest is
printed. Exit 2 (ERR_BASE_UNKNOWN): the image does not say its base and no --base was given.`);

async function checkBaseCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = resultFormat(flags.format);
  const r = await checkBase(image, { context: await env.context(), base: flags.base, platform: flags.platform, credentials: await credentialOptions(env, flags) });
  env.io.stdout.write(renderCheckBase(format, r));
  if (!r.current) {
    throw new RegctlError('ERR_BASE_CHANGED', `the base ${r.base} has moved on since ${image} was built on it`, ExitCode.failure, {
      hint: 'rebuild the image, or put it on the new base: regctl rebase --old-base … --new-base …',
    });
  }
}

export default defineCommand({
  name: 'check-base',
  summary: 'has the base an image was built on moved on? exit 0 current, 1 changed (new digest printed), 2 base unknown',
  registry: 'one',
  peers: 'regclient image check-base',
  build,
  examples: [
    ['regctl check-base localhost:5000/app:1', 'exits 0 when the base app:1 names in its annotations still points where it did, 1 (printing its new digest) when it moved.'],
    ['regctl check-base --base alpine:3 localhost:5000/app:1', 'checks against alpine:3, whatever the image\'s annotations say.'],
  ],
  action: checkBaseCommand,
});
