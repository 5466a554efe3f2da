import { runPool } from '../util/pool.js';
import type { OpsContext } from './context.js';
import { sideContext, type CredentialOptions } from './credentials.js';
import { locationRegistries } from './transports/index.js';

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

/**
 * One context for a whole batch: `credentials` applied once to every registry the inputs name (image locations by
 * default), so all of them share one transport's pools, pings and tokens. A malformed input is left out here and
 * fails on its own, named, when its operation runs.
 */
export async function batchContext(ctx: OpsContext, inputs: readonly string[], credentials: CredentialOptions | undefined, registriesOf: (input: string) => string[] = locationRegistries): Promise<OpsContext> {
  const registries = new Set<string>();
  for (const input of inputs) {
    try {
      for (const r of registriesOf(input)) registries.add(r);
    } catch {
      // reported by its own operation
    }
  }
  return sideContext(ctx, [...registries], credentials);
}
