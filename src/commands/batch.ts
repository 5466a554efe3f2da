// Commands that take several inputs (digest, inspect, manifest head, tags): the inputs from the arguments and
// `--from-file` (read as they are needed), and the output of a batch printed as its outcomes come, in input order,
// with its failures named on stderr.
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Command } from '@commander-js/extra-typings';
import type { CommandEnv } from './command-env.js';
import { ExitCode, partialExitCode, PartialFailureError, RegctlError, UsageError } from '../errors.js';
import type { BatchSummary, OnResult, Outcome } from '../api/read.js';

/** `--from-file FILE|-`, for a definition's build. */
export const fromFileOption = <C extends Command<any[], any>>(cmd: C, what: string) =>
  cmd.option('--from-file <file>', `read ${what} from this file, one per line (- for stdin; blank lines and # comments skipped)`);

/** A line of `--from-file` longer than this is refused (a reference is far shorter): a line is all that is held. */
export const MAX_LINE = 64 * 1024;

/**
 * The inputs: the arguments, then the lines of `--from-file` (blank lines and `#` comments skipped), read as they are
 * needed, so a file of any length (or an endless stdin) is never held whole. None at all is a usage error, found
 * before anything is printed; so is a file that cannot be opened.
 */
export async function batchInputs(env: CommandEnv, args: string[], fromFile: string | undefined, what: string): Promise<Iterable<string> | AsyncIterable<string>> {
  const none = () => new UsageError(`no ${what} given`, { hint: `name them as arguments or with --from-file FILE` });
  if (fromFile === undefined) {
    if (!args.length) throw none();
    return args;
  }
  let stream: Readable;
  if (fromFile === '-') {
    stream = env.io.stdin;
    stream.setEncoding('utf8');
  } else {
    try {
      stream = (await open(fromFile)).createReadStream({ encoding: 'utf8' });
    } catch (err) {
      throw new UsageError(`--from-file ${fromFile}: ${(err as Error).message}`, { cause: err });
    }
  }
  const lines = new FileLines(stream, fromFile, args);
  // with no argument, the first line is read now: a file without any is a usage error before any output
  if (!args.length && !(await lines.fill())) throw none();
  return lines;
}

/**
 * The arguments, then the entries of a `--from-file` stream: each line trimmed, blank lines and `# comments` skipped.
 * Read a chunk at a time (the lines of one chunk at most are held); an async iterator rather than a generator, as it
 * hands on a million lines: one settled promise each.
 */
class FileLines implements AsyncIterableIterator<string> {
  private readonly chunks: AsyncIterator<string>;
  private lines: string[] = [];
  private at = 0;
  private arg = 0;
  private rest = '';
  private ended = false;

  constructor(private readonly stream: Readable, private readonly name: string, private readonly args: string[]) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<string>;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<string>> {
    if (this.arg < this.args.length) return Promise.resolve({ value: this.args[this.arg++]!, done: false });
    while (this.at < this.lines.length) {
      const item = this.lines[this.at++]!;
      if (item) return Promise.resolve({ value: item, done: false });
    }
    return this.fill().then((more) => (more ? this.next() : { value: undefined, done: true }));
  }

  async return(): Promise<IteratorResult<string>> {
    this.close();
    return { value: undefined, done: true };
  }

  /** Reads until there are lines to hand on; false at the end of the input. */
  async fill(): Promise<boolean> {
    for (;;) {
      if (this.at < this.lines.length) return true;
      if (this.ended) return false;
      let chunk: IteratorResult<string>;
      try {
        chunk = await this.chunks.next();
      } catch (err) {
        this.close();
        throw new UsageError(`--from-file ${this.name}: ${(err as Error).message}`, { cause: err });
      }
      const text = chunk.done ? `${this.rest}\n` : this.rest + chunk.value;
      if (chunk.done) {
        this.ended = true;
        this.close();
      }
      const lines = text.split('\n');
      this.rest = lines.pop()!;
      if (this.rest.length > MAX_LINE) {
        this.close();
        throw new UsageError(`--from-file ${this.name}: a line longer than ${MAX_LINE} characters`);
      }
      this.lines = lines.map((line) => line.trim()).map((item) => (item.startsWith('#') ? '' : item));
      this.at = 0;
      while (this.at < this.lines.length && !this.lines[this.at]) this.at++;
    }
  }

