import { Limiter } from '../util/limiter.js';
import type { BlobPushResult, DestinationTarget } from './target.js';

export const DEFAULT_JOBS = 8;

/**
 * What several copies share when they run in one command (copy --all-tags, sync, save of several images): one
 * limit on blobs in flight across all of them, and one transfer per blob and destination, so a layer shared by
 * twenty tags is sent once while the others wait for it instead of sending it again.
 */
export class CopySession {
  readonly blobs: Limiter;
  private readonly inFlight = new WeakMap<DestinationTarget, Map<string, Promise<unknown>>>();

  constructor(jobs = DEFAULT_JOBS) {
    this.blobs = new Limiter(jobs);
  }

  /** The transfer of `digest` to `dst`: started by the first caller; later callers wait for it and get 'exists'. */
  async once<T>(dst: DestinationTarget, digest: string, transfer: () => Promise<T>): Promise<T | BlobPushResult> {
    let running = this.inFlight.get(dst);
    if (!running) this.inFlight.set(dst, (running = new Map()));
    const pending = running.get(digest);
    if (pending) {
      await pending;
      return 'exists';
    }
    const started = transfer();
    running.set(digest, started);
    try {
      return await started;
    } finally {
      running.delete(digest);
    }
  }
}
