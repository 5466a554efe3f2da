import type { Command } from '@commander-js/extra-typings';
import { diffImages } from '../api/compare.js';
import { ExitCode, RegctlError } from '../errors.js';
import { diffData, renderDiff } from '../output/diff-report.js';
import { renderResult, resultFormat, resultFormatHelp } from '../output/verb-results.js';
import { fsError } from '../util/fs-error.js';
import type { CommandEnv } from './command-env.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';

const build = (cmd: Command, locations: string) => cmd
  .argument('<image1>', `the first image: ${locations}`)
  .argument('<image2>', 'the second image (any transport: a registry image against its oci: copy)')
  .option('--files', 'also compare the flattened filesystems path by path: type, size, mode, owner, content digest, link target (reads every layer)')
  .option('--platform <os/arch[/variant]>', 'out of an index, this platform\'s image in both (default: the host\'s)')
  .option('--format <format>', `${resultFormatHelp('what differs; nothing when the images are equal', '{{range .Config}}{{.Field}}\\n{{end}}')}. Exit 0 equal, 1 different, 2 or more an error`);

/** Exit 0 when the images are equal, 1 when they differ (as diff(1)); an error is 2 or more, never 1. */
async function diffCommand(env: CommandEnv, image1: string, image2: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = resultFormat(flags.format);
  try {
    const d = await diffImages(image1, image2, {
      context: await env.context(),
      credentials: await credentialOptions(env, flags),
      platform: flags.platform,
      files: flags.files === true,
    });
    env.io.stdout.write(renderResult(format, renderDiff(d), d, () => diffData(d)));
    env.exitCode = d.equal ? ExitCode.ok : ExitCode.failure;
  } catch (err) {
    throw notDifferent(err);
  }
}

/** An error whose exit status would be 1 (a failure of no other kind), as 2: 1 means the images differ. */
function notDifferent(err: unknown): unknown {
  const e = fsError(err) ?? err;
  if (e instanceof RegctlError && e.exitCode !== ExitCode.failure) return e;
  const message = e instanceof Error ? e.message : String(e);
  const code = e instanceof RegctlError ? e.code : 'ERR_INTERNAL';
  return new RegctlError(code, message, ExitCode.usage, {
    cause: e,
    ...(e instanceof RegctlError && e.hint !== undefined ? { hint: e.hint } : {}),
    ...(e instanceof RegctlError && e.option !== undefined ? { option: e.option } : {}),
    ...(e instanceof RegctlError && e.host !== undefined ? { host: e.host } : {}),
  });
}

export default defineCommand({
  name: 'diff',
  summary: 'what differs between two images: manifest, config, layers and, with --files, files (exit 0 equal, 1 different, ≥2 error)',
  registry: 'one',
  peers: 'regclient manifest diff / blob diff-config; container-diff; crane (none)',
  build,
  action: diffCommand,
  examples: [
    ['regctl diff localhost:5000/app:1 localhost:5000/app:2', 'print what differs in the manifests, configs and layers of two tags'],
    ['regctl diff --files app:1 oci:./app-layout:1', 'also compare the two filesystems file by file (whiteouts applied), across transports'],
    ['regctl diff --format json app:1 app:2 > changes.json || echo changed', 'write the differences as JSON; the exit status says whether there were any'],
  ],
});
