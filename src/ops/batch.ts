import { UsageError } from '../errors.js';
import type { OpsContext } from './context.js';
import { sideContext, type CredentialOptions } from './credentials.js';
import { locationRegistries } from './transports/index.js';

/** What one input of a batch came to: its result, or the error it failed with (the others go on). */
export type Outcome<T> = { input: string; result: T } | { input: string; error: unknown };

/** The inputs of a batch: an array, or any iterable or async iterable of strings (lines of a file, a stream). */
export type BatchInput = Iterable<string> | AsyncIterable<string>;

/** Called with each input's outcome, in input order; a returned promise is awaited before the next (back-pressure). */
export type OnResult<T> = (outcome: Outcome<T>) => void | Promise<void>;

/** What a streamed batch came to: how many inputs it had and how many of them failed. */
export interface BatchSummary {
  /** Inputs handled (repeated ones counted each time). */
  total: number;
  /** Inputs whose outcome was an error. */
  failed: number;
}

/** Inputs handled at once by a batch: requests share the context's connection pools and tokens. */
export const BATCH_JOBS = 8;

/**
 * How far a streamed batch reads ahead of the oldest outcome not yet handed on: at most this many outcomes (or
 * operations under way) are held to put them back in input order. The inputs beyond are not read yet.
 */
export const BATCH_WINDOW = 256;

/**
 * Repeated inputs are asked once: the outcomes of the last BATCH_MEMO distinct inputs (and of those under way) are
 * kept, least recently used dropped first, so an input seen again within that many distinct others is answered
 * from memory. Results are small (a digest, a descriptor, a tag list, an inspection); at most this many are held.
 */
export const BATCH_MEMO = 4096;

/**
 * The window and memo of batches whose results can be large (an inspection holds its manifest and config; a tag
 * list may have thousands of tags): fewer of them are held.
 */
export const LARGE_RESULTS = { window: 64, memo: 256 } as const;

export interface EachInputOptions {
  /** Operations at once (BATCH_JOBS). */
  jobs?: number;
  /** The reorder window (BATCH_WINDOW). */
  window?: number | undefined;
  /** Distinct inputs whose outcomes are remembered (BATCH_MEMO); at least `window`. */
  memo?: number | undefined;
  /** Stops reading inputs when aborted: the batch rejects with its reason. */
  signal?: AbortSignal | undefined;
}

/**
 * Runs `op` for every input, at most `jobs` at once, and hands each input's outcome to `onResult` in input order as
 * soon as it and those before it are known. A failure is that input's outcome and stops nothing else. Inputs are
 * read as they are needed: memory is bounded by the reorder window and the memo, not by the number of inputs.
 * Repeated inputs are asked once (BATCH_MEMO). Operations sharing one context share its pools, pings and tokens.
 * Rejects when reading the inputs fails or `onResult` throws (after the outcomes before it were handed on).
 */
