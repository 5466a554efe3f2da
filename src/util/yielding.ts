// CPU-bound loops over what a registry sends (tag lists of a million names) give the event loop a turn every few
// milliseconds, so Ctrl-C, SIGTERM and a caller's signal are heard at once rather than when the loop ends.
import { setImmediate as turn } from 'node:timers/promises';

/** How long a loop runs before it lets the event loop take a turn. */
const SLICE_MS = 10;

/**
 * The items `keep` accepts, in order, computed in slices of about 10 ms with a turn of the event loop between them;
 * when `signal` aborts, it stops at the next turn with the signal's reason.
 */
export async function filterYielding<T>(items: readonly T[], keep: (item: T) => boolean, signal?: AbortSignal): Promise<T[]> {
  const out: T[] = [];
  let sliceStart = performance.now();
  for (let i = 0; i < items.length; i++) {
    if ((i & 127) === 127 && performance.now() - sliceStart > SLICE_MS) {
      await turn();
      signal?.throwIfAborted();
      sliceStart = performance.now();
    }
    const item = items[i]!;
    if (keep(item)) out.push(item);
  }
  return out;
}
