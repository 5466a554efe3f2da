import { partialExitCode, PartialFailureError, RegctlError } from '../errors.js';

/**
 * For commands that try every argument and report each (rmi, tag rm): one failure is thrown as it is; of several,
 * each but the last is warned about and the last thrown naming how many more failed, with the exit code of every
 * partial failure (errors.ts partialExitCode). Nothing when none failed.
 */
export function throwFailures(warn: (message: string) => void, failures: unknown[]): void {
  if (failures.length === 0) return;
  if (failures.length === 1) throw failures[0];
  for (const err of failures) if (!(err instanceof RegctlError)) throw err;
  const errors = failures as RegctlError[];
  const last = errors.at(-1)!;
  for (const err of errors.slice(0, -1)) warn(err.message);
  throw new PartialFailureError(last.code, `${last.message} (and ${errors.length - 1} more failed, above)`, partialExitCode(errors.map((error) => ({ error }))));
}