  private close(): void {
    if (this.name !== '-') this.stream.destroy();
  }
}

/** How a batch's outcomes print: the text of a success (`nth`: how many printed before it), or a JSON entry. */
export type BatchRender<T> =
  | { json: (outcome: Outcome<T>) => Record<string, unknown> }
  | { text: (input: string, result: T, nth: number) => string }
  | { write: (input: string, result: T) => Promise<void> };

/** Output written in pieces of about this size (and whenever the batch waits for an outcome). */
const FLUSH_AT = 16 * 1024;

/**
 * Prints a batch as its outcomes come (`run` calls the library with `onResult`), in input order: text for each
 * success (or what `write` streams to stdout itself: a template), or one JSON array written incrementally (`[`, the entries, `]`: the bytes of `JSON.stringify(all, null,
 * 2)`). Each failure is named on stderr as it comes (`regctl: INPUT: message`, its hint); at the end the command
 * fails with the exit code of every partial failure (errors.ts partialExitCode: the code they share, else 1).
 */
export async function printBatch<T>(env: CommandEnv, run: (onResult: OnResult<T>) => Promise<BatchSummary>, render: BatchRender<T>): Promise<void> {
  const out = env.io.stdout;
  let pending = '';
  let immediate: NodeJS.Immediate | undefined;
  const flushSoon = () => {
    immediate ??= setImmediate(() => {
      immediate = undefined;
      if (pending) out.write(pending);
      pending = '';
    });
  };
  const flush = async () => {
    if (pending) out.write(pending);
    pending = '';
    if (out.writableNeedDrain) await once(out, 'drain');
  };
  const json = 'json' in render ? render.json : undefined;
  let printed = 0;
  const codes = new Map<number, unknown>(); // one failure of each exit code: all partialExitCode needs
  const summary = await run((o) => {
    if ('error' in o) {
      if (!(o.error instanceof RegctlError)) throw o.error; // a bug: the CLI reports it as an internal error
      env.warn(`${o.input}: ${o.error.message}`);
      if (o.error.hint) env.warn(`${o.input}: hint: ${o.error.hint}`);
      codes.set(o.error.exitCode, o.error);
    }
    if (json) {
      pending += `${printed ? ',\n' : '[\n'}  ${JSON.stringify(json(o), null, 2).replaceAll('\n', '\n  ')}`;
      printed++;
    } else if ('result' in o && 'text' in render) {
      pending += render.text(o.input, o.result, printed++);
    } else if ('result' in o && 'write' in render) {
      const result = o.result;
      return flush().then(() => render.write(o.input, result)); // a template streamed to stdout, after what came before
    }
    if (pending.length >= FLUSH_AT || out.writableNeedDrain) return flush();
    flushSoon();
    return undefined;
  }).catch(async (err: unknown) => {
    await flush().catch(() => undefined); // what came before the failure (of the input, of a write) stays printed
    throw err;
  }).finally(() => {
    if (immediate) clearImmediate(immediate);
    immediate = undefined;
  });
  if (json) pending += printed ? '\n]\n' : '[]\n';
  await flush();
  if (summary.failed) {
    const failures = [...codes.values()].map((error) => ({ error }));
    throw new PartialFailureError('ERR_BATCH', `${summary.failed} of ${summary.total} failed (above)`, failures.length ? partialExitCode(failures) : ExitCode.failure);
  }
}

/** A batch's JSON entry for one input: `{[key]: input, ...ok(result)}`, or the error's message and exit code. */
export function outcomeJson<T>(o: Outcome<T>, key: string, ok: (result: T) => Record<string, unknown>): Record<string, unknown> {
  if (!('error' in o)) return { [key]: o.input, ...ok(o.result) };
  const err = o.error;
  return { [key]: o.input, error: err instanceof Error ? err.message : String(err), exitCode: err instanceof RegctlError ? err.exitCode : ExitCode.failure };
}