export async function eachInputStream<T>(inputs: BatchInput, op: (input: string) => Promise<T>, onResult: OnResult<T>, opts: EachInputOptions = {}): Promise<BatchSummary> {
  const jobs = Math.max(1, opts.jobs ?? BATCH_JOBS);
  const window = Math.max(1, opts.window ?? BATCH_WINDOW);
  const memoSize = Math.max(window, opts.memo ?? BATCH_MEMO);
  const signal = opts.signal;

  // the outcomes to hand on, in input order: queue[head] is the oldest; `done` once known (no await needed)
  type Entry = { promise: Promise<Outcome<T>>; done?: Outcome<T> };
  const queue: (Entry | undefined)[] = [];
  let head = 0;
  let readDone = false;
  let readError: { error: unknown } | undefined;
  let stopped = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeReader: (() => void) | undefined;
  const memo = new Map<string, Entry>();

  // at most `jobs` operations at once
  let running = 0;
  const waiting: (() => void)[] = [];
  const limited = async (input: string): Promise<Outcome<T>> => {
    if (running >= jobs) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return { input, result: await op(input) };
    } catch (error) {
      return { input, error };
    } finally {
      running--;
      waiting.shift()?.();
    }
  };

  const reader = (async () => {
    try {
      for await (const input of inputs) {
        if (typeof input !== 'string') throw new UsageError(`a batch input must be a string, not ${input === null ? 'null' : typeof input}`);
        while (!stopped && queue.length - head >= window) await new Promise<void>((r) => (wakeReader = r));
        if (stopped) break;
        signal?.throwIfAborted();
        let entry = memo.get(input);
        if (entry) {
          memo.delete(input); // most recently used last
        } else {
          const made: Entry = { promise: limited(input) };
          void made.promise.then((o) => (made.done = o));
          entry = made;
          if (memo.size >= memoSize) memo.delete(memo.keys().next().value!);
        }
        memo.set(input, entry);
        queue.push(entry);
        wakeConsumer?.();
      }
    } catch (error) {
      readError = { error };
    } finally {
      readDone = true;
      wakeConsumer?.();
    }
  })();

  let total = 0;
  let failed = 0;
  const onAbort = () => wakeConsumer?.();
  signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      signal?.throwIfAborted();
      if (head < queue.length) {
        const entry = queue[head]!;
        const outcome = entry.done ?? (await entry.promise);
        queue[head++] = undefined;
        if (head >= 1024 && head * 2 >= queue.length) {
          queue.splice(0, head);
          head = 0;
        }
        wakeReader?.();
        wakeReader = undefined;
        total++;
        if ('error' in outcome) failed++;
        const handled = onResult(outcome);
        if (handled) await handled;
        continue;
      }
      if (readDone) break;
      await new Promise<void>((r) => (wakeConsumer = r));
      wakeConsumer = undefined;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stopped = true;
    wakeReader?.();
  }
  // the reader is done when the consumer saw the end; after a failure it stops at its next input (not awaited: a
  // slow stdin may never send one)
  await reader;
  if (readError) throw readError.error;
  return { total, failed };
}

/**
 * Runs `op` for every input, at most `jobs` at once, and returns each input's outcome in input order (see
 * eachInputStream; repeated inputs are asked once).
 */
export async function eachInput<T>(inputs: BatchInput, op: (input: string) => Promise<T>, opts: EachInputOptions = {}): Promise<Outcome<T>[]> {
  const outcomes: Outcome<T>[] = [];
  await eachInputStream(inputs, op, (o) => void outcomes.push(o), opts);
  return outcomes;
}

/**
 * The context each input of a batch works in: `credentials` applied to the registries it names (image locations by
 * default), so inputs of one registry share one transport's pools, pings and tokens. The contexts are made as
 * registries appear in the inputs (inputs are streamed) and kept for the batch: one per distinct set of registries
 * named. The credential options are checked now (a bad one fails the batch before any input); a malformed input
 * gets the context of no registry and fails on its own, named, when its operation runs.
 */
export async function batchContexts(ctx: OpsContext, credentials: CredentialOptions | undefined,
  registriesOf: (input: string) => string[] = locationRegistries): Promise<(input: string) => Promise<OpsContext>> {
  const none = await sideContext(ctx, [], credentials);
  if (credentials === undefined) return async () => ctx;
  const made = new Map<string, Promise<OpsContext>>();
  return (input) => {
    let registries: string[];
    try {
      registries = [...new Set(registriesOf(input))].sort();
    } catch {
      return Promise.resolve(none);
    }
    if (!registries.length) return Promise.resolve(none);
    const key = registries.join(' ');
    let side = made.get(key);
    if (!side) made.set(key, (side = sideContext(ctx, registries, credentials)));
    return side;
  };
}

/**
 * Runs `op` over a batch's inputs, each in its context (batchContexts): the outcomes in input order, to `onResult`
 * when given (then nothing is kept: the summary is returned), else as an array.
 */
export async function runBatch<T>(ctx: OpsContext, inputs: BatchInput, credentials: CredentialOptions | undefined,
  op: (ctx: OpsContext, input: string) => Promise<T>, onResult: OnResult<T> | undefined,
  limits: { window?: number; memo?: number; registriesOf?: (input: string) => string[] } = {}): Promise<Outcome<T>[] | BatchSummary> {
  const contextOf = await batchContexts(ctx, credentials, limits.registriesOf);
  const run = async (input: string) => op(await contextOf(input), input);
  const opts = { signal: ctx.transport.signal, window: limits.window, memo: limits.memo };
  return onResult ? eachInputStream(inputs, run, onResult, opts) : eachInput(inputs, run, opts);
}
