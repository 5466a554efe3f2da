import { NetworkError } from '../errors.js';
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
 * A signal that aborts every request of a command once `ms` have passed (`--timeout`). Its reason is the
 * NetworkError the command fails with. The timer does not keep the process alive.
 */
export function deadlineSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  const error = new NetworkError(`gave up: the time limit of ${formatMs(ms)} ran out`, {
    code: 'ERR_TIMEOUT',
    hint: 'raise --timeout, or check that the registry answers',
  });
  setTimeout(() => controller.abort(error), ms).unref();
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
