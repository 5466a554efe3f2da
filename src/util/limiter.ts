/**
 * At most `limit` tasks at once, shared by every caller that holds the limiter (a sync of many images moves at
 * most `limit` blobs in all, not `limit` per image). Waiters are served first come, first served.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`Limiter needs a positive limit, not ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Runs `work` over every item under the limiter; rejects with the first failure once the started ones settle. */
  async map<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
    let failure: { error: unknown } | undefined;
    await Promise.all(items.map((item) => this.run(async () => {
      if (failure) return;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    })));
    if (failure) throw failure.error;
  }
}
