import { ExitCode, RegctlError } from '../errors.js';

/**
 * For commands that try every argument and report each (rmi, tag rm): the failures but the last are warned about,
 * the last is thrown (naming how many more failed) so the command exits with its code. Nothing when none failed.
 */
export function throwFailures(warn: (message: string) => void, failures: unknown[]): void {
  if (failures.length === 0) return;
  const last = failures.pop();
  for (const err of failures) {
    if (!(err instanceof RegctlError)) throw err;
    warn(err.message);
  }
  if (failures.length > 0 && last instanceof RegctlError) {
    throw new RegctlError(last.code, `${last.message} (and ${failures.length} more failed, above)`, last.exitCode === ExitCode.ok ? ExitCode.failure : last.exitCode, last.hint === undefined ? {} : { hint: last.hint });
  }
  throw last;
}

/** For a report's failed items (sync's images, prune's deletions): the exit code they all share, else 1. */
export function sharedExitCode(failures: readonly { error?: { exitCode: number } | undefined }[]): number {
  const codes = new Set(failures.map((f) => f.error?.exitCode ?? ExitCode.failure));
  return codes.size === 1 ? [...codes][0]! : ExitCode.failure;
}
