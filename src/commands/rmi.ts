import type { CommandEnv } from './command-env.js';
import { rmi } from '../api/local.js';
import { throwFailures } from './failures.js';
import { defineCommand, type FlagsOf } from './define.js';
import { renderRemovedImage, resultFormat, resultFormatHelp } from '../output/verb-results.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<image...>', 'local images: names, digests or (short) image IDs')
  .option('-f, --force', 'remove an image ID that several repositories name (untag them all)')
  .option('--format <format>', resultFormatHelp('docker\'s Untagged/Deleted lines', '{{range .Deleted}}{{.}}{{end}}'));

/** docker rmi: every argument is tried and reported (`Untagged:`, `Deleted:`); failures are listed, then exit non-zero. */
async function rmiCommand(env: CommandEnv, refs: string[], flags: FlagsOf<typeof build>): Promise<void> {
  const format = resultFormat(flags.format);
  const outcomes = await rmi(refs, { context: await env.context(), force: flags.force });
  const failures: unknown[] = [];
  for (const o of outcomes) {
    if ('error' in o) {
      failures.push(o.error);
      continue;
    }
    env.io.stdout.write(renderRemovedImage(format, o.result));
  }
  throwFailures(env.warn, failures);
}

export default defineCommand({
  name: 'rmi',
  summary: 'remove local images by name, digest or image ID (untag; blobs no other image needs are deleted)',
  registry: 'none',
  peers: 'docker rmi',
  examples: [
    ['regctl rmi alpine:3.20', 'removes the name; blobs no other image needs are deleted'],
    ['regctl rmi -f 4a9f4c0f9e3b', 'removes the image with that ID, with every name on it'],
  ],
  build,
  action: rmiCommand,
});
