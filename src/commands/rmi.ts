import type { CommandEnv } from './command-env.js';
import { rmi } from '../api/local.js';
import { throwFailures } from './failures.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<image...>', 'local images: names, digests or (short) image IDs')
  .option('-f, --force', 'remove an image ID that several repositories name (untag them all)');

/** docker rmi: every argument is tried and reported (`Untagged:`, `Deleted:`); failures are listed, then exit non-zero. */
async function rmiCommand(env: CommandEnv, refs: string[], flags: FlagsOf<typeof build>): Promise<void> {
  const outcomes = await rmi(refs, { context: await env.context(), force: flags.force });
  const failures: unknown[] = [];
  for (const o of outcomes) {
    if ('error' in o) {
      failures.push(o.error);
      continue;
    }
    env.io.stdout.write(o.result.untagged.map((n) => `Untagged: ${n}\n`).join('') + o.result.deleted.map((d) => `Deleted: ${d}\n`).join(''));
  }
  throwFailures(env.warn, failures);
}

export default defineCommand({
  name: 'rmi',
  summary: 'remove local images by name, digest or image ID (untag; blobs no other image needs are deleted)',
  registry: 'none',
  peers: 'docker rmi',
  build,
  action: rmiCommand,
});
