import { setMaxListeners } from 'node:events';

/** A signal of one's own, aborted with the first of its sources or its time limit; `end()` lets go of them all. */
export interface LinkedSignal {
  signal: AbortSignal;
  /** Removes the one listener on each source and stops the timer: nothing of this signal stays referenced. */
  end(): void;
}

/**
 * A signal that aborts when any of `sources` does (with that source's reason) or when `limit.ms` pass (with
 * `limit.reason()`). Each source gets one listener, however many requests then listen on the result: a caller's
 * signal never collects one listener per request (Node's MaxListenersExceededWarning), and the result may have any
 * number. The timer keeps the process alive until `end()`, so work that waits on nothing else still ends.
 */
export function linkedSignal(sources: readonly (AbortSignal | undefined)[], limit?: { ms: number; reason: () => unknown }): LinkedSignal {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const unlink: Array<() => void> = [];
  const end = () => {
    for (const undo of unlink.splice(0)) undo();
  };
  const abort = (reason: unknown) => {
    end();
    controller.abort(reason);
  };
  for (const source of sources) {
    if (!source) continue;
    if (source.aborted) {
      abort(source.reason);
      return { signal: controller.signal, end };
    }
    const onAbort = () => abort(source.reason);
    source.addEventListener('abort', onAbort, { once: true });
    unlink.push(() => source.removeEventListener('abort', onAbort));
  }
  if (limit) {
    const timer = setTimeout(() => abort(limit.reason()), limit.ms);
    unlink.push(() => clearTimeout(timer));
  }
  return { signal: controller.signal, end };
}

/**
 * `work`, or the signal's reason as soon as it aborts, whichever comes first: for work shared with other callers
 * (a ping, a token request) or that ignores the signal until it starts (a request waiting for a connection). What
 * `work` settles with afterwards is dropped.
 */
export function raced<T>(work: Promise<T>, signal: AbortSignal | undefined, drop?: (value: T) => void): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.then(drop, () => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      settled = true;
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then((value) => {
      signal.removeEventListener('abort', onAbort);
      if (settled) drop?.(value);
      else resolve(value);
    }, (err: unknown) => {
      signal.removeEventListener('abort', onAbort);
      if (!settled) reject(err);
    });
  });
}
