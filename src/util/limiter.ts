/**
 * At most `limit` tasks at once, shared by every caller that holds the limiter (a sync of many images moves at
 * most `limit` blobs in all, not `limit` per image), and within `within`'s limit too when given (a context's limit
 * over all of its calls). Waiters are served first come, first served.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number, private readonly within?: Limiter) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`Limiter needs a positive limit, not ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      // this limit's slot first, then the outer one: every limiter is entered in the same order, so none deadlocks
      return await (this.within ? this.within.run(task) : task());
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
