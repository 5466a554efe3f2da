import type { CommandEnv } from './command-env.js';
import { removeImages } from '../ops/local.js';
import { throwFailures } from './failures.js';

/** docker rmi: every argument is tried and reported (`Untagged:`, `Deleted:`); failures are listed, then exit non-zero. */
export async function rmiCommand(env: CommandEnv, refs: string[], flags: { force?: boolean }): Promise<void> {
  const outcomes = await removeImages(await env.context(), refs, { force: flags.force ?? false });
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
