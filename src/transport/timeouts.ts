import { TimeoutError } from '../errors.js';
import { sleep } from './retry.js';

/** How long the network may stay silent. Each expiry is a network failure (exit 5) retried like a dropped connection. */
export interface Timeouts {
  /** TCP + TLS connect. */
  connectMs: number;
  /** From the request sent (its body's last byte) to the response headers. */
  headersMs: number;
  /** Longest silence inside a response body. */
  idleMs: number;
}

export const defaultTimeouts: Timeouts = { connectMs: 30_000, headersMs: 60_000, idleMs: 60_000 };

/**
 * What a call fails with when its time limit (`timeoutMs`) runs out: a TimeoutError (exit 5) about the option. The
 * limit covers the whole call, every request, retry and wait in it.
 */
export function timeLimitError(ms: number): TimeoutError {
  return new TimeoutError(`gave up: the time limit of ${formatMs(ms)} ran out`, {
    option: 'timeoutMs',
    hint: 'allow more time, or check that the registry answers',
  });
}

/** A signal aborted with timeLimitError once `ms` have passed. Its timer does not keep the process alive. */
export function deadlineSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(timeLimitError(ms)), ms).unref();
  return controller.signal;
}

/** Waits `ms`, or fails with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return sleep(ms);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
