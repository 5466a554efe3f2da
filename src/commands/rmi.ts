import type { CommandEnv } from './command-env.js';
import { ExitCode, RegctlError } from '../errors.js';
import { removeImages } from '../ops/local.js';

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
  if (failures.length === 0) return;
  const last = failures.pop();
  for (const err of failures) {
    if (!(err instanceof RegctlError)) throw err;
    env.warn(err.message);
  }
  if (failures.length > 0 && last instanceof RegctlError) {
    throw new RegctlError(last.code, `${last.message} (and ${failures.length} more failed, above)`, last.exitCode === ExitCode.ok ? ExitCode.failure : last.exitCode, last.hint === undefined ? {} : { hint: last.hint });
  }
  throw last;
}
