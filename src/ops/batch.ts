import { runPool } from '../util/pool.js';

/** What one input of a batch came to: its result, or the error it failed with (the others go on). */
export type Outcome<T> = { input: string; result: T } | { input: string; error: unknown };

/** Inputs handled at once by a batch: requests share the context's connection pools and tokens. */
export const BATCH_JOBS = 8;

/**
 * Runs `op` for every input, at most `jobs` at once, and returns each input's outcome in input order. A failure is
 * that input's outcome and stops nothing else. Operations that share one context share its pools, pings and tokens:
 * 20 digests of one registry cost one ping, one token per repository and one HEAD each.
 */
export async function eachInput<T>(inputs: readonly string[], op: (input: string) => Promise<T>, jobs = BATCH_JOBS): Promise<Outcome<T>[]> {
  const outcomes: Outcome<T>[] = new Array(inputs.length);
  await runPool([...inputs.keys()], jobs, async (i) => {
    const input = inputs[i]!;
    try {
      outcomes[i] = { input, result: await op(input) };
    } catch (error) {
      outcomes[i] = { input, error };
    }
  });
  return outcomes;
}
