import { Limiter } from '../util/limiter.js';
import type { BlobPushResult, BlobSource, DestinationTarget } from './target.js';

export const DEFAULT_JOBS = 8;

/**
 * What several copies share when they run in one command (copy --all-tags, sync, save of several images): one
 * limit on blobs in flight across all of them, and one transfer per blob and destination, so a layer shared by
 * twenty tags is sent once while the others wait for it instead of sending it again. Across repositories of one
 * registry (a sync of several repositories sharing base layers), a blob sent to one is mounted into the others.
 */
export class CopySession {
  readonly blobs: Limiter;
  private readonly inFlight = new WeakMap<DestinationTarget, Map<string, Promise<unknown>>>();
  private readonly present = new WeakMap<DestinationTarget, Set<string>>();
  /** By `registry digest`: the first transfer of the blob into a repository of that registry, and where it went. */
  private readonly placed = new Map<string, { at: BlobSource; done: Promise<unknown> }>();

  /** `jobs` blobs at once, within `within`'s limit too (a context's, shared by all its calls). */
  constructor(jobs = DEFAULT_JOBS, within?: Limiter) {
    this.blobs = new Limiter(jobs, within);
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
    const at = dst.blobLocation;
    if (at && !this.placed.has(`${at.registry} ${digest}`)) this.placed.set(`${at.registry} ${digest}`, { at, done: started });
    try {
      const result = await started;
      if (result !== undefined) this.holds(dst).add(digest);
      return result;
    } finally {
      running.delete(digest);
    }
  }

  /**
   * Another repository of `dst`'s registry that this session put `digest` into (waiting for that transfer when it
   * is still running), to mount the blob from; undefined when there is none or that transfer failed.
   */
  async mountSource(dst: DestinationTarget, digest: string): Promise<BlobSource | undefined> {
    const at = dst.blobLocation;
    const placed = at && this.placed.get(`${at.registry} ${digest}`);
    if (!placed || placed.at.repository === at.repository) return undefined;
    const result = await placed.done.catch(() => undefined);
    return result === undefined ? undefined : placed.at;
  }

  /** The blobs `dst` is known to hold since a transfer of this session ended (found, mounted or sent): the next
   * image that names one (another tag sharing a layer) need not even ask. */
  holds(dst: DestinationTarget): Set<string> {
    let known = this.present.get(dst);
    if (!known) this.present.set(dst, (known = new Set()));
    return known;
  }
}
